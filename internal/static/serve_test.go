package static_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/internal/static"
)

const immutable = "public, max-age=31536000, immutable"

func TestServeCaching(t *testing.T) {
	s := servers(t, files)["production"]
	h := hash(siteCSS)
	tests := []struct {
		name, path string
		code       int
		cache      string
		body       string
	}{
		{"hashed", "/static/css/site." + h + ".css", 200, immutable, siteCSS},
		{"hashed without extension", "/static/LICENSE." + hash(license), 200, immutable, license},
		{"unhashed", "/static/css/site.css", 200, "no-cache", siteCSS},
		{"stale hash", "/static/css/site.0badc0de.css", 404, "", ""},
		{"hash of other file", "/static/css/site." + hash(appJS) + ".css", 404, "", ""},
		{"uppercase hash", "/static/css/site." + strings.ToUpper(h) + ".css", 404, "", ""},
		{"hashed missing file", "/static/css/gone." + h + ".css", 404, "", ""},
		{"hash twice", "/static/css/site." + h + "." + h + ".css", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, "GET", tt.path)
			if w.Code != tt.code || w.Header().Get("Cache-Control") != tt.cache {
				t.Fatalf("GET %s = %d, Cache-Control %q; want %d, %q", tt.path, w.Code, w.Header().Get("Cache-Control"), tt.code, tt.cache)
			}
			if tt.code == 200 && w.Body.String() != tt.body {
				t.Errorf("body = %q; want %q", w.Body, tt.body)
			}
		})
	}
}

func TestServeConditional(t *testing.T) {
	s := servers(t, files)["production"]
	tag := etag(siteCSS)
	tests := []struct {
		name   string
		header []string
		code   int
		body   string
	}{
		{"no validator", nil, 200, siteCSS},
		{"matching", []string{"If-None-Match", tag}, 304, ""},
		{"weak match", []string{"If-None-Match", "W/" + tag}, 304, ""},
		{"in a list", []string{"If-None-Match", `"x", ` + tag}, 304, ""},
		{"any", []string{"If-None-Match", "*"}, 304, ""},
		{"other", []string{"If-None-Match", `"x"`}, 200, siteCSS},
		{"short hash is not the ETag", []string{"If-None-Match", `"` + hash(siteCSS) + `"`}, 200, siteCSS},
		{"range", []string{"Range", "bytes=0-3"}, 206, siteCSS[:4]},
		{"range with current If-Range", []string{"Range", "bytes=0-3", "If-Range", tag}, 206, siteCSS[:4]},
		{"range with stale If-Range", []string{"Range", "bytes=0-3", "If-Range", `"x"`}, 200, siteCSS},
		{"unsatisfiable range", []string{"Range", "bytes=1000-"}, 416, ""},
		{"If-Match mismatch", []string{"If-Match", `"x"`}, 412, ""},
	}
	for _, path := range []string{"/static/css/site." + hash(siteCSS) + ".css", "/static/css/site.css"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				w := do(s, "GET", path, tt.header...)
				if w.Code != tt.code {
					t.Fatalf("code = %d; want %d", w.Code, tt.code)
				}
				if tt.body != "" && w.Body.String() != tt.body {
					t.Errorf("body = %q; want %q", w.Body, tt.body)
				}
				if w.Code < 400 && w.Header().Get("ETag") != tag {
					t.Errorf("ETag = %q; want %q", w.Header().Get("ETag"), tag)
				}
				if w.Code == 304 && w.Header().Get("Cache-Control") == "" {
					t.Error("304 lacks Cache-Control")
				}
				if w.Code == 416 && w.Header().Get("Cache-Control") != "" {
					t.Errorf("error response has Cache-Control %q", w.Header().Get("Cache-Control"))
				}
			})
		}
	}
}

