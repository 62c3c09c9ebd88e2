package auth_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
)

// TestMigrationsUpToDate checks that auth/migrations matches the User,
// Group, Permission and Token models. Run with ANODE_UPDATE_MIGRATIONS=1 to write a migration for a
// changed model with this repository's own makemigrations.
func TestMigrationsUpToDate(t *testing.T) {
	m := auth.Module()
	m.Dir = anode.SourceDir(".")
	if m.Dir == "" {
		t.Skip("source directory not found")
	}
	cfg := anodetest.Config(t)
	app := anode.New(cfg)
	app.Install(m)
	args := []string{"makemigrations", "--check", "auth"}
	if os.Getenv("ANODE_UPDATE_MIGRATIONS") == "1" {
		args = []string{"makemigrations", "auth"}
	}
	var out, errOut bytes.Buffer
	if code := app.Execute(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s(regenerate with ANODE_UPDATE_MIGRATIONS=1 go test ./auth -run TestMigrationsUpToDate)", args, code, out.String(), errOut.String())
	}
	t.Log(out.String())
}
