// Package switched is a custom user model adopted by a project that began
// with auth.User, for the auth module's tests: its migrations package
// starts with copies of auth/migrations' files, and makemigrations added
// the model's own field after them.
package switched

import (
	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/auth/internal/switched/migrations"
)

// User is auth.User with a Bio.
type User struct {
	auth.User
	Bio string `anode:"max=200"`
}

// Module is the auth module with User as its user model.
func Module() anode.Module {
	return auth.ModuleFor[User](migrations.All, anode.SourceDir("."))
}
