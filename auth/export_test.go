package auth

import (
	"time"

	"github.com/anode-go/anode"
)

// ModuleAt is Module with the password-reset views reading clock.
func ModuleAt(clock func() time.Time) anode.Module { return module(&config{clock: clock}) }
