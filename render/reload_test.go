package render_test

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/render"
)

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDebugReload edits a template directory between renders.
func TestDebugReload(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.html", `[{{block "content" .}}{{end}}]`)
	writeFile(t, dir, "page.html", `{{template "base.html" .}}{{define "content"}}v1{{end}}`)
	embedded := mapFS("page.html", "embedded", "base.html", "")
	e := mustNew(t, render.Options{Debug: true}, render.Source{Name: "app", FS: embedded, Dir: dir})
	handle, err := e.Lookup("page.html")
	if err != nil {
		t.Fatal(err)
	}
	do := func() (string, error) {
		w := httptest.NewRecorder()
		err := handle.Render(w, httptest.NewRequest("GET", "/", nil), nil)
		return w.Body.String(), err
	}
	steps := []struct {
		name   string
		edit   func()
		want   string
		errHas string
	}{
		{"initial", nil, "[v1]", ""},
		{"page edited", func() {
			writeFile(t, dir, "page.html", `{{template "base.html" .}}{{define "content"}}version 2{{end}}`)
		}, "[version 2]", ""},
		{"layout edited", func() { writeFile(t, dir, "base.html", `<b>{{block "content" .}}{{end}}</b>`) }, "<b>version 2</b>", ""},
		{"same size, new time", func() {
			writeFile(t, dir, "base.html", `<i>{{block "content" .}}{{end}}</i>`)
			later := time.Now().Add(2 * time.Second)
			os.Chtimes(filepath.Join(dir, "base.html"), later, later)
		}, "<i>version 2</i>", ""},
		{"partial added", func() {
			writeFile(t, dir, "partials/p.html", `partial`)
			writeFile(t, dir, "page.html", `{{template "base.html" .}}{{define "content"}}{{template "partials/p.html"}}{{end}}`)
		}, "<i>partial</i>", ""},
		{"syntax error", func() { writeFile(t, dir, "partials/p.html", "\n{{if}}") }, "", "render: partials/p.html:2: missing value for if"},
		{"still broken", nil, "", "missing value for if"},
		{"fixed", func() { writeFile(t, dir, "partials/p.html", `fixed`) }, "<i>fixed</i>", ""},
		{"removed", func() { os.Remove(filepath.Join(dir, "page.html")) }, "", `template "page.html" not found`},
	}
	for _, st := range steps {
		if st.edit != nil {
			st.edit()
		}
		got, err := do()
		switch {
		case st.errHas != "" && (err == nil || !strings.Contains(err.Error(), st.errHas)):
			t.Fatalf("%s: got %q, %v; want an error containing %q", st.name, got, err, st.errHas)
		case st.errHas == "" && (err != nil || got != st.want):
			t.Fatalf("%s: got %q, %v; want %q", st.name, got, err, st.want)
		}
	}
	if !errors.Is(func() error { _, err := do(); return err }(), render.ErrNotFound) {
		t.Error("a removed page is not ErrNotFound")
	}
}

// TestSourceModes checks which of FS and Dir each mode reads.
func TestSourceModes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.html", "from disk")
	fsys := mapFS("p.html", "embedded")
	tests := []struct {
		name  string
		debug bool
		src   render.Source
		want  string
	}{
		{"production reads FS", false, render.Source{Name: "a", FS: fsys, Dir: dir}, "embedded"},
		{"production without FS reads Dir", false, render.Source{Name: "a", Dir: dir}, "from disk"},
		{"debug reads Dir", true, render.Source{Name: "a", FS: fsys, Dir: dir}, "from disk"},
		{"debug without Dir reads FS", true, render.Source{Name: "a", FS: fsys}, "embedded"},
	}
	for _, tt := range tests {
		e := mustNew(t, render.Options{Debug: tt.debug}, tt.src)
		if got := renderString(t, e, "p.html", nil); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// Production never looks at the directory again.
	e := mustNew(t, render.Options{}, render.Source{Name: "a", Dir: dir})
	writeFile(t, dir, "p.html", "changed on disk")
	if got := renderString(t, e, "p.html", nil); got != "from disk" {
		t.Errorf("production after an edit: %q", got)
	}
	// Hidden files and directories are not templates.
	writeFile(t, dir, ".hidden.html", "x")
	writeFile(t, dir, ".git/x.html", "x")
	e = mustNew(t, render.Options{}, render.Source{Name: "a", Dir: dir})
	if got := strings.Join(e.Names(), ","); got != "p.html" {
		t.Errorf("Names = %s", got)
	}
}

// TestDebugReloadConcurrent renders from many goroutines while a file
// changes (run with -race).
func TestDebugReloadConcurrent(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.html", "a")
	e := mustNew(t, render.Options{Debug: true}, render.Source{Name: "app", Dir: dir})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				w := httptest.NewRecorder()
				if err := e.Render(w, httptest.NewRequest("GET", "/", nil), "p.html", nil); err != nil {
					t.Error(err)
					return
				}
				if b := w.Body.String(); strings.Trim(b, "ab") != "" || b == "" {
					t.Errorf("body %q", b)
					return
				}
			}
		})
	}
	for i := range 20 {
		// Replaced whole, by rename, so a reader never sees half a file.
		writeFile(t, dir, ".next.tmp", strings.Repeat("ab", i+1))
		if err := os.Rename(filepath.Join(dir, ".next.tmp"), filepath.Join(dir, "p.html")); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}