func TestServeContentType(t *testing.T) {
	m := map[string]string{
		"a.css":    "body{}",
		"a.js":     "1",
		"a.mjs":    "export {}",
		"a.svg":    "<svg/>",
		"a.woff2":  "wOF2",
		"a.woff":   "wOFF",
		"a.js.map": `{"version":3}`,
		"a.json":   "{}",
		"a.wasm":   "\x00asm",
		"a.html":   "<p>hi</p>",
		"a.png":    "\x89PNG\r\n\x1a\n",
		"B.CSS":    "body{}",
		"a.xyz1":   "plain words",
		"a.xyz2":   "\x00\x01\x02binary",
	}
	want := map[string]string{
		"a.css":    "text/css; charset=utf-8",
		"a.js":     "text/javascript; charset=utf-8",
		"a.mjs":    "text/javascript; charset=utf-8",
		"a.svg":    "image/svg+xml",
		"a.woff2":  "font/woff2",
		"a.woff":   "font/woff",
		"a.js.map": "application/json",
		"a.json":   "application/json",
		"a.wasm":   "application/wasm",
		"a.html":   "text/html; charset=utf-8",
		"a.png":    "image/png",
		"B.CSS":    "text/css; charset=utf-8",
		"a.xyz1":   "text/plain; charset=utf-8",
		"a.xyz2":   "application/octet-stream",
	}
	for mode, s := range servers(t, m) {
		for name, ctype := range want {
			t.Run(mode+"/"+name, func(t *testing.T) {
				w := do(s, "GET", "/static/"+name)
				if w.Code != 200 || w.Header().Get("Content-Type") != ctype {
					t.Errorf("GET %s = %d, Content-Type %q; want 200, %q", name, w.Code, w.Header().Get("Content-Type"), ctype)
				}
				if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q; want nosniff", got)
				}
			})
		}
	}
}

func TestServePrecompressed(t *testing.T) {
	s := servers(t, files)["production"]
	css := "/static/css/site." + hash(siteCSS) + ".css"
	js := "/static/js/app." + hash(appJS) + ".js"
	tests := []struct {
		path, accept string
		encoding     string // "" for identity
		body         string
	}{
		{css, "", "", siteCSS},
		{css, "identity", "", siteCSS},
		{css, "gzip", "gzip", files["css/site.css.gz"]},
		{css, "x-gzip", "gzip", files["css/site.css.gz"]},
		{css, "br", "br", files["css/site.css.br"]},
		{css, "gzip, deflate, br, zstd", "br", files["css/site.css.br"]},
		{css, "BR", "br", files["css/site.css.br"]},
		{css, "*", "br", files["css/site.css.br"]},
		{css, "br;q=0, gzip", "gzip", files["css/site.css.gz"]},
		{css, "br;q=0.5, gzip;q=0.9", "gzip", files["css/site.css.gz"]},
		{css, "br;q=0.9, gzip;q=0.9", "br", files["css/site.css.br"]},
		{css, "*;q=0, gzip", "gzip", files["css/site.css.gz"]},
		{css, "*, br;q=0, gzip;q=0", "", siteCSS},
		{css, "gzip;q=bogus", "", siteCSS},
		{css, "deflate", "", siteCSS},
		{"/static/css/site.css", "br", "br", files["css/site.css.br"]},
		{js, "br, gzip", "gzip", files["js/app.js.gz"]},
		{js, "br", "", appJS},
	}
	etags := map[string]string{} // ETag -> body
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.accept, func(t *testing.T) {
			w := do(s, "GET", tt.path, "Accept-Encoding", tt.accept)
			if w.Code != 200 || w.Body.String() != tt.body || w.Header().Get("Content-Encoding") != tt.encoding {
				t.Fatalf("got %d %q, Content-Encoding %q; want 200 %q, %q",
					w.Code, w.Body, w.Header().Get("Content-Encoding"), tt.body, tt.encoding)
			}
			h := w.Header()
			if strings.HasPrefix(tt.path, "/static/css/") && h.Get("Content-Type") != "text/css; charset=utf-8" ||
				strings.HasPrefix(tt.path, "/static/js/") && h.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Errorf("Content-Type = %q; want the original's", h.Get("Content-Type"))
			}
			if h.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary = %q; want Accept-Encoding", h.Get("Vary"))
			}
			if h.Get("ETag") != etag(tt.body) {
				t.Errorf("ETag = %q; want %q", h.Get("ETag"), etag(tt.body))
			}
			if strings.Contains(tt.path, hash(siteCSS)) && h.Get("Cache-Control") != immutable {
				t.Errorf("Cache-Control = %q; want %q", h.Get("Cache-Control"), immutable)
			}
			etags[h.Get("ETag")] = tt.body
		})
	}
	if len(etags) != 5 {
		t.Errorf("got %d distinct ETags for 5 representations: %q", len(etags), etags)
	}

	// A validator of one encoding does not match another.
	br := etag(files["css/site.css.br"])
	if w := do(s, "GET", css, "Accept-Encoding", "br", "If-None-Match", br); w.Code != 304 || w.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("revalidating br = %d, Vary %q; want 304, Accept-Encoding", w.Code, w.Header().Get("Vary"))
	}
	if w := do(s, "GET", css, "If-None-Match", br); w.Code != 200 || w.Body.String() != siteCSS {
		t.Errorf("br ETag without Accept-Encoding = %d %q; want 200 %q", w.Code, w.Body, siteCSS)
	}
}

