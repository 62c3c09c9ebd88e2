// Package customuser is a custom user model for the auth module's tests,
// shaped as an application's would be: a struct embedding auth.User, and
// the auth module's migrations for it in the migrations package beside it.
package customuser

import (
	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/auth/internal/customuser/migrations"
)

// User is the user model: auth.User's fields and its own.
type User struct {
	auth.User
	Bio      string `anode:"max=200"`
	Timezone string `anode:"max=40,default=UTC"`
}

// Module is the auth module with User as its user model.
func Module() anode.Module {
	return auth.ModuleFor[User](migrations.All, anode.SourceDir("."))
}
