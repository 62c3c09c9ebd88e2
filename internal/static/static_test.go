package static_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode/internal/static"
)

const (
	siteCSS = "body { color: red }\n"
	appJS   = "console.log('app')\n"
	license = "MIT\n"
)

// files is the fixture most tests serve: assets, precompressed variants,
// hidden files and a standalone .gz that is an asset of its own.
var files = map[string]string{
	"css/site.css":       siteCSS,
	"css/site.css.br":    "fake-br-bytes",
	"css/site.css.gz":    "fake-gzip-bytes",
	"js/app.js":          appJS,
	"js/app.js.gz":       "fake-gzip-app",
	"LICENSE":            license,
	"img/my logo.png":    "\x89PNG\r\n\x1a\nfake",
	"archive.tar.gz":     "\x1f\x8bstandalone",
	".env":               "SECRET=1",
	".git/config":        "[core]",
	"css/.hidden.css":    "hidden",
	"css/vendor/.keep":   "",
	"css/vendor/lib.css": "lib",
}

// wantNames is what Names reports for files.
var wantNames = []string{"LICENSE", "archive.tar.gz", "css/site.css", "css/vendor/lib.css", "img/my logo.png", "js/app.js"}

func mapFS(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range m {
		fsys[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return fsys
}

// writeDir writes m below dir, creating it.
func writeDir(t testing.TB, dir string, m map[string]string) {
	t.Helper()
	for name, data := range m {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data)
	}
}

func writeFile(t testing.TB, file, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:8]
}

