package auth

import (
	"time"

	"github.com/anode-go/anode"
)

// ModuleAt is Module with the password-reset views and the API-token
// checks reading clock.
func ModuleAt(clock func() time.Time) anode.Module { return module(&config{clock: clock}) }
