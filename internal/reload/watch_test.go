package reload

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTriggersBuild(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"main.go", true},
		{"cmd/app/main.go", true},
		{"polls/views.go", true},
		{"polls/views_test.go", false},
		{"go.mod", true},
		{"go.sum", true},
		{"README.md", false},
		{"notes.txt", false},
		{"polls/templates/polls/index.html", true},
		{"templates/base.tmpl", true},
		{"templates/mail.gohtml", true},
		{"templates/mail/welcome.txt", true},
		{"templates/notes.md", false},
		{"index.html", false},
		{"static/app.css", true},
		{"polls/static/polls/logo.png", true},
		{"static/vendor.min.js", true},
		{"main.go~", false},
		{".main.go.swp", false},
		{".main.go.swx", false},
		{"4913", false},
		{"static/4913", false},
		{"static/.DS_Store", false},
		{"templates/.#index.html", false},
		{"templates/#index.html#", false},
		{"main.go___jb_tmp___", false},
		{"static/app.css~", false},
		{"templates/index.html.swp", false},
	}
	for _, tt := range tests {
		if got := triggersBuild(filepath.FromSlash(tt.rel)); got != tt.want {
			t.Errorf("triggersBuild(%q) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}

func TestSkipDirName(t *testing.T) {
	for name, want := range map[string]bool{
		".git": true, ".idea": true, "node_modules": true, "vendor": true,
		"static": false, "templates": false, "cmd": false, "internal": false,
	} {
		if got := skipDirName(name); got != want {
			t.Errorf("skipDirName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestWatcher drives a real watcher: one event per burst, new directories picked up,
// ignored files and directories ignored.
func TestWatcher(t *testing.T) {
	root := t.TempDir()
	skip := filepath.Join(root, "build")
	for _, d := range []string{".git", "node_modules", "vendor", "build", "pkg"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w, err := newWatcher(root, skip, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".git", "node_modules", "vendor", "build"} {
		if w.dirs[filepath.Join(root, d)] {
			t.Errorf("%s is watched", d)
		}
	}
	if !w.dirs[filepath.Join(root, "pkg")] {
		t.Errorf("pkg is not watched")
	}

	ctx, cancel := context.WithCancel(context.Background())
	const debounce = 50 * time.Millisecond
	out := make(chan string, 1)
	go w.run(ctx, debounce, out)
	defer func() {
		cancel()
		w.close()
	}()

	write := func(rel string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(what string) string {
		t.Helper()
		select {
		case p := <-out:
			return p
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no change reported", what)
			return ""
		}
	}
	expectNone := func(what string) {
		t.Helper()
		select {
		case p := <-out:
			t.Fatalf("%s: unexpected change %s", what, p)
		case <-time.After(10 * debounce):
		}
	}

	for i := range 10 {
		write("pkg/a.go")
		if i%3 == 0 {
			write("pkg/b.go")
		}
	}
	if p := expect("burst"); p != filepath.Join(root, "pkg", "a.go") {
		t.Errorf("burst reported %s, want the first file", p)
	}
	expectNone("after burst")

	for _, rel := range []string{".git/index", "node_modules/x/y.go", "vendor/z.go", "build/app.go",
		"pkg/a.go~", "pkg/.a.go.swp", "pkg/4913", "pkg/a_test.go", "README.md"} {
		write(rel)
	}
	expectNone("ignored files")

	// A directory created with a file already in it, then a file added later.
	if err := os.MkdirAll(filepath.Join(root, "app", "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	expectNone("empty directories")
	write("app/static/site.css")
	expect("file in new directory")
	write("app/templates/index.html")
	expect("template in newer directory")
	expectNone("settled")

	// A tree moved in whole: its files were never seen being written.
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(outside, "polls", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "polls", "sub", "views.go"), []byte("package sub\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(outside, "polls"), filepath.Join(root, "polls")); err != nil {
		t.Fatal(err)
	}
	expect("moved-in directory")
	write("polls/sub/models.go")
	expect("file in moved-in subdirectory")

	if err := os.RemoveAll(filepath.Join(root, "app")); err != nil {
		t.Fatal(err)
	}
	expect("removed directory")
}
