package auth_test

import (
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
)

// TestMigrationsUpToDate checks that auth/migrations matches the User,
// Group, Permission and Token models. Run with ANODE_UPDATE_MIGRATIONS=1 to
// write a migration for a changed model with this repository's own
// makemigrations.
func TestMigrationsUpToDate(t *testing.T) {
	m := auth.Module()
	m.Dir = anode.SourceDir(".")
	anodetest.MigrationsUpToDate(t, m)
}
