package session_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode/session"
)

// memStore is a Store in memory that counts its calls.
type memStore struct {
	mu    sync.Mutex
	m     map[string]session.Entry
	calls atomic.Int64
	now   func() time.Time
}

func newMemStore() *memStore { return &memStore{m: map[string]session.Entry{}, now: time.Now} }

func (s *memStore) Load(_ context.Context, key string) (session.Entry, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || !s.now().Before(e.Expiry) {
		return session.Entry{}, session.ErrNotFound
	}
	return e, nil
}

func (s *memStore) Save(_ context.Context, key string, e session.Entry) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = e
	return nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) DeleteUser(_ context.Context, userID, except string) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.m {
		if e.UserID == userID && k != except {
			delete(s.m, k)
		}
	}
	return nil
}

// has reports whether the session whose cookie carries key is stored
// (under the hash of key).
func (s *memStore) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[session.StoreKey(key)]
	return ok
}

// TestKeysHashedAtRest: the store never sees a session key, only its
// SHA-256, so a copy of the store cannot be replayed as cookies.
func TestKeysHashedAtRest(t *testing.T) {
	store := newMemStore()
	b := &browser{t: t, h: app(newManager(store, nil)), name: "sessionid"}
	b.do("/login?user=1")
	store.mu.Lock()
	var stored []string
	for k := range store.m {
		stored = append(stored, k)
	}
	store.mu.Unlock()
	if len(stored) != 1 || stored[0] == b.cookie || stored[0] != session.StoreKey(b.cookie) {
		t.Fatalf("stored under %q for the cookie %q", stored, b.cookie)
	}
	sum := sha256.Sum256([]byte(b.cookie))
	if stored[0] != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("stored under %q, not the SHA-256 of the key", stored[0])
	}
	// Presenting the stored value as a cookie finds nothing.
	replay := &browser{t: t, h: b.h, name: "sessionid", cookie: stored[0]}
	if got := replay.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("the stored key replayed as a cookie: %q", got)
	}
}

// clock is an adjustable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// browser drives a handler with one cookie, like a browser.
type browser struct {
	t      *testing.T
	h      http.Handler
	name   string
	cookie string
	https  bool
}

func (b *browser) do(path string) *http.Response {
	b.t.Helper()
	r := httptest.NewRequest("GET", "http://example.com"+path, nil)
	if b.https {
		r = httptest.NewRequest("GET", "https://example.com"+path, nil)
	}
	if b.cookie != "" {
		r.AddCookie(&http.Cookie{Name: b.name, Value: b.cookie})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	res := w.Result()
	for _, c := range res.Cookies() {
		if c.Name == b.name {
			b.cookie = c.Value
			if c.MaxAge < 0 {
				b.cookie = ""
			}
		}
	}
	return res
}

func (b *browser) body(path string) string {
	b.t.Helper()
	res := b.do(path)
	var sb strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

type cart struct {
	Items []string
	Total int
}

// app is a small site using sessions.
func app(m *session.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := session.Set(s, "cart", cart{Items: []string{"apple", "pear"}, Total: 3}); err != nil {
			http.Error(w, err.Error(), 500)
		}
		session.Set(s, "n", 7)
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		c, ok := session.Get[cart](s, "cart")
		n, _ := session.Get[int](s, "n")
		fmt.Fprintf(w, "%v %v %d", ok, c, n)
	})
	mux.HandleFunc("/pop", func(w http.ResponseWriter, r *http.Request) {
		n, ok := session.Pop[int](session.FromRequest(r), "n")
		fmt.Fprintf(w, "%v %d", ok, n)
	})
	mux.HandleFunc("/key", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, session.FromRequest(r).Key())
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Rotate(r.Context()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		s.SetUserID(r.URL.Query().Get("user"))
		session.Set(s, "logged_in", true)
		fmt.Fprint(w, s.Key())
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Flush(r.Context()); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	})
	return m.Middleware(mux)
}

func newManager(store session.Store, c *clock) *session.Manager {
	o := session.Options{Store: store, IdleTimeout: time.Hour, AbsoluteTimeout: 10 * time.Hour}
	if c != nil {
		o.Now = c.Now
	}
	return session.NewManager(o)
}

