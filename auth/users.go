package auth

import (
	"context"
	"fmt"

	"github.com/anode-go/anode/orm"
)

// CreateUser saves a new active user with pw hashed by the default hasher
// (an empty pw gives an unusable password). It does not validate pw. With
// an application's own user model (ModuleFor) it saves a row of that
// model, its other fields zero, and returns the embedded *User; to set
// those fields, build the model and orm.Create it instead.
func CreateUser(ctx context.Context, db *orm.DB, username, email, pw string) (*User, error) {
	u, err := storeFor(db).create(ctx, db, User{Username: username, Email: email, IsActive: true}, pw)
	if err != nil {
		return nil, fmt.Errorf("auth: create user %q: %w", username, err)
	}
	return u, nil
}

// CreateSuperuser is CreateUser for a user with IsStaff and IsSuperuser
// set (an empty pw gives an unusable password).
func CreateSuperuser(ctx context.Context, db *orm.DB, username, email, pw string) (*User, error) {
	u, err := storeFor(db).create(ctx, db, User{Username: username, Email: email, IsActive: true, IsStaff: true, IsSuperuser: true}, pw)
	if err != nil {
		return nil, fmt.Errorf("auth: create superuser %q: %w", username, err)
	}
	return u, nil
}
