package anode_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/security"
)

// limitedApp is an App whose every request goes through l.
func limitedApp(t *testing.T, env map[string]string, l func(app *anode.App) *security.RateLimiter) *anode.App {
	a := anode.New(sessionConfig(t, env))
	a.SetLogOutput(io.Discard)
	a.Use(l(a).Handler)
	a.Router().Get("/", func(w http.ResponseWriter, r *http.Request) error {
		w.Write([]byte("ok"))
		return nil
	})
	t.Cleanup(func() { a.Close() })
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRateLimitAcrossInstances is the bar: two Apps, each with its
// own Redis client (ANODE_RATELIMIT_URL), serving one client: the total
// allowed across both is the limit.
func TestRateLimitAcrossInstances(t *testing.T) {
	url := anodetest.Service(t, "ANODE_TEST_REDIS")
	name := randomName(t, url)
	for _, p := range []security.Policy{
		{Algorithm: security.TokenBucket, Limit: 10, Window: time.Hour},
		{Algorithm: security.SlidingWindow, Limit: 10, Window: time.Hour},
	} {
		t.Run(p.Algorithm.String(), func(t *testing.T) {
			var servers [2]*anodetest.Client
			for i := range servers {
				a := limitedApp(t, map[string]string{"ANODE_RATELIMIT_URL": url}, func(app *anode.App) *security.RateLimiter {
					if _, ok := app.RateLimitStore().(*security.RedisLimitStore); !ok {
						t.Fatalf("store %T, want Redis", app.RateLimitStore())
					}
					return &security.RateLimiter{Policy: p, Store: app.RateLimitStore(), Name: name + p.Algorithm.String()}
				})
				servers[i] = anodetest.NewClient(t, a.Handler())
			}
			allowed := 0
			for i := range 30 {
				res := servers[i%2].Get("/")
				switch res.StatusCode {
				case 200:
					allowed++
				case 429:
					if res.Header.Get("Retry-After") == "" {
						t.Fatal("429 without Retry-After")
					}
				default:
					t.Fatalf("request %d: status %d", i, res.StatusCode)
				}
			}
			if allowed != 10 {
				t.Fatalf("%d of 30 requests allowed across two instances, want 10", allowed)
			}
		})
	}
}

// randomName returns a limiter name of the test's own and deletes its
// keys when the test ends.
func randomName(t *testing.T, url string) string {
	b := make([]byte, 6)
	rand.Read(b)
	name := "anode-test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		opts, _ := redis.ParseURL(url)
		c := redis.NewClient(opts)
		defer c.Close()
		ctx := context.Background()
		if keys, _ := c.Keys(ctx, "anode:ratelimit:"+name+"*").Result(); len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return name
}

// TestRateLimitRendered checks the App's part: the refusal goes through
// the error renderer (JSON here), and the key is anode.ClientIP, which
// believes X-Forwarded-For only from a trusted proxy.
func TestRateLimitRendered(t *testing.T) {
	a := limitedApp(t, map[string]string{"ANODE_TRUSTED_PROXIES": "192.0.2.0/24"}, func(app *anode.App) *security.RateLimiter {
		if _, ok := app.RateLimitStore().(*security.MemoryLimitStore); !ok {
			t.Fatalf("store %T, want memory", app.RateLimitStore())
		}
		return &security.RateLimiter{Policy: security.Policy{Limit: 1}, Store: app.RateLimitStore()}
	})
	h := a.Handler()
	send := func(peer, xff string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer + ":1234"
		r.Header.Set("Accept", "application/json")
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := send("192.0.2.1", "203.0.113.7"); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	w := send("192.0.2.2", "203.0.113.7") // another proxy, same client
	if w.Code != 429 || w.Header().Get("Retry-After") == "" || w.Header().Get("Content-Type") != "application/json" ||
		!strings.Contains(w.Body.String(), "Too many requests") || !strings.Contains(w.Body.String(), `"request_id"`) {
		t.Fatalf("second: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// An untrusted peer's X-Forwarded-For is ignored: it is its own client.
	if w := send("198.51.100.1", "203.0.113.7"); w.Code != 200 {
		t.Fatalf("untrusted peer claiming the client's address: %d", w.Code)
	}
	if w := send("198.51.100.1", "203.0.113.8"); w.Code != 429 {
		t.Fatalf("untrusted peer forging another address: %d, want 429", w.Code)
	}
}

func TestRateLimitConfig(t *testing.T) {
	for env, bad := range map[string]bool{
		"ANODE_RATELIMIT_URL=memcached://x":           true,
		"ANODE_RATELIMIT_URL=redis://:pw@host:99999x": true,
		"ANODE_RATELIMIT_URL=memory://":               false,
		"ANODE_CACHE_URL=redis://127.0.0.1:1/0":       false,
	} {
		k, v, _ := strings.Cut(env, "=")
		cfg := sessionConfig(t, map[string]string{k: v})
		a := anode.New(cfg)
		err := a.Start(context.Background())
		if (err != nil) != bad {
			t.Errorf("%s: Start error %v, want error %v", env, err, bad)
		}
		if err != nil && (!strings.Contains(err.Error(), "ANODE_RATELIMIT_URL") || strings.Contains(err.Error(), "pw")) {
			t.Errorf("%s: error %q should name the variable and hide the value", env, err)
		}
		if k == "ANODE_CACHE_URL" {
			if _, ok := a.RateLimitStore().(*security.RedisLimitStore); !ok {
				t.Errorf("with a redis:// ANODE_CACHE_URL the store is %T", a.RateLimitStore())
			}
		}
		a.Close()
	}
}