func TestRoundTrip(t *testing.T) {
	store := newMemStore()
	b := &browser{t: t, h: app(newManager(store, nil)), name: "sessionid"}
	res := b.do("/set")
	c := res.Cookies()
	if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Secure || c[0].MaxAge != 3600 {
		t.Fatalf("cookie: %+v", c)
	}
	if len(b.cookie) != 43 {
		t.Fatalf("key %q: want 43 base64url characters (256 bits)", b.cookie)
	}
	if got := b.body("/get"); got != "true {[apple pear] 3} 7" {
		t.Fatalf("get: %q", got)
	}
	if got := b.body("/pop"); got != "true 7" {
		t.Fatalf("pop: %q", got)
	}
	if got := b.body("/pop"); got != "false 0" {
		t.Fatalf("pop twice: %q", got)
	}
	https := &browser{t: t, h: b.h, name: "sessionid", https: true}
	if c := https.do("/set").Cookies(); len(c) != 1 || !c[0].Secure {
		t.Fatalf("HTTPS cookie without Secure: %+v", c)
	}
}

func TestLazy(t *testing.T) {
	store := newMemStore()
	b := &browser{t: t, h: app(newManager(store, nil)), name: "sessionid"}
	if res := b.do("/plain"); len(res.Cookies()) != 0 || res.Header.Get("Vary") != "" {
		t.Fatalf("untouched request set %v, Vary %q", res.Cookies(), res.Header.Get("Vary"))
	}
	b.do("/set")
	store.calls.Store(0)
	if res := b.do("/plain"); len(res.Cookies()) != 0 {
		t.Fatalf("untouched request with a session set %v", res.Cookies())
	}
	if n := store.calls.Load(); n != 0 {
		t.Fatalf("untouched request: %d store calls", n)
	}
	// Reading loads but does not write.
	b.do("/get")
	if n := store.calls.Load(); n != 1 {
		t.Fatalf("read-only request: %d store calls, want 1 load", n)
	}
}

func TestRotateFixation(t *testing.T) {
	store := newMemStore()
	b := &browser{t: t, h: app(newManager(store, nil)), name: "sessionid"}
	b.do("/set")
	planted := b.cookie
	key := b.body("/login?user=42")
	if key == planted || b.cookie != key {
		t.Fatalf("login kept key %q (cookie %q)", planted, b.cookie)
	}
	if store.has(planted) {
		t.Fatal("the old key still loads after Rotate")
	}
	if got := b.body("/get"); got != "true {[apple pear] 3} 7" {
		t.Fatalf("data lost by Rotate: %q", got)
	}
	attacker := &browser{t: t, h: b.h, name: "sessionid", cookie: planted}
	if got := attacker.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("the planted key still reads the session: %q", got)
	}
}

func TestFlush(t *testing.T) {
	store := newMemStore()
	b := &browser{t: t, h: app(newManager(store, nil)), name: "sessionid"}
	b.do("/login?user=1")
	old := b.cookie
	res := b.do("/logout")
	if store.has(old) {
		t.Fatal("Flush left the session in the store")
	}
	if c := res.Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie: %+v", c)
	}
	replay := &browser{t: t, h: b.h, name: "sessionid", cookie: old}
	if got := replay.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("old key after logout: %q", got)
	}
}

func TestEndUserSessions(t *testing.T) {
	store := newMemStore()
	m := newManager(store, nil)
	h := app(m)
	a := &browser{t: t, h: h, name: "sessionid"}
	b := &browser{t: t, h: h, name: "sessionid"}
	other := &browser{t: t, h: h, name: "sessionid"}
	a.do("/login?user=7")
	b.do("/login?user=7")
	other.do("/login?user=8")
	if err := m.EndUserSessions(context.Background(), "7", a.cookie); err != nil {
		t.Fatal(err)
	}
	if !store.has(a.cookie) || store.has(b.cookie) || !store.has(other.cookie) {
		t.Fatalf("after EndUserSessions: current %v, other of the user %v, other user %v", store.has(a.cookie), store.has(b.cookie), store.has(other.cookie))
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := newMemStore()
	store.now = c.Now
	b := &browser{t: t, h: app(newManager(store, c)), name: "sessionid"}
	b.do("/set")

	// Idle: used every 50 minutes, the session lives on (its expiry moves).
	for range 5 {
		c.Add(50 * time.Minute)
		if got := b.body("/get"); !strings.HasPrefix(got, "true") {
			t.Fatalf("active session expired: %q", got)
		}
	}
	// Absolute: 10 hours after creation it ends, however active.
	for i := 0; ; i++ {
		c.Add(50 * time.Minute)
		got := b.body("/get")
		if c.Now().Sub(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) >= 10*time.Hour {
			if strings.HasPrefix(got, "true") {
				t.Fatalf("session alive after the absolute timeout: %q", got)
			}
			break
		}
		if !strings.HasPrefix(got, "true") {
			t.Fatalf("session ended early at %v: %q", c.Now(), got)
		}
	}

	// Idle: unused for more than an hour, a new session ends.
	b2 := &browser{t: t, h: b.h, name: "sessionid"}
	b2.do("/set")
	c.Add(61 * time.Minute)
	if got := b2.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("idle session still alive: %q", got)
	}
}

