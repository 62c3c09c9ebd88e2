package session_test

import (
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// TestMigrationsUpToDate checks that session/migrations matches the Row
// model. Run with ANODE_UPDATE_MIGRATIONS=1 to write a migration for a
// changed model with this repository's own makemigrations.
func TestMigrationsUpToDate(t *testing.T) {
	m := anode.SessionsModule()
	m.Dir = anode.SourceDir(".")
	anodetest.MigrationsUpToDate(t, m)
}
