package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/orm"
)

// DefaultActions are the permissions created for every installed model:
// "<module>.<action>_<model>", as "polls.add_question".
var DefaultActions = []string{"add", "change", "delete", "view"}

// ObjectPermissioner is the object-level permission hook: a model whose
// objects implement it decides HasObjectPerm for them (an author may change
// their own post). Model-level permissions apply to objects that do not.
type ObjectPermissioner interface {
	HasObjectPerm(ctx context.Context, db *orm.DB, u *User, perm string) (bool, error)
}

// permCache holds a request user's permissions once read.
type permCache struct {
	once sync.Once
	set  map[string]bool
	err  error
}

// Permissions returns the names ("polls.add_question") of the permissions u
// holds directly and through its groups; a superuser's flag is not
// expanded. The request's user (UserFromRequest) reads them once per
// request; other users read them on every call.
func (u *User) Permissions(ctx context.Context, db *orm.DB) (map[string]bool, error) {
	if u.perms == nil {
		return u.loadPermissions(ctx, db)
	}
	u.perms.once.Do(func() { u.perms.set, u.perms.err = u.loadPermissions(ctx, db) })
	return u.perms.set, u.perms.err
}

func (u *User) loadPermissions(ctx context.Context, db *orm.DB) (map[string]bool, error) {
	ps, err := orm.From[Permission](db).Where(orm.Or(orm.Q("users", u.ID), orm.Q("groups__users", u.ID))).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: permissions of user %d: %w", u.ID, err)
	}
	set := make(map[string]bool, len(ps))
	for i := range ps {
		set[ps[i].String()] = true
	}
	return set, nil
}

// HasPerm reports whether u holds the permission perm
// ("polls.add_question"): an inactive (or nil) user holds none, a
// superuser holds all, others hold those given to them or to one of their
// groups.
func (u *User) HasPerm(ctx context.Context, db *orm.DB, perm string) (bool, error) {
	return u.HasPerms(ctx, db, perm)
}

// HasPerms reports whether u holds every one of perms (see HasPerm).
func (u *User) HasPerms(ctx context.Context, db *orm.DB, perms ...string) (bool, error) {
	if u == nil || !u.IsActive {
		return false, nil
	}
	if u.IsSuperuser {
		return true, nil
	}
	set, err := u.Permissions(ctx, db)
	if err != nil {
		return false, err
	}
	for _, p := range perms {
		if !set[p] {
			return false, nil
		}
	}
	return true, nil
}

// HasModulePerms reports whether u holds any permission of the module
// named module ("polls"), as Django's has_module_perms: what an admin index
// asks before listing a module.
func (u *User) HasModulePerms(ctx context.Context, db *orm.DB, module string) (bool, error) {
	if u == nil || !u.IsActive {
		return false, nil
	}
	if u.IsSuperuser {
		return true, nil
	}
	set, err := u.Permissions(ctx, db)
	if err != nil {
		return false, err
	}
	for p := range set {
		if strings.HasPrefix(p, module+".") {
			return true, nil
		}
	}
	return false, nil
}

// HasObjectPerm reports whether u holds perm on obj: an inactive user
// none, a superuser all; an obj that implements ObjectPermissioner
// decides; otherwise u's model-level permission answers.
func (u *User) HasObjectPerm(ctx context.Context, db *orm.DB, perm string, obj any) (bool, error) {
	if u == nil || !u.IsActive {
		return false, nil
	}
	if u.IsSuperuser {
		return true, nil
	}
	if op, ok := obj.(ObjectPermissioner); ok {
		return op.HasObjectPerm(ctx, db, u, perm)
	}
	return u.HasPerm(ctx, db, perm)
}

// cutLabel splits a model label "polls.Question" into its module and name.
func cutLabel(label string) (module, name string, ok bool) {
	return strings.Cut(label, ".")
}

// createPermissions is the module's post-migrate step: it creates the
// DefaultActions permissions of every installed model that lacks them
// (generated many-to-many through models have none).
func createPermissions(ctx context.Context, app *anode.App) error {
	db := app.DB()
	existing, err := orm.From[Permission](db).All(ctx)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(existing))
	for _, p := range existing {
		have[p.Model+"."+p.Codename] = true
	}
	through := map[*orm.Model]bool{}
	models := app.Registry().Models()
	for _, m := range models {
		for _, mm := range m.ManyToMany {
			if mm.Auto {
				through[mm.Through] = true
			}
		}
	}
	var add []Permission
	for _, m := range models {
		if through[m] {
			continue
		}
		verbose := m.Meta.VerboseName
		if verbose == "" {
			verbose = strings.ToLower(m.Name)
		}
		for _, action := range DefaultActions {
			code := action + "_" + strings.ToLower(m.Name)
			if have[m.Label()+"."+code] {
				continue
			}
			add = append(add, Permission{Name: "Can " + action + " " + verbose, Model: m.Label(), Codename: code})
		}
	}
	if len(add) == 0 {
		return nil
	}
	// Instances starting together run this at once: a permission another
	// one inserted meanwhile is skipped, not an error.
	_, err = orm.BulkCreateWith(ctx, db, add, orm.BulkOptions{IgnoreConflicts: true})
	return err
}
