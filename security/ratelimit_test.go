package security_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/security"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

func get(h http.Handler, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler(t *testing.T) {
	clk := &clock{t: base}
	l := &security.RateLimiter{Policy: security.Policy{Limit: 2, Window: time.Minute}, Now: clk.Now}
	h := l.Handler(ok)
	for i := range 2 {
		w := get(h, "192.0.2.1:1234")
		if w.Code != 200 || w.Header().Get("RateLimit-Limit") != "2" || w.Header().Get("RateLimit-Remaining") != "1"[:1-i]+strings.Repeat("0", i) || w.Header().Get("RateLimit-Reset") != "60" {
			t.Fatalf("request %d: %d %v", i, w.Code, w.Header())
		}
	}
	clk.Add(30*time.Second + 400*time.Millisecond)
	w := get(h, "192.0.2.1:1234")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("3rd: %d", w.Code)
	}
	// 29.6s to the next window, then 2*(1-e/60s)+1 <= 2 at e=30s: 59.6s, rounded up.
	if got := w.Header().Get("Retry-After"); got != "60" {
		t.Fatalf("Retry-After %q, want 60", got)
	}
	if w.Header().Get("RateLimit-Remaining") != "0" || !strings.Contains(w.Body.String(), "Too many requests") {
		t.Fatalf("refusal: %v %q", w.Header(), w.Body)
	}
	// Another client is not affected; IPv6 clients are keyed by /64.
	if w := get(h, "192.0.2.2:1"); w.Code != 200 {
		t.Fatalf("other client: %d", w.Code)
	}
	get(h, "[2001:db8::1]:1")
	get(h, "[2001:db8::2]:1")
	if w := get(h, "[2001:db8::3]:1"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("third address of one /64: %d, want 429", w.Code)
	}
	if w := get(h, "[2001:db8:0:1::1]:1"); w.Code != 200 {
		t.Fatalf("another /64: %d", w.Code)
	}
}

func TestHandlerKeyAndOptions(t *testing.T) {
	var gotErr error
	l := &security.RateLimiter{
		Policy:      security.Policy{Algorithm: security.TokenBucket, Limit: 1, Window: time.Hour},
		Key:         func(r *http.Request) string { return r.Header.Get("X-Tenant") },
		HideHeaders: true,
		OnLimit: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(http.StatusTeapot)
		},
	}
	h := l.Handler(ok)
	req := func(tenant string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Tenant", tenant)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := req("a"); w.Code != 200 || w.Header().Get("RateLimit-Limit") != "" {
		t.Fatalf("first: %d %v", w.Code, w.Header())
	}
	w := req("a")
	if w.Code != http.StatusTeapot || w.Header().Get("Retry-After") != "3600" {
		t.Fatalf("second: %d %v", w.Code, w.Header())
	}
	var rle *security.RateLimitError
	if !errors.As(gotErr, &rle) || !errors.Is(gotErr, security.ErrRateLimited) || rle.HTTPStatus() != 429 {
		t.Fatalf("OnLimit got %v", gotErr)
	}
	// "" exempts the request.
	for range 3 {
		if w := req(""); w.Code != 200 {
			t.Fatalf("exempt request: %d", w.Code)
		}
	}
}

// failingStore fails every call.
type failingStore struct{}

func (failingStore) Take(context.Context, string, security.Policy, time.Time) (security.Decision, error) {
	return security.Decision{}, errors.New("store down")
}
func (failingStore) Reset(context.Context, string) error { return errors.New("store down") }

func TestStoreFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store security.LimitStore
	}{
		{"failing", failingStore{}},
		{"unreachable redis", unreachableRedis(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			open := &security.RateLimiter{Store: tc.store, Logger: logger}
			h := open.Handler(ok)
			start := time.Now()
			for i := range 5 {
				if w := get(h, "192.0.2.1:1"); w.Code != 200 {
					t.Fatalf("fail-open request %d: %d", i, w.Code)
				}
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("5 requests took %v with the store down", d)
			}
			if n := strings.Count(logs.String(), "rate limit store unavailable"); n != 1 {
				t.Fatalf("logged %d times, want once per interval:\n%s", n, &logs)
			}
			closed := &security.RateLimiter{Store: tc.store, Logger: logger, FailClosed: true}
			w := get(closed.Handler(ok), "192.0.2.1:1")
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
				t.Fatalf("fail-closed: %d %v", w.Code, w.Header())
			}
			if strings.Contains(w.Body.String(), "down") || strings.Contains(w.Body.String(), "127.0.0.1") {
				t.Fatalf("the response leaks the store error: %q", w.Body)
			}
		})
	}
}

// closedAddr returns a local address nothing listens on.
func closedAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func unreachableRedis(t *testing.T) security.LimitStore {
	s, err := security.OpenRedisLimitStore("redis://"+closedAddr(t)+"/0", security.RedisLimitOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int64{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, time.Minute: 60} {
		if got := security.RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

// TestHandlerConcurrent checks under -race that concurrent requests for
// one key never admit more than the limit.
func TestHandlerConcurrent(t *testing.T) {
	l := &security.RateLimiter{Policy: security.Policy{Algorithm: security.TokenBucket, Limit: 50, Window: time.Hour}}
	h := l.Handler(ok)
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				if get(h, "192.0.2.9:1").Code == 200 {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d of 200 concurrent requests allowed, want exactly 50", allowed)
	}
}

func TestRetryAfterText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1 second", 300 * time.Millisecond: "1 second", time.Second: "1 second",
		1001 * time.Millisecond: "2 seconds", 45 * time.Second: "45 seconds",
		119 * time.Second: "119 seconds", 120 * time.Second: "2 minutes", 121 * time.Second: "3 minutes",
		15 * time.Minute: "15 minutes",
	} {
		if got := security.RetryAfterText(d); got != want {
			t.Errorf("RetryAfterText(%v) = %q, want %q", d, got, want)
		}
	}
}
