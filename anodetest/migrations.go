package anodetest

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/anode-go/anode"
)

// MigrationsUpToDate fails t when module m's models have changes that its
// migrations do not cover (makemigrations --check), naming the command that
// writes them. With ANODE_UPDATE_MIGRATIONS=1 in the environment it writes
// the missing migration into m.Dir/migrations instead. m.Dir must be set,
// usually to anode.SourceDir(".") in the module's package:
//
//	func TestMigrationsUpToDate(t *testing.T) {
//		m := polls.Module()
//		m.Dir = anode.SourceDir("..")
//		anodetest.MigrationsUpToDate(t, m)
//	}
func MigrationsUpToDate(t testing.TB, m anode.Module) {
	t.Helper()
	if m.Dir == "" {
		t.Fatalf("module %s has no Dir: set it to anode.SourceDir(...) so its migrations can be found", m.Name)
	}
	app := anode.New(Config(t))
	app.Install(m)
	args := []string{"makemigrations", "--check", m.Name}
	if os.Getenv("ANODE_UPDATE_MIGRATIONS") == "1" {
		args = []string{"makemigrations", m.Name}
	}
	var out, errOut bytes.Buffer
	if code := app.Execute(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s(write the migration with ANODE_UPDATE_MIGRATIONS=1 and this test)", args, code, out.String(), errOut.String())
	}
	t.Log(out.String())
}
