package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Bad usage exits 2 and writes nothing; an unknown command too.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"new", "Bad-Name"}, {"new"}, {"startapp", "polls"}} {
		if got := run(context.Background(), args); got == 0 {
			t.Errorf("anode %v exited 0", args)
		}
	}
	if got := run(context.Background(), []string{"new", "Bad-Name"}); got != 2 {
		t.Errorf("anode new Bad-Name exited %d, want 2", got)
	}
	if got := run(context.Background(), []string{"startapp", "polls"}); got != 2 {
		t.Errorf("anode startapp outside a project exited %d, want 2", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands wrote %v", entries)
	}
	// --no-setup writes the files only (the go commands are tested in scaffold).
	if got := run(context.Background(), []string{"new", "site", "--no-setup"}); got != 0 {
		t.Fatalf("anode new site --no-setup exited %d", got)
	}
	for _, f := range []string{"go.mod", "main.go", ".env", ".gitignore", "README.md", "notes/module.go", "notes/notes_test.go"} {
		if _, err := os.Stat(filepath.Join(dir, "site", f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
}
