package anode_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// TestDBShell drives the real clients: SQL on standard input, the answer on
// standard output.
func TestDBShell(t *testing.T) {
	cases := []struct{ name, url string }{
		{"sqlite", "sqlite:///" + filepath.Join(t.TempDir(), "shell.db")},
		{"postgres", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := anodetest.Config(t)
			cfg.DatabaseURL = c.url
			if c.name == "postgres" {
				cfg.DatabaseURL = anodetest.Service(t, "ANODE_TEST_POSTGRES")
			}
			app := anodetest.NewUnmigratedApp(t, cfg, anode.Module{Name: "notes", Models: []any{Note{}}})
			if err := app.DB().CreateTables(context.Background()); err != nil && c.name == "sqlite" {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := executeWithInput(t, app, "SELECT 6 * 7 AS answer;\n", &out, &errb, "dbshell")
			if code != 0 || !strings.Contains(out.String(), "42") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
			}
		})
	}
}

// executeWithInput runs a command with stdin read from a file holding input.
// (Not parallel: it swaps os.Stdin for the call.)
func executeWithInput(t *testing.T, app *anode.App, input string, stdout, stderr *bytes.Buffer, args ...string) int {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(input)
	f.Seek(0, 0)
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	return app.Execute(context.Background(), args, stdout, stderr)
}
