package static_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/anode-go/anode/internal/static"
)

// TestServeTraversal places a secret next to the served directory, adds
// symbolic links after New (New refuses escaping links it finds) and checks
// that no hostile path reaches it, in either mode.
func TestServeTraversal(t *testing.T) {
	const secret = "TOPSECRET"
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "secret.txt"), secret)
	writeFile(t, filepath.Join(root, "static-private", "key.txt"), secret)
	dir := filepath.Join(root, "static")
	writeDir(t, dir, map[string]string{
		"site.css":           siteCSS,
		"css/site.css":       siteCSS,
		".env":               secret,
		".git/config":        secret,
		"css/.hidden.css":    secret,
		"css/.private/a.css": secret,
	})
	if runtime.GOOS != "windows" {
		// Elsewhere a backslash is an ordinary character, but names must
		// mean the same on every system.
		writeFile(t, filepath.Join(dir, `back\slash.css`), secret)
	}
	srv := map[string]*static.Server{
		"production": mustNew(t, static.Options{}, static.Source{Name: "app", Dir: dir}),
		"debug":      mustNew(t, static.Options{Debug: true}, static.Source{Name: "app", Dir: dir}),
	}
	symlink(t, filepath.Join("..", "secret.txt"), filepath.Join(dir, "escape.txt"))
	symlink(t, filepath.Join(root, "secret.txt"), filepath.Join(dir, "absolute.txt"))
	symlink(t, "..", filepath.Join(dir, "up"))
	symlink(t, root, filepath.Join(dir, "css", "root"))
	symlink(t, filepath.Join("css", "site.css"), filepath.Join(dir, "inside.css"))

	// Decoded paths, as ServeHTTP finds them in r.URL.Path.
	hostile := []string{
		"/static/../secret.txt",
		"/static/css/../../secret.txt",
		"/static/css/../site.css",
		"/static/./site.css",
		"/static/../static-private/key.txt",
		"/static/..",
		"/static/...",
		"/static/..\\secret.txt",
		"/static/\\..\\secret.txt",
		"/static/css\\..\\..\\secret.txt",
		"/static/C:\\secret.txt",
		"/static/back\\slash.css",
		"/static//secret.txt",
		"/static/" + filepath.ToSlash(filepath.Join(root, "secret.txt")),
		"/static/" + filepath.ToSlash(filepath.Join(root, "secret.txt"))[1:],
		"/static/css//site.css",
		"/static/site.css\x00.png",
		"/static/site.css\x00",
		"/static/\x00",
		"/static/site.css/",
		"/static/site.css/.",
		"/static/css/",
		"/static/css",
		"/static/",
		"/static",
		"/staticsecret.txt",
		"/secret.txt",
		"/static/.env",
		"/static/.git/config",
		"/static/.git/",
		"/static/css/.hidden.css",
		"/static/css/.private/a.css",
		"/static/escape.txt",
		"/static/absolute.txt",
		"/static/up/secret.txt",
		"/static/up/static/site.css",
		"/static/css/root/secret.txt",
		"/static/css/root/static/.env",
		"/static/site\xff.css",
	}
	// Raw request targets, decoded by net/url as a server would.
	encoded := []string{
		"/static/%2e%2e/secret.txt",
		"/static/%2E%2E%2Fsecret.txt",
		"/static/..%2fsecret.txt",
		"/static/..%5csecret.txt",
		"/static/back%5cslash.css",
		"/static/%2e%2e%5csecret.txt",
		"/static/%252e%252e/secret.txt",
		"/static/%2fsecret.txt",
		"/static/site.css%00.png",
		"/static/%2eenv",
		"/static/css%2f..%2f..%2fsecret.txt",
		"/static/%c0%ae%c0%ae/secret.txt",
	}

	for mode, s := range srv {
		check := func(t *testing.T, w *httptest.ResponseRecorder) {
			t.Helper()
			if w.Code != http.StatusNotFound && w.Code != http.StatusBadRequest {
				t.Errorf("code = %d; want 404 or 400", w.Code)
			}
			if strings.Contains(w.Body.String(), secret) {
				t.Errorf("body leaks the secret: %q", w.Body)
			}
		}
		for _, path := range hostile {
			t.Run(mode+"/"+path, func(t *testing.T) {
				check(t, do(s, "GET", path))
			})
		}
		for _, target := range encoded {
			t.Run(mode+"/"+target, func(t *testing.T) {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
				check(t, w)
			})
		}

		// The fixture is served at all, so the 404s above mean something.
		want := []string{"/static/site.css", "/static/css/site.css"}
		if mode == "debug" {
			want = append(want, "/static/inside.css") // a link within Dir is fine
		}
		for _, path := range want {
			if w := do(s, "GET", path); w.Code != http.StatusOK || w.Body.String() != siteCSS {
				t.Errorf("%s: GET %s = %d %q; want 200 %q", mode, path, w.Code, w.Body, siteCSS)
			}
		}
		for _, name := range []string{"escape.txt", "../secret.txt", "up/secret.txt", ".env"} {
			if u, err := s.URL(name); err == nil {
				t.Errorf("%s: URL(%q) = %q; want an error", mode, name, u)
			}
		}
	}
}
