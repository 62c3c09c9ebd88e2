package cache_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/cache"
	"github.com/anode-go/anode/session"
)

// counting returns a handler that counts its calls and lets set shape each
// response.
func counting(set func(w http.ResponseWriter, r *http.Request)) (http.Handler, *atomic.Int32) {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		if set != nil {
			set(w, r)
		}
		fmt.Fprintf(w, "call %d lang=%s", i, r.Header.Get("Accept-Language"))
	}), &n
}

func do(h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPageCachesGET(t *testing.T) {
	c := open(t, "memory://")
	h, calls := counting(nil)
	page := cache.Page(c, cache.PageOptions{TTL: time.Minute})(h)
	first := do(page, "GET", "/a?x=1")
	second := do(page, "GET", "/a?x=1")
	if calls.Load() != 1 || second.Body.String() != first.Body.String() || second.Header().Get("Content-Type") != "text/plain" {
		t.Fatalf("calls %d, first %q, second %q %v", calls.Load(), first.Body, second.Body, second.Header())
	}
	etag := second.Header().Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("cached page ETag %q", etag)
	}
	// If-None-Match by weak comparison: 304 without a body.
	nm := do(page, "GET", "/a?x=1", "If-None-Match", `"other", `+strings.TrimPrefix(etag, "W/"))
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("ETag") != etag {
		t.Fatalf("conditional hit: %d %q %v", nm.Code, nm.Body, nm.Header())
	}
	// Another query string, HEAD and POST each run the handler.
	do(page, "GET", "/a?x=2")
	do(page, "HEAD", "/a?x=1")
	do(page, "POST", "/a?x=1")
	do(page, "POST", "/a?x=1")
	if calls.Load() != 5 {
		t.Fatalf("calls %d, want 5", calls.Load())
	}
	if head := do(page, "HEAD", "/a?x=1"); calls.Load() != 5 || head.Body.Len() != 0 {
		t.Fatalf("HEAD not cached apart: %d %q", calls.Load(), head.Body)
	}
}

func TestPageRefuses(t *testing.T) {
	for name, set := range map[string]func(w http.ResponseWriter, r *http.Request){
		"cookie":    func(w http.ResponseWriter, r *http.Request) { http.SetCookie(w, &http.Cookie{Name: "a", Value: "b"}) },
		"private":   func(w http.ResponseWriter, r *http.Request) { cache.Private(w) },
		"never":     func(w http.ResponseWriter, r *http.Request) { cache.NeverCache(w) },
		"no-store":  func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Cache-Control", "no-store") },
		"max-age-0": func(w http.ResponseWriter, r *http.Request) { cache.MaxAge(w, 0) },
		"vary-star": func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Vary", "*") },
		"vary-cookie": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Accept-Encoding, cookie")
		},
		"404":      func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) },
		"streamed": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")); w.(http.Flusher).Flush() },
		"too-big":  func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2<<20)) },
	} {
		t.Run(name, func(t *testing.T) {
			h, calls := counting(set)
			page := cache.Page(open(t, "memory://"), cache.PageOptions{})(h)
			do(page, "GET", "/")
			do(page, "GET", "/")
			if calls.Load() != 2 {
				t.Fatalf("cached: calls %d", calls.Load())
			}
		})
	}
	t.Run("authorization", func(t *testing.T) {
		h, calls := counting(nil)
		page := cache.Page(open(t, "memory://"), cache.PageOptions{})(h)
		do(page, "GET", "/", "Authorization", "Bearer x")
		do(page, "GET", "/", "Authorization", "Bearer y")
		if calls.Load() != 2 {
			t.Fatalf("calls %d", calls.Load())
		}
	})
}

func TestPageVary(t *testing.T) {
	h, calls := counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Language")
		cache.MaxAge(w, time.Minute)
	})
	page := cache.Page(open(t, "memory://"), cache.PageOptions{})(h)
	en := do(page, "GET", "/", "Accept-Language", "en").Body.String()
	fr := do(page, "GET", "/", "Accept-Language", "fr").Body.String()
	if got := do(page, "GET", "/", "Accept-Language", "en").Body.String(); got != en || calls.Load() != 2 {
		t.Fatalf("en again %q (calls %d)", got, calls.Load())
	}
	if got := do(page, "GET", "/", "Accept-Language", "fr").Body.String(); got != fr || calls.Load() != 2 {
		t.Fatalf("fr again %q", got)
	}

	// Vary: Cookie with VaryOnCookie: one copy per cookie.
	h, calls = counting(func(w http.ResponseWriter, r *http.Request) { w.Header().Add("Vary", "Cookie") })
	page = cache.Page(open(t, "memory://"), cache.PageOptions{VaryOnCookie: true})(h)
	a := do(page, "GET", "/", "Cookie", "s=a").Body.String()
	do(page, "GET", "/", "Cookie", "s=b")
	if got := do(page, "GET", "/", "Cookie", "s=a").Body.String(); got != a || calls.Load() != 2 {
		t.Fatalf("per-cookie copy: %q calls %d", got, calls.Load())
	}
}