func TestCookieStore(t *testing.T) {
	c := &clock{t: time.Now()}
	store := session.NewCookieStore([]byte("a key for the tests, 32 bytes ok"))
	b := &browser{t: t, h: app(newManager(store, c)), name: "sessionid"}
	b.do("/set")
	if got := b.body("/get"); got != "true {[apple pear] 3} 7" {
		t.Fatalf("get: %q", got)
	}
	if got := b.body("/key"); len(got) != 43 {
		t.Fatalf("cookie session key %q", got)
	}

	// Tampering: any changed byte gives an empty session.
	good := b.cookie
	for _, i := range []int{0, len(good) / 2, len(good) - 1} {
		bad := []byte(good)
		bad[i] ^= 1
		tb := &browser{t: t, h: b.h, name: "sessionid", cookie: string(bad)}
		if got := tb.body("/get"); got != "false {[] 0} 0" {
			t.Fatalf("tampered cookie (byte %d) read as %q", i, got)
		}
	}
	// A signature from another key is refused the same way.
	other := &browser{t: t, h: app(newManager(session.NewCookieStore([]byte("another key, also thirty-two b.")), c)), name: "sessionid"}
	other.do("/set")
	forged := &browser{t: t, h: b.h, name: "sessionid", cookie: other.cookie}
	if got := forged.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("cookie signed with another key read as %q", got)
	}

	// Expiry holds without a server.
	c.Add(2 * time.Hour)
	if got := b.body("/get"); got != "false {[] 0} 0" {
		t.Fatalf("expired cookie session read as %q", got)
	}

	if err := newManager(store, c).EndUserSessions(context.Background(), "1", ""); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("cookie EndUserSessions: %v", err)
	}
}

func TestCookieStoreSizeLimit(t *testing.T) {
	store := session.NewCookieStore([]byte("a key for the tests, 32 bytes ok"))
	store.MaxSize = 200
	h := session.NewManager(session.Options{Store: store, Logger: slog.New(slog.DiscardHandler)}).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.Set(session.FromRequest(r), "big", strings.Repeat("x", 500))
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if c := w.Result().Cookies(); len(c) != 0 {
		t.Fatalf("an oversized session was written: %d bytes", len(c[0].Value))
	}
}

func TestBadValue(t *testing.T) {
	h := session.NewManager(session.Options{Store: newMemStore()}).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.Set(session.FromRequest(r), "f", func() {}); err == nil {
			t.Error("Set of a func: no error")
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

// TestConcurrentSameKey runs requests with one session key at once, each
// also touching its session from two goroutines; run with -race.
func TestConcurrentSameKey(t *testing.T) {
	store := newMemStore()
	m := newManager(store, nil)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, _ := session.Get[int](s, "n")
				session.Set(s, fmt.Sprint("k", i), n+1)
				session.Set(s, "n", n+1)
			}()
		}
		wg.Wait()
	}))
	b := &browser{t: t, h: h, name: "sessionid"}
	b.do("/")
	key := b.cookie
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
			h.ServeHTTP(httptest.NewRecorder(), r)
		}()
	}
	wg.Wait()
	if !store.has(key) {
		t.Fatal("session lost")
	}
}

func TestNilSession(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	s := session.FromRequest(r)
	if s != nil {
		t.Fatal("a session without a manager")
	}
	if _, ok := session.Get[int](s, "x"); ok || s.Key() != "" || s.Has("x") {
		t.Fatal("nil session reads as non-empty")
	}
	if err := session.Set(s, "x", 1); err == nil {
		t.Fatal("Set on a nil session: no error")
	}
}
