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
	"github.com/anode-go/anode/orm"
)

func TestFixtureCommands(t *testing.T) {
	notes := anode.Module{Name: "notes", Models: []any{Note{}}}
	newApp := func() *anode.App {
		app := anodetest.NewUnmigratedApp(t, anodetest.Config(t), notes)
		if err := app.DB().CreateTables(context.Background()); err != nil {
			t.Fatal(err)
		}
		return app
	}
	src := newApp()
	ctx := context.Background()
	for _, body := range []string{"first", "second"} {
		if err := orm.Create(ctx, src.DB(), &Note{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "notes.json")
	if code, _, errOut := run(src, "dumpdata", "notes", "-o", file); code != 0 {
		t.Fatalf("dumpdata: %d %s", code, errOut)
	}
	b, _ := os.ReadFile(file)
	if !strings.Contains(string(b), `"model": "notes.note"`) || !strings.Contains(string(b), `"body": "second"`) {
		t.Fatalf("fixture:\n%s", b)
	}

	dst := newApp()
	code, out, errOut := run(dst, "loaddata", file)
	if code != 0 || !strings.Contains(out, "Installed 2 object(s) from 1 fixture(s)") {
		t.Fatalf("loaddata: %d %q %q", code, out, errOut)
	}
	// run closed the App's database: look through a fresh one on the same file.
	var buf bytes.Buffer
	dst2 := anodetest.NewUnmigratedApp(t, dst.Config(), notes)
	if err := orm.Dump(ctx, dst2.DB(), &buf); err != nil || !bytes.Equal(bytes.TrimSpace(buf.Bytes()), bytes.TrimSpace(b)) {
		t.Fatalf("loaded data differs (%v):\n%s", err, buf.String())
	}

	code, _, errOut = run(newApp(), "loaddata", filepath.Join(t.TempDir(), "missing.json"))
	if code != 1 || !strings.Contains(errOut, "missing.json") {
		t.Fatalf("missing fixture: %d %q", code, errOut)
	}
	code, _, errOut = run(anodetest.NewApp(t), "dumpdata")
	if code != 1 || !strings.Contains(errOut, "no database") {
		t.Fatalf("dumpdata without models: %d %q", code, errOut)
	}
}