// TestPageSkipsSessionPages: inside an App, a view that used the session
// (the App adds Vary: Cookie and the cookie) is not cached; one that did
// not is.
func TestPageSkipsSessionPages(t *testing.T) {
	var calls atomic.Int32
	app := anodetest.NewApp(t, anode.Module{Name: "p", Routes: func(r *anode.Router) {
		g := r.Group("", nil)
		g.Use(cache.Page(open(t, "memory://"), cache.PageOptions{TTL: time.Minute}))
		g.Get("/plain/", func(w http.ResponseWriter, r *http.Request) error {
			calls.Add(1)
			_, err := w.Write([]byte("plain"))
			return err
		})
		g.Get("/session/", func(w http.ResponseWriter, r *http.Request) error {
			calls.Add(1)
			if err := session.Set(session.FromRequest(r), "seen", true); err != nil {
				return err
			}
			_, err := w.Write([]byte("hello visitor"))
			return err
		})
	}})
	cl := anodetest.NewClient(t, app)
	cl.Get("/plain/").AssertStatus(200)
	cl.Get("/plain/").AssertStatus(200)
	if calls.Load() != 1 {
		t.Fatalf("plain page: calls %d", calls.Load())
	}
	cl.Get("/session/").AssertStatus(200)
	anodetest.NewClient(t, app).Get("/session/").AssertStatus(200)
	if calls.Load() != 3 {
		t.Fatalf("session page cached: calls %d", calls.Load())
	}
}

func TestConditionalGet(t *testing.T) {
	lm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := cache.ConditionalGet(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lm" {
			w.Header().Set("Last-Modified", lm.Format(http.TimeFormat))
		}
		w.Write([]byte("body"))
	}))
	first := do(h, "GET", "/")
	etag := first.Header().Get("ETag")
	if first.Code != 200 || first.Body.String() != "body" || etag == "" {
		t.Fatalf("first: %d %q %q", first.Code, first.Body, etag)
	}
	for _, inm := range []string{etag, strings.TrimPrefix(etag, "W/"), `"x", ` + etag, "*"} {
		if w := do(h, "GET", "/", "If-None-Match", inm); w.Code != 304 || w.Body.Len() != 0 {
			t.Fatalf("If-None-Match %s: %d %q", inm, w.Code, w.Body)
		}
	}
	if w := do(h, "GET", "/", "If-None-Match", `"stale"`); w.Code != 200 || w.Body.String() != "body" {
		t.Fatalf("stale tag: %d", w.Code)
	}
	if w := do(h, "GET", "/lm", "If-Modified-Since", lm.Format(http.TimeFormat)); w.Code != 304 {
		t.Fatalf("If-Modified-Since equal: %d", w.Code)
	}
	if w := do(h, "GET", "/lm", "If-Modified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)); w.Code != 200 {
		t.Fatalf("If-Modified-Since older: %d", w.Code)
	}
	if w := do(h, "POST", "/", "If-None-Match", "*"); w.Code != 200 {
		t.Fatalf("POST: %d", w.Code)
	}
}

func TestCheckNotModified(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cache.CheckNotModified(w, r, "v7", time.Time{}) {
			return
		}
		w.Write([]byte("expensive"))
	})
	if w := do(h, "GET", "/"); w.Code != 200 || w.Header().Get("ETag") != `"v7"` {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	if w := do(h, "GET", "/", "If-None-Match", `W/"v7"`); w.Code != 304 {
		t.Fatalf("%d", w.Code)
	}
}

func TestCacheControlHelpers(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("Cache-Control", "public, max-age=10")
	cache.MaxAge(w, time.Hour)
	cache.Private(w)
	if got := w.Header().Get("Cache-Control"); got != "max-age=3600, private" {
		t.Fatalf("Cache-Control %q", got)
	}
	cache.NeverCache(w)
	if got := w.Header().Get("Cache-Control"); !strings.Contains(got, "no-store") || w.Header().Get("Expires") == "" {
		t.Fatalf("NeverCache: %v", w.Header())
	}
}
