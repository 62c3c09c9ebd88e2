package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/anode-go/anode/orm"
)

// CreateUser saves a new active user with pw hashed by the default hasher
// (an empty pw gives an unusable password). It does not validate pw.
func CreateUser(ctx context.Context, db *orm.DB, username, email, pw string) (*User, error) {
	u := &User{Username: username, Email: email, IsActive: true, DateJoined: time.Now().UTC()}
	if pw == "" {
		u.SetUnusablePassword()
	} else if err := u.SetPassword(pw); err != nil {
		return nil, err
	}
	if err := orm.Create(ctx, db, u); err != nil {
		return nil, fmt.Errorf("auth: create user %q: %w", username, err)
	}
	return u, nil
}

// CreateSuperuser is CreateUser for a user with IsStaff and IsSuperuser
// set (an empty pw gives an unusable password).
func CreateSuperuser(ctx context.Context, db *orm.DB, username, email, pw string) (*User, error) {
	u := &User{Username: username, Email: email, IsActive: true, IsStaff: true, IsSuperuser: true, DateJoined: time.Now().UTC()}
	if pw == "" {
		u.SetUnusablePassword()
	} else if err := u.SetPassword(pw); err != nil {
		return nil, err
	}
	if err := orm.Create(ctx, db, u); err != nil {
		return nil, fmt.Errorf("auth: create superuser %q: %w", username, err)
	}
	return u, nil
}