func etag(s string) string {
	sum := sha256.Sum256([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func mustNew(t testing.TB, o static.Options, sources ...static.Source) *static.Server {
	t.Helper()
	s, err := static.New(o, sources...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// do serves a request whose decoded path is path, so that tests control
// exactly what ServeHTTP sees; header holds name, value pairs.
func do(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	r.URL.Path = path
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// servers returns a production server over an fs.FS and a debug server over
// a directory, both holding m.
func servers(t *testing.T, m map[string]string) map[string]*static.Server {
	dir := t.TempDir()
	writeDir(t, dir, m)
	return map[string]*static.Server{
		"production": mustNew(t, static.Options{}, static.Source{Name: "app", FS: mapFS(m)}),
		"debug":      mustNew(t, static.Options{Debug: true}, static.Source{Name: "app", Dir: dir}),
	}
}

func TestURL(t *testing.T) {
	srv := servers(t, files)
	missing := []string{"missing.css", "css/site.css.gz", "css/site.css.br", ".env", "css/.hidden.css",
		"../css/site.css", "/css/site.css", "css//site.css", "css", "", ".", "css\\site.css"}
	tests := []struct {
		mode, name, want string
	}{
		{"production", "css/site.css", "/static/css/site." + hash(siteCSS) + ".css"},
		{"production", "js/app.js", "/static/js/app." + hash(appJS) + ".js"},
		{"production", "LICENSE", "/static/LICENSE." + hash(license)},
		{"production", "img/my logo.png", "/static/img/my%20logo." + hash(files["img/my logo.png"]) + ".png"},
		{"production", "archive.tar.gz", "/static/archive.tar." + hash(files["archive.tar.gz"]) + ".gz"},
		{"debug", "css/site.css", "/static/css/site.css"},
		{"debug", "LICENSE", "/static/LICENSE"},
		{"debug", "img/my logo.png", "/static/img/my%20logo.png"},
	}
	for _, mode := range []string{"production", "debug"} {
		for _, name := range missing {
			tests = append(tests, struct{ mode, name, want string }{mode, name, ""})
		}
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.name, func(t *testing.T) {
			got, err := srv[tt.mode].URL(tt.name)
			if tt.want == "" {
				if !errors.Is(err, static.ErrNotFound) || !strings.Contains(err.Error(), strconv.Quote(tt.name)) {
					t.Fatalf("URL(%q) = %q, %v; want error wrapping ErrNotFound naming the file", tt.name, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("URL(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
			// The URL must lead back to the file.
			if w := do(srv[tt.mode], "GET", mustUnescape(t, got)); w.Code != http.StatusOK || w.Body.String() != files[tt.name] {
				t.Errorf("GET %s = %d %q; want 200 %q", got, w.Code, w.Body, files[tt.name])
			}
		})
	}
}

func mustUnescape(t *testing.T, u string) string {
	r := httptest.NewRequest("GET", u, nil)
	return r.URL.Path
}

func TestPrefix(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"", "/static/"},
		{"/static/", "/static/"},
		{"assets", "/assets/"},
		{"/assets", "/assets/"},
		{"/a/b/", "/a/b/"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			s := mustNew(t, static.Options{Prefix: tt.prefix}, static.Source{Name: "app", FS: mapFS(files)})
			want := tt.want + "LICENSE." + hash(license)
			if got, err := s.URL("LICENSE"); err != nil || got != want {
				t.Fatalf("URL = %q, %v; want %q", got, err, want)
			}
			if w := do(s, "GET", want); w.Code != http.StatusOK {
				t.Errorf("GET %s = %d; want 200", want, w.Code)
			}
			if w := do(s, "GET", "/elsewhere/LICENSE"); w.Code != http.StatusNotFound {
				t.Errorf("GET outside the prefix = %d; want 404", w.Code)
			}
		})
	}
}

func TestPrecedence(t *testing.T) {
	app := map[string]string{"css/site.css": "app", "only-app.txt": "a"}
	blog := map[string]string{"css/site.css": "blog", "css/site.css.gz": "blog-gz", "only-blog.txt": "b"}
	theme := map[string]string{"css/site.css": "theme", "only-blog.txt": "t"}
	wantNames := []string{"css/site.css", "only-app.txt", "only-blog.txt"}
	wantOverridden := []string{"blog:css/site.css", "theme:css/site.css", "theme:only-blog.txt"}

	dirs := map[string]string{}
	for name, m := range map[string]map[string]string{"app": app, "blog": blog, "theme": theme} {
		dirs[name] = t.TempDir()
		writeDir(t, dirs[name], m)
	}
	tests := []struct {
		mode    string
		debug   bool
		sources []static.Source
	}{
		{"production", false, []static.Source{{Name: "app", FS: mapFS(app)}, {Name: "blog", FS: mapFS(blog)}, {Name: "theme", FS: mapFS(theme)}}},
		{"debug", true, []static.Source{{Name: "app", Dir: dirs["app"]}, {Name: "blog", Dir: dirs["blog"]}, {Name: "theme", Dir: dirs["theme"]}}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			s := mustNew(t, static.Options{Debug: tt.debug}, tt.sources...)
			if got := s.Names(); !slices.Equal(got, wantNames) {
				t.Errorf("Names() = %q; want %q", got, wantNames)
			}
			if got := s.Overridden(); !slices.Equal(got, wantOverridden) {
				t.Errorf("Overridden() = %q; want %q", got, wantOverridden)
			}
			for path, want := range map[string]string{"css/site.css": "app", "only-blog.txt": "b"} {
				w := do(s, "GET", "/static/"+path, "Accept-Encoding", "gzip")
				if w.Body.String() != want || w.Header().Get("Content-Encoding") != "" {
					t.Errorf("GET %s = %q, Content-Encoding %q; want %q unencoded (the gzip belongs to the shadowed file)",
						path, w.Body, w.Header().Get("Content-Encoding"), want)
				}
			}
		})
	}
}

func TestNames(t *testing.T) {
	for mode, s := range servers(t, files) {
		got := s.Names()
		if !slices.Equal(got, wantNames) {
			t.Errorf("%s: Names() = %q; want %q", mode, got, wantNames)
		}
		got[0] = "changed"
		if s.Names()[0] == "changed" {
			t.Errorf("%s: Names() shares its slice with the server", mode)
		}
		if got := s.Overridden(); got != nil {
			t.Errorf("%s: Overridden() = %q; want nil", mode, got)
		}
	}
}

// failFS fails to open one file.
type failFS struct {
	fsys fs.FS
	bad  string
}

var errBoom = errors.New("boom")

func (f failFS) Open(name string) (fs.File, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errBoom}
	}
	return f.fsys.Open(name)
}

func TestNewErrors(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.txt"), "TOPSECRET")
	escaping := filepath.Join(outside, "static")
	writeDir(t, escaping, map[string]string{"ok.css": "ok"})
	symlink(t, filepath.Join("..", "secret.txt"), filepath.Join(escaping, "leak.txt"))

	tests := []struct {
		name   string
		debug  bool
		source static.Source
		want   []string // substrings of the error
		is     error
	}{
		{"read failure", false, static.Source{Name: "blog", FS: failFS{mapFS(files), "js/app.js"}},
			[]string{`"blog"`, "js/app.js", "boom"}, errBoom},
		{"directory failure", true, static.Source{Name: "blog", FS: failFS{mapFS(files), "css/vendor"}},
			[]string{`"blog"`, "css/vendor", "boom"}, errBoom},
		{"no FS or Dir", false, static.Source{Name: "empty"}, []string{`"empty"`, "neither"}, nil},
		{"no FS or Dir, debug", true, static.Source{Name: "empty"}, []string{`"empty"`, "neither"}, nil},
		{"missing Dir", true, static.Source{Name: "gone", Dir: filepath.Join(outside, "nope")},
			[]string{`"gone"`, "nope"}, fs.ErrNotExist},
		{"missing Dir without FS", false, static.Source{Name: "gone", Dir: filepath.Join(outside, "nope")},
			[]string{`"gone"`}, fs.ErrNotExist},
		{"symlink out of Dir", false, static.Source{Name: "app", Dir: escaping}, []string{`"app"`, "leak.txt"}, nil},
		{"symlink out of Dir, debug", true, static.Source{Name: "app", Dir: escaping}, []string{`"app"`, "leak.txt"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := static.Source{Name: "first", FS: mapFS(map[string]string{"a.css": "a"})}
			s, err := static.New(static.Options{Debug: tt.debug}, ok, tt.source)
			if err == nil {
				t.Fatalf("New = %v, nil; want error", s)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if !strings.HasPrefix(err.Error(), "static: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
}

// TestNewSkipsHiddenDirs checks that New does not even read hidden
// directories such as .git, which may be large or unreadable.
func TestNewSkipsHiddenDirs(t *testing.T) {
	fsys := failFS{mapFS(map[string]string{".git/objects/x": "x", "a.css": "a"}), ".git"}
	for _, debug := range []bool{false, true} {
		s, err := static.New(static.Options{Debug: debug}, static.Source{Name: "app", FS: fsys})
		if err != nil {
			t.Fatalf("New(Debug: %v): %v", debug, err)
		}
		if got := s.Names(); !slices.Equal(got, []string{"a.css"}) {
			t.Errorf("Names() = %q; want [a.css]", got)
		}
	}
}
