package anode_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func staticModule(dir string) anode.Module {
	return anode.Module{
		Name: "site",
		Static: fstest.MapFS{
			"css/site.css":    {Data: []byte("body{color:red}")},
			"css/site.css.gz": {Data: gzipped("body{color:red} /* the gzip variant */")},
			".secret":         {Data: []byte("dotfile")},
		},
		StaticDir: dir,
	}
}

func TestStaticThroughApp(t *testing.T) {
	app := anodetest.NewApp(t, staticModule(""), anode.Module{Name: "theme", Static: fstest.MapFS{
		"css/site.css": {Data: []byte("overridden by site")},
		"img/logo.svg": {Data: []byte("<svg/>")},
	}})
	c := anodetest.NewClient(t, app)
	u, err := app.StaticURL("css/site.css")
	if err != nil || !regexp.MustCompile(`^/static/css/site\.[0-9a-f]{8}\.css$`).MatchString(u) {
		t.Fatalf("StaticURL = %q, %v", u, err)
	}
	c.Get(u).AssertStatus(200).
		AssertHeader("Cache-Control", "public, max-age=31536000, immutable").
		AssertHeader("Content-Type", "text/css; charset=utf-8").
		AssertContains("body{color:red}") // the first installed module wins
	etag := c.Get(u).Header.Get("ETag")
	c.Request("GET", u, nil, http.Header{"If-None-Match": {etag}}).AssertStatus(http.StatusNotModified)
	c.Request("GET", u, nil, http.Header{"Accept-Encoding": {"gzip"}}).AssertHeader("Content-Encoding", "gzip").
		AssertContains("\x1f\x8b") // the precompressed file's bytes, as they are
	c.Get("/static/img/logo.svg").AssertStatus(200).AssertContains("<svg/>")
	if _, err := app.StaticURL("nope.css"); err == nil {
		t.Fatal("StaticURL of a missing file must fail")
	}

	// Path traversal and hidden files through the whole stack: never served,
	// answered by the App's 404 page.
	for _, p := range []string{
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/css/..%2f..%2fgo.mod",
		"/static/.secret", "/static/css/", "/static/css%5csite.css", "/static//etc/passwd",
		"/static/css/site.00000000.css",
	} {
		res := c.Get(p)
		if res.StatusCode == 200 {
			t.Errorf("%s served: %q", p, res.Body)
		}
		res.AssertNotContains("module github.com")
	}
	c.Get("/static/.secret").AssertStatus(404).AssertText("Request ID")
	c.Request("POST", "/static/css/site.css", nil, nil).AssertStatus(405)
}

func TestStaticDebugServesFromDisk(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "css"), 0o755)
	os.WriteFile(filepath.Join(dir, "css", "site.css"), []byte("v1"), 0o644)
	cfg := anodetest.Config(t)
	cfg.Debug = true
	app := anodetest.NewAppConfig(t, cfg, staticModule(dir))
	c := anodetest.NewClient(t, app)
	u, _ := app.StaticURL("css/site.css")
	if u != "/static/css/site.css" {
		t.Fatalf("debug StaticURL = %q, want the unhashed URL", u)
	}
	c.Get(u).AssertStatus(200).AssertHeader("Cache-Control", "no-cache").AssertContains("v1")
	os.WriteFile(filepath.Join(dir, "css", "site.css"), []byte("v2"), 0o644)
	c.Get(u).AssertContains("v2")
}

func TestStaticURLWithoutStatic(t *testing.T) {
	app := anodetest.NewApp(t)
	if _, err := app.StaticURL("x.css"); err == nil || !strings.Contains(err.Error(), "x.css") {
		t.Fatalf("err = %v", err)
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}