func TestServeVariantsAreNotAssets(t *testing.T) {
	for mode, s := range servers(t, files) {
		tests := []struct {
			path string
			code int
			vary string
		}{
			{"/static/css/site.css.gz", 404, ""},
			{"/static/css/site.css.br", 404, ""},
			{"/static/js/app.js.gz", 404, ""},
			{"/static/archive.tar.gz", 200, ""},
			{"/static/LICENSE", 200, ""},
		}
		for _, tt := range tests {
			t.Run(mode+tt.path, func(t *testing.T) {
				w := do(s, "GET", tt.path, "Accept-Encoding", "gzip, br")
				if w.Code != tt.code || w.Header().Get("Vary") != tt.vary || w.Header().Get("Content-Encoding") != "" {
					t.Errorf("got %d, Vary %q, Content-Encoding %q; want %d, %q, none",
						w.Code, w.Header().Get("Vary"), w.Header().Get("Content-Encoding"), tt.code, tt.vary)
				}
			})
		}
	}
}

func TestServeMethods(t *testing.T) {
	for mode, s := range servers(t, files) {
		tests := []struct {
			method string
			code   int
			body   string
		}{
			{"GET", 200, siteCSS},
			{"HEAD", 200, ""},
			{"POST", 405, ""},
			{"PUT", 405, ""},
			{"DELETE", 405, ""},
			{"PATCH", 405, ""},
			{"OPTIONS", 405, ""},
			{"TRACE", 405, ""},
			{"get", 405, ""},
		}
		for _, tt := range tests {
			t.Run(mode+"/"+tt.method, func(t *testing.T) {
				w := do(s, tt.method, "/static/css/site.css")
				if w.Code != tt.code {
					t.Fatalf("code = %d; want %d", w.Code, tt.code)
				}
				if tt.code == 405 && w.Header().Get("Allow") != "GET, HEAD" {
					t.Errorf("Allow = %q; want %q", w.Header().Get("Allow"), "GET, HEAD")
				}
				if tt.body != "" && w.Body.String() != tt.body {
					t.Errorf("body = %q; want %q", w.Body, tt.body)
				}
				if tt.method == "HEAD" && (w.Body.Len() != 0 || w.Header().Get("Content-Length") != "20") {
					t.Errorf("HEAD body %q, Content-Length %q; want empty, 20", w.Body, w.Header().Get("Content-Length"))
				}
			})
		}
	}
}

// TestServeFromMemory checks that production serves what New read and hashed,
// whatever happens to the FS afterwards.
func TestServeFromMemory(t *testing.T) {
	fsys := mapFS(files)
	s := mustNew(t, static.Options{}, static.Source{Name: "app", FS: fsys})
	fsys["css/site.css"].Data = []byte("changed")
	delete(fsys, "js/app.js")
	fsys["new.css"] = fsys["css/site.css"]
	tests := []struct {
		path string
		code int
		body string
	}{
		{"/static/css/site." + hash(siteCSS) + ".css", 200, siteCSS},
		{"/static/css/site." + hash("changed") + ".css", 404, ""},
		{"/static/js/app.js", 200, appJS},
		{"/static/new.css", 404, ""},
	}
	for _, tt := range tests {
		if w := do(s, "GET", tt.path); w.Code != tt.code || tt.code == 200 && w.Body.String() != tt.body {
			t.Errorf("GET %s = %d %q; want %d %q", tt.path, w.Code, w.Body, tt.code, tt.body)
		}
	}
}

func TestServeConcurrent(t *testing.T) {
	for mode, s := range servers(t, files) {
		url, err := s.URL("css/site.css")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 50 {
					if w := do(s, "GET", url, "Accept-Encoding", "br"); w.Code != http.StatusOK {
						t.Errorf("%s: GET %s = %d", mode, url, w.Code)
						return
					}
					if _, err := s.URL("js/app.js"); err != nil {
						t.Errorf("%s: %v", mode, err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

// discard is a ResponseWriter that keeps nothing but headers.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkServeHashed(b *testing.B) {
	s := mustNew(b, static.Options{}, static.Source{Name: "app", FS: mapFS(files)})
	url, err := s.URL("css/site.css")
	if err != nil {
		b.Fatal(err)
	}
	r, _ := http.NewRequest("GET", url, nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		s.ServeHTTP(w, r)
	}
	if w.h.Get("Cache-Control") != immutable || w.h.Get("Content-Encoding") != "br" {
		b.Fatalf("headers = %v; want an immutable br response", w.h)
	}
}
