package anode_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/cache"
	"github.com/anode-go/anode/render"
	"github.com/anode-go/anode/session"
)

func TestCacheFromConfig(t *testing.T) {
	cfg := anode.LoadConfig(map[string]string{
		"ANODE_SECRET_KEY":         strings.Repeat("k", 40),
		"ANODE_CACHE_URL":          "memory://?size=1MB&prefix=site",
		"ANODE_CACHE_SESSIONS_URL": "dummy://",
	}, "")
	if cfg.Caches["sessions"] != "dummy://" {
		t.Fatalf("Caches = %v", cfg.Caches)
	}
	app := anode.New(cfg)
	defer app.Close()
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := cache.Set(ctx, app.Cache(), "k", "v", cache.DefaultTTL); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := cache.Get[string](ctx, app.Cache(), "k"); !ok || v != "v" {
		t.Fatalf("default cache: %q %v", v, ok)
	}
	if _, ok := app.NamedCache("sessions").Store().(cache.DummyStore); !ok {
		t.Fatalf("sessions cache store = %T", app.NamedCache("sessions").Store())
	}
	if app.NamedCache("default") != app.Cache() || app.NamedCache("nope") != nil {
		t.Fatal("NamedCache lookups")
	}
}

func TestCacheURLErrorNamesTheVariable(t *testing.T) {
	for env, want := range map[string]string{
		"ANODE_CACHE_URL":       "anode: ANODE_CACHE_URL=\"mongo://x\": unknown scheme",
		"ANODE_CACHE_PAGES_URL": "anode: ANODE_CACHE_PAGES_URL=\"mongo://x\": unknown scheme",
	} {
		cfg := anode.LoadConfig(map[string]string{"ANODE_SECRET_KEY": strings.Repeat("k", 40), env: "mongo://x"}, "")
		app := anode.New(cfg)
		err := app.Start(context.Background())
		app.Close()
		var ce *anode.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", env, err)
		}
	}
	// The password of a bad URL is not shown.
	cfg := anode.LoadConfig(map[string]string{"ANODE_SECRET_KEY": strings.Repeat("k", 40), "ANODE_CACHE_URL": "redis://u:hunter2@h:1/0?bogus=1"}, "")
	app := anode.New(cfg)
	err := app.Start(context.Background())
	app.Close()
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad redis URL: %v", err)
	}
}

func TestCacheReachesHandlers(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "c", Routes: func(r *anode.Router) {
		r.Get("/count/", func(w http.ResponseWriter, r *http.Request) error {
			c := anode.FromContext(r.Context()).Cache()
			n, err := c.Incr(r.Context(), "hits", 1, cache.DefaultTTL)
			if err != nil {
				return err
			}
			_, err = w.Write([]byte(strings.Repeat("x", int(n))))
			return err
		})
	}})
	cl := anodetest.NewClient(t, app)
	cl.Get("/count/")
	if body := cl.Get("/count/").AssertStatus(200).Body; string(body) != "xx" {
		t.Fatalf("body %q", body)
	}
}

func TestTemplateFragmentsUseTheAppCache(t *testing.T) {
	var n int
	app := anodetest.NewApp(t, anode.Module{Name: "f",
		Templates: fstest.MapFS{"p.html": {Data: []byte(`{{define "n"}}n={{.Data}}{{end}}{{$.Cache "n" "1m" $}}`)}},
		Routes: func(r *anode.Router) {
			r.Get("/", func(w http.ResponseWriter, r *http.Request) error {
				n++
				return anode.FromContext(r.Context()).Render(w, r, "p.html", n)
			})
		}})
	cl := anodetest.NewClient(t, app)
	cl.Get("/").AssertStatus(200)
	if body := string(cl.Get("/").AssertStatus(200).Body); body != "n=1" {
		t.Fatalf("second render %q", body)
	}
	if err := app.Cache().Delete(context.Background(), render.FragmentKey("n")); err != nil {
		t.Fatal(err)
	}
	if body := string(cl.Get("/").AssertStatus(200).Body); body != "n=3" {
		t.Fatalf("after Delete %q", body)
	}
}

func TestSessionsInTheCache(t *testing.T) {
	a := anodetest.NewAppConfig(t, sessionConfig(t, map[string]string{
		"ANODE_SESSION_STORE": "cache", "ANODE_SESSION_CACHE": "sessions", "ANODE_CACHE_SESSIONS_URL": "memory://",
	}))
	if _, ok := a.Sessions().Store().(*session.CacheStore); !ok {
		t.Fatalf("store %T, want the cache store", a.Sessions().Store())
	}
	a.Router().Get("/set", func(w http.ResponseWriter, r *http.Request) error {
		return session.Set(session.FromRequest(r), "k", "v")
	})
	a.Router().Get("/get", func(w http.ResponseWriter, r *http.Request) error {
		v, _ := session.Get[string](session.FromRequest(r), "k")
		_, err := w.Write([]byte(v))
		return err
	})
	c := anodetest.NewClient(t, a.Handler())
	c.Get("/set").AssertStatus(200)
	c.Get("/get").AssertText("v")
	if st := a.NamedCache("sessions").Stats(); st.Sets == 0 || st.Hits == 0 {
		t.Fatalf("sessions did not go through the sessions cache: %+v", st)
	}
	// An unknown cache name stops start-up.
	b := anode.New(sessionConfig(t, map[string]string{"ANODE_SESSION_STORE": "cache", "ANODE_SESSION_CACHE": "nope"}))
	defer b.Close()
	if err := b.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "ANODE_SESSION_CACHE") {
		t.Fatalf("unknown session cache: %v", err)
	}
}

// TestSiteWidePageCache: cache.Page around the whole router (Django's
// per-site middleware pair) caches pages, not 404s or POSTs, and keeps
// working behind the App's compression.
func TestSiteWidePageCache(t *testing.T) {
	var calls int
	cfg := anodetest.Config(t)
	app := anode.New(cfg)
	app.Use(cache.Page(app.Cache(), cache.PageOptions{TTL: time.Minute}))
	app.Install(anode.Module{Name: "site", Routes: func(r *anode.Router) {
		r.Get("/", func(w http.ResponseWriter, r *http.Request) error {
			calls++
			_, err := w.Write([]byte(strings.Repeat("home page ", 200)))
			return err
		})
		r.Post("/vote/", func(w http.ResponseWriter, r *http.Request) error { calls++; return nil })
	}})
	t.Cleanup(func() { app.Close() })
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	cl := anodetest.NewClient(t, app)
	for range 3 {
		cl.Get("/").AssertStatus(200).AssertText("home page")
		cl.Get("/missing/").AssertStatus(404)
	}
	cl.Post("/vote/", nil)
	cl.Post("/vote/", nil)
	if calls != 3 {
		t.Fatalf("handler calls %d, want 1 for the cached page and 2 for the POSTs", calls)
	}
	if st := app.Cache().Stats(); st.Hits == 0 {
		t.Fatalf("no hits: %+v", st)
	}
}
