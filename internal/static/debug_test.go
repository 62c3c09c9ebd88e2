package static_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/internal/static"
)

// TestDebugLive runs steps in order against one debug server, editing its
// directory between requests.
func TestDebugLive(t *testing.T) {
	dir := t.TempDir()
	writeDir(t, dir, map[string]string{
		"css/site.css":    "v1",
		"css/site.css.gz": "stale-gzip",
	})
	s := mustNew(t, static.Options{Debug: true}, static.Source{Name: "app", Dir: dir})
	write := func(name, data string) func(t *testing.T) {
		return func(t *testing.T) { writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data) }
	}
	remove := func(name string) func(t *testing.T) {
		return func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdir := func(name string) func(t *testing.T) {
		return func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(name)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}

	steps := []struct {
		name   string
		before func(t *testing.T)
		path   string
		header []string
		code   int
		body   string
	}{
		{"initial", nil, "/static/css/site.css", nil, 200, "v1"},
		{"precompressed ignored", nil, "/static/css/site.css", []string{"Accept-Encoding", "gzip"}, 200, "v1"},
		{"variant not served", nil, "/static/css/site.css.gz", nil, 404, ""},
		{"revalidate", nil, "/static/css/site.css", []string{"If-None-Match", etag("v1")}, 304, ""},
		{"edit", write("css/site.css", "v2 longer"), "/static/css/site.css", nil, 200, "v2 longer"},
		{"old ETag", nil, "/static/css/site.css", []string{"If-None-Match", etag("v1")}, 200, "v2 longer"},
		{"new ETag", nil, "/static/css/site.css", []string{"If-None-Match", etag("v2 longer")}, 304, ""},
		{"current hash", nil, "/static/css/site." + hash("v2 longer") + ".css", nil, 200, "v2 longer"},
		{"stale hash", nil, "/static/css/site." + hash("v1") + ".css", nil, 404, ""},
		{"added", write("js/new.js", "new"), "/static/js/new.js", nil, 200, "new"},
		{"added hidden", write("js/.secret.js", "no"), "/static/js/.secret.js", nil, 404, ""},
		{"added directory", mkdir("img/icons"), "/static/img/icons", nil, 404, ""},
		{"removed", remove("js/new.js"), "/static/js/new.js", nil, 404, ""},
		{"gzip without original is an asset", remove("css/site.css"), "/static/css/site.css.gz", nil, 200, "stale-gzip"},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before(t)
			}
			w := do(s, "GET", st.path, st.header...)
			if w.Code != st.code || st.code == 200 && w.Body.String() != st.body {
				t.Fatalf("GET %s = %d %q; want %d %q", st.path, w.Code, w.Body, st.code, st.body)
			}
			if w.Code == 200 || w.Code == 304 {
				if got := w.Header().Get("Cache-Control"); got != "no-cache" {
					t.Errorf("Cache-Control = %q; want no-cache", got)
				}
				if w.Header().Get("Content-Encoding") != "" || w.Header().Get("Vary") != "" {
					t.Errorf("Content-Encoding %q, Vary %q; want neither in debug mode",
						w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
				}
			}
			if w.Code == 200 && w.Header().Get("ETag") != etag(st.body) {
				t.Errorf("ETag = %q; want %q", w.Header().Get("ETag"), etag(st.body))
			}
		}) {
			break // later steps depend on earlier ones
		}
	}

	writeFile(t, filepath.Join(dir, "late.css"), "late")
	if got, err := s.URL("late.css"); err != nil || got != "/static/late.css" {
		t.Errorf("URL of a file added after New = %q, %v; want /static/late.css", got, err)
	}
}

// TestDebugSources checks where each mode reads a source with both FS and
// Dir, and that precedence holds for files added after New.
func TestDebugSources(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	writeDir(t, first, map[string]string{"a.css": "disk a"})
	writeDir(t, second, map[string]string{"b.css": "disk b"})
	embedded := mapFS(map[string]string{"a.css": "embedded a", "e.css": "embedded only"})
	sources := []static.Source{
		{Name: "first", FS: embedded, Dir: first},
		{Name: "second", Dir: second},
		{Name: "third", FS: mapFS(map[string]string{"c.css": "embedded c"})},
	}
	prod := mustNew(t, static.Options{}, sources...)
	debug := mustNew(t, static.Options{Debug: true}, sources...)
	writeFile(t, filepath.Join(second, "late.css"), "second late")
	writeFile(t, filepath.Join(first, "late.css"), "first late")

	tests := []struct {
		s          *static.Server
		mode, path string
		code       int
		body       string
	}{
		{prod, "production", "/static/a.css", 200, "embedded a"},
		{prod, "production", "/static/e.css", 200, "embedded only"},
		{prod, "production", "/static/b.css", 200, "disk b"},
		{prod, "production", "/static/c.css", 200, "embedded c"},
		{prod, "production", "/static/late.css", 404, ""},
		{debug, "debug", "/static/a.css", 200, "disk a"},
		{debug, "debug", "/static/e.css", 404, ""},
		{debug, "debug", "/static/b.css", 200, "disk b"},
		{debug, "debug", "/static/c.css", 200, "embedded c"},
		{debug, "debug", "/static/late.css", 200, "first late"},
	}
	for _, tt := range tests {
		t.Run(tt.mode+tt.path, func(t *testing.T) {
			w := do(tt.s, "GET", tt.path)
			if w.Code != tt.code || tt.code == http.StatusOK && w.Body.String() != tt.body {
				t.Errorf("GET %s = %d %q; want %d %q", tt.path, w.Code, w.Body, tt.code, tt.body)
			}
		})
	}
}

// TestDebugRelativeDir checks that a relative Dir keeps meaning the
// directory it meant when New ran.
func TestDebugRelativeDir(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, filepath.Join("assets", "a.css"), "a")
	s := mustNew(t, static.Options{Debug: true}, static.Source{Name: "app", Dir: "assets"})
	t.Chdir(t.TempDir())
	if w := do(s, "GET", "/static/a.css"); w.Code != http.StatusOK || w.Body.String() != "a" {
		t.Errorf("GET after changing directory = %d %q; want 200 %q", w.Code, w.Body, "a")
	}
}
