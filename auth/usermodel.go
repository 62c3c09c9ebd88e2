package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/anode-go/anode/orm"
)

// UserModel is the constraint on an application's own user model: a
// pointer to a struct type that embeds User. Embedding is the whole
// contract: the struct gets User's columns, its groups and permissions,
// and its methods (SetPassword, HasPerm, …), and AuthUser, promoted from
// User, hands auth the embedded part. See ModuleFor.
type UserModel[T any] interface {
	*T
	AuthUser() *User
}

// AuthUser returns u. A model that embeds User gets it promoted, which is
// how the auth module reaches the embedded fields of an application's own
// user model without reflection.
func (u *User) AuthUser() *User { return u }

// userStore reads and writes the installed user model, auth.User or an
// application's own (ModuleFor). Its methods hand out the embedded *User
// and, where asked, the model value holding it.
type userStore interface {
	// get returns the user whose field equals value ("id", "username"),
	// and the model value that holds it; orm.ErrNotFound when none.
	get(ctx context.Context, db *orm.DB, field string, value any) (*User, any, error)
	// activeByEmail returns the active users whose email is email, case
	// folded.
	activeByEmail(ctx context.Context, db *orm.DB, email string) ([]*User, error)
	// exists reports whether a user named username exists.
	exists(ctx context.Context, db *orm.DB, username string) (bool, error)
	// update writes fields of the user with ID id.
	update(ctx context.Context, db *orm.DB, id int64, sets ...orm.Assignment) error
	// create saves a new user with the given fields set and pw hashed
	// (an empty pw: unusable).
	create(ctx context.Context, db *orm.DB, fields User, pw string) (*User, error)
}

// users is the userStore of model T.
type users[T any, PT UserModel[T]] struct{}

var _ userStore = users[User, *User]{}

func (users[T, PT]) get(ctx context.Context, db *orm.DB, field string, value any) (*User, any, error) {
	t, err := orm.From[T](db).Filter(field, value).Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	p := PT(&t)
	return p.AuthUser(), p, nil
}

func (users[T, PT]) activeByEmail(ctx context.Context, db *orm.DB, email string) ([]*User, error) {
	ts, err := orm.From[T](db).Filter("email__iexact", email).Filter("is_active", true).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*User, 0, len(ts))
	for i := range ts {
		if u := PT(&ts[i]).AuthUser(); strings.EqualFold(u.Email, email) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (users[T, PT]) exists(ctx context.Context, db *orm.DB, username string) (bool, error) {
	return orm.From[T](db).Filter("username", username).Exists(ctx)
}

func (users[T, PT]) update(ctx context.Context, db *orm.DB, id int64, sets ...orm.Assignment) error {
	n, err := orm.From[T](db).Filter("id", id).Update(ctx, sets...)
	if err == nil && n == 0 {
		err = fmt.Errorf("user %d: %w", id, orm.ErrNotFound)
	}
	return err
}

func (users[T, PT]) create(ctx context.Context, db *orm.DB, fields User, pw string) (*User, error) {
	var t T
	u := PT(&t).AuthUser()
	*u = fields
	if u.DateJoined.IsZero() {
		u.DateJoined = time.Now().UTC()
	}
	if pw == "" {
		u.SetUnusablePassword()
	} else if err := u.SetPassword(pw); err != nil {
		return nil, err
	}
	if err := orm.Create(ctx, db, PT(&t)); err != nil {
		return nil, err
	}
	return u, nil
}

// installed maps an App's model registry to the user store its auth
// module was configured with (ModuleFor), so functions given only a
// database (Authenticate, CreateUser in a command or a task) use the
// right model. Written once per App at start-up.
var installed sync.Map // *orm.Registry → userStore

// storeFor returns the user store for db: the one the auth module
// installed in db's App was configured with, or auth.User's.
func storeFor(db *orm.DB) userStore {
	if db != nil {
		if s, ok := installed.Load(db.Registry()); ok {
			return s.(userStore)
		}
	}
	return defaultUsers
}

var defaultUsers userStore = users[User, *User]{}
