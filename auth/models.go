package auth

import (
	"time"

	"github.com/anode-go/anode/orm"
)

// User is an account: the model of table auth_user, with the columns of
// Django's auth_user so users can be imported from a Django database.
// Password holds an encoded hash (package auth/password), never the
// password itself; set it with SetPassword.
//
// A *User answers permission questions (HasPerm, HasModulePerms); the
// user of a request (UserFromRequest) caches its permissions for the
// request and is safe for concurrent use. The zero value is an inactive
// user with no password.
type User struct {
	ID              int64
	Username        string              `anode:"max=150,unique,verbose=username"`
	Email           string              `anode:"max=254,verbose=email address"`
	Password        string              `anode:"max=128,verbose=password"`
	FirstName       string              `anode:"max=150,verbose=first name"`
	LastName        string              `anode:"max=150,verbose=last name"`
	IsActive        bool                `anode:"default=true,verbose=active"`
	IsStaff         bool                `anode:"verbose=staff status"`
	IsSuperuser     bool                `anode:"verbose=superuser status"`
	LastLogin       orm.Null[time.Time] `anode:"verbose=last login"`
	DateJoined      time.Time           `anode:"verbose=date joined"`
	Groups          orm.M2M[Group]      `anode:"related=users"`
	UserPermissions orm.M2M[Permission] `anode:"related=users"`

	// perms caches the permissions of a request's user (UserFromRequest);
	// nil on users loaded otherwise, which query each time.
	perms *permCache
}

// Meta orders users by username.
func (User) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"Username"}, VerboseName: "user", VerboseNamePlural: "users"}
}

// FullName returns the first and last name separated by a space, trimmed.
func (u *User) FullName() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// String returns the username.
func (u *User) String() string { return u.Username }

// Group is a named set of permissions: a user holds the permissions of
// every group it belongs to (table auth_group).
type Group struct {
	ID          int64
	Name        string              `anode:"max=150,unique,verbose=name"`
	Permissions orm.M2M[Permission] `anode:"related=groups"`
}

// Meta orders groups by name.
func (Group) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"Name"}, VerboseName: "group", VerboseNamePlural: "groups"}
}

// Permission is one thing a user may be allowed to do, named in code as
// "<module>.<codename>" ("polls.add_question"). Model is the label of the
// model it applies to ("polls.Question"); the post-migrate step creates
// add_, change_, delete_ and view_ permissions for every installed model.
// Apps add their own with orm.Create. Codenames are unique per model.
type Permission struct {
	ID       int64
	Name     string `anode:"max=255,verbose=name"`
	Model    string `anode:"max=200,index,verbose=model"`
	Codename string `anode:"max=100,verbose=codename"`
}

// Meta makes codenames unique per model.
func (Permission) Meta() orm.Meta {
	return orm.Meta{
		Ordering:       []string{"Model", "Codename"},
		UniqueTogether: [][]string{{"Model", "Codename"}},
		VerboseName:    "permission", VerboseNamePlural: "permissions",
	}
}

// Module returns the module part of the permission's model label ("polls"
// for "polls.Question").
func (p *Permission) Module() string {
	mod, _, _ := cutLabel(p.Model)
	return mod
}

// String returns the name as code uses it: "polls.add_question".
func (p *Permission) String() string { return p.Module() + "." + p.Codename }

// Token is a personal API token (table auth_token): a request carrying
// "Authorization: Bearer <token>" is made as User. Only a SHA-256 hash of
// the token is stored; Prefix, its first characters, identifies it in
// lists ("anode_Xy3kP9aQ…") without revealing it. Make tokens with
// CreateToken and end them with RevokeToken.
type Token struct {
	ID       int64
	User     orm.FK[User]        `anode:"on_delete=cascade,related=tokens"`
	Name     string              `anode:"max=100,verbose=name"`
	Prefix   string              `anode:"max=8,index,verbose=prefix"`
	Hash     string              `anode:"max=64,verbose=hash"` // hex SHA-256 of the whole token
	Created  time.Time           `anode:"verbose=created"`
	Expires  orm.Null[time.Time] `anode:"verbose=expires"` // NULL: never
	LastUsed orm.Null[time.Time] `anode:"verbose=last used"`
	Revoked  bool                `anode:"verbose=revoked"`
}

// Meta orders tokens newest first.
func (Token) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"-Created"}, VerboseName: "API token", VerboseNamePlural: "API tokens"}
}

// String returns the token's name and prefix: "deploy (anode_Xy3kP9aQ…)".
func (t *Token) String() string { return t.Name + " (" + tokenScheme + t.Prefix + "…)" }

// Valid reports whether the token may be used at now: not revoked and
// not expired.
func (t *Token) Valid(now time.Time) bool {
	return !t.Revoked && (!t.Expires.Valid || now.Before(t.Expires.V))
}
