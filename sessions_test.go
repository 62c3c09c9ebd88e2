package anode_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/session"
)

func sessionConfig(t *testing.T, env map[string]string) anode.Config {
	env["ANODE_SECRET_KEY"] = "anodetest-secret-key-not-for-production-0123456789"
	env["ANODE_DATA_DIR"] = t.TempDir()
	env["ANODE_ALLOWED_HOSTS"] = "127.0.0.1,localhost,example.com" // example.com: httptest.NewRequest's host
	return anode.LoadConfig(env, "")
}

func TestSessionConfigErrors(t *testing.T) {
	for env, want := range map[string]string{
		"ANODE_SESSION_STORE=memcached":     "ANODE_SESSION_STORE",
		"ANODE_SESSION_IDLE_TIMEOUT=often":  "ANODE_SESSION_IDLE_TIMEOUT",
		"ANODE_SESSION_COOKIE_SECURE=maybe": "ANODE_SESSION_COOKIE_SECURE",
		"ANODE_SESSION_STORE=redis":         "ANODE_SESSION_REDIS_URL",
	} {
		k, v, _ := strings.Cut(env, "=")
		a := anode.New(sessionConfig(t, map[string]string{k: v}))
		if err := a.Start(context.Background()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Start error %v, want one naming %s", env, err, want)
		}
	}
}

// TestSessionsWithoutDatabase: an app with no database keeps sessions in
// a signed cookie, named and flagged by configuration.
func TestSessionsWithoutDatabase(t *testing.T) {
	a := anodetest.NewAppConfig(t, sessionConfig(t, map[string]string{
		"ANODE_SESSION_COOKIE_NAME": "sid", "ANODE_SESSION_COOKIE_SECURE": "true",
	}))
	if _, ok := a.Sessions().Store().(*session.CookieStore); !ok {
		t.Fatalf("store %T, want the cookie store", a.Sessions().Store())
	}
	for _, m := range a.Modules() {
		if m.Name == "sessions" {
			t.Fatal("the sessions module was installed without a database")
		}
	}
	a.Router().Get("/set", func(w http.ResponseWriter, r *http.Request) error {
		return session.Set(session.FromRequest(r), "k", "v")
	})
	c := anodetest.NewClient(t, a.Handler())
	res := c.Get("/set").AssertStatus(200)
	sc := res.Header.Get("Set-Cookie")
	for _, want := range []string{"sid=", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
}

func TestSessionsRedisByConfig(t *testing.T) {
	url := anodetest.Service(t, "ANODE_TEST_REDIS")
	a := anodetest.NewAppConfig(t, sessionConfig(t, map[string]string{
		"ANODE_SESSION_STORE": "redis", "ANODE_SESSION_REDIS_URL": url,
	}))
	if _, ok := a.Sessions().Store().(*session.RedisStore); !ok {
		t.Fatalf("store %T, want the Redis store", a.Sessions().Store())
	}
	a.Router().Get("/set", func(w http.ResponseWriter, r *http.Request) error {
		s := session.FromRequest(r)
		if err := session.Set(s, "k", "v"); err != nil {
			return err
		}
		w.Write([]byte(s.Key()))
		return nil
	})
	a.Router().Get("/get", func(w http.ResponseWriter, r *http.Request) error {
		v, _ := session.Get[string](session.FromRequest(r), "k")
		w.Write([]byte(v))
		return nil
	})
	c := anodetest.NewClient(t, a.Handler())
	key := c.Get("/set").Text()
	c.Get("/get").AssertText("v")

	// App.Close closes the store's Redis client.
	store, ctx := a.Sessions().Store(), context.Background()
	if err := store.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, key); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Load after App.Close: %v, want the client's closed error", err)
	}
}

// A Redis URL that does not parse stops start-up without showing it: it
// may hold a password.
func TestSessionsRedisURLNotShown(t *testing.T) {
	a := anode.New(sessionConfig(t, map[string]string{"ANODE_SESSION_STORE": "redis", "ANODE_SESSION_REDIS_URL": "redis://app:hunter2@cache:port/0"}))
	err := a.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ANODE_SESSION_REDIS_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Start: %v, want an error naming the variable without the password", err)
	}
}

func TestSessionDeployCheck(t *testing.T) {
	has := func(fs []anode.Finding) bool {
		for _, f := range fs {
			if f.ID == "anode.W020" {
				return true
			}
		}
		return false
	}
	a := anode.New(sessionConfig(t, map[string]string{}))
	if !has(a.RunChecks(context.Background(), true)) {
		t.Error("check --deploy: no anode.W020 without ANODE_SESSION_COOKIE_SECURE")
	}
	a = anode.New(sessionConfig(t, map[string]string{"ANODE_SESSION_COOKIE_SECURE": "true"}))
	if has(a.RunChecks(context.Background(), true)) {
		t.Error("check --deploy: anode.W020 with ANODE_SESSION_COOKIE_SECURE=true")
	}
}
