package cache_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode/cache"
)

// flakyStore wraps a memory store and fails every call while down.
type flakyStore struct {
	*cache.MemoryStore
	down  atomic.Bool
	calls atomic.Int32
}

var errDown = errors.New("connection refused")

func (f *flakyStore) fail() error {
	f.calls.Add(1)
	if f.down.Load() {
		return errDown
	}
	return nil
}

func (f *flakyStore) Get(ctx context.Context, k string) ([]byte, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.MemoryStore.Get(ctx, k)
}

func (f *flakyStore) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemoryStore.Set(ctx, k, v, ttl)
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestLenientFailures(t *testing.T) {
	ctx := context.Background()
	logs := &syncBuf{}
	store := &flakyStore{MemoryStore: cache.NewMemoryStore(0)}
	defer store.Close()
	c := cache.New(store, cache.Options{RetryAfter: 50 * time.Millisecond, LogInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	must(t, cache.Set(ctx, c, "k", "v", cache.DefaultTTL))

	store.down.Store(true)
	for range 5 {
		if _, ok, err := cache.Get[string](ctx, c, "k"); ok || err != nil {
			t.Fatalf("lenient read while down: %v %v", ok, err)
		}
		if err := cache.Set(ctx, c, "k2", "v", cache.DefaultTTL); err != nil {
			t.Fatalf("lenient write while down: %v", err)
		}
	}
	// The first failure marks the store down: the rest were not even tried.
	if n := store.calls.Load(); n != 2 {
		t.Fatalf("store called %d times while down, want 2 (one failure, then skipped)", n)
	}
	st := c.Stats()
	if st.Misses != 5 || st.Errors != 10 || st.Hits != 0 {
		t.Fatalf("stats while down: %+v", st)
	}
	if n := strings.Count(logs.String(), "cache: store failed"); n != 1 {
		t.Fatalf("logged %d times, want once per interval:\n%s", n, logs)
	}
	// Strict callers always try, and get the error.
	if _, _, err := c.Strict().Bytes(ctx, "k"); !errors.Is(err, errDown) {
		t.Fatalf("strict read while down: %v", err)
	}
	if _, err := cache.GetOrSet(ctx, c.Strict(), "k", 0, func(context.Context) (string, error) { return "filled", nil }); !errors.Is(err, errDown) {
		t.Fatalf("strict GetOrSet while down: %v", err)
	}
	// The lenient GetOrSet still answers, from fill.
	if v, err := cache.GetOrSet(ctx, c, "k", 0, func(context.Context) (string, error) { return "filled", nil }); v != "filled" || err != nil {
		t.Fatalf("lenient GetOrSet while down: %q %v", v, err)
	}

	// Recovery: after RetryAfter the store is tried again.
	store.down.Store(false)
	time.Sleep(60 * time.Millisecond)
	if v, ok, err := cache.Get[string](ctx, c, "k"); !ok || err != nil || v != "v" {
		t.Fatalf("after recovery: %q %v %v", v, ok, err)
	}
	// A closed cache fails closed when strict and misses otherwise.
	c.Close()
	if _, _, err := c.Strict().Bytes(ctx, "k"); !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("strict after Close: %v", err)
	}
	if _, ok, err := c.Bytes(ctx, "k"); ok || err != nil {
		t.Fatalf("lenient after Close: %v %v", ok, err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, u := range []string{
		"mongo://x", "memory", "memory://?size=lots", "memory://?color=red", "memory://host",
		"memcached://", "redis://h:1/0?nonsense=1", "memory://?version=0", "memory://?ttl=soon",
		"memory://?timeout=0", "redis://user:s3cret@h:1/zz",
	} {
		c, err := cache.Open(u, cache.Options{})
		var ue *cache.URLError
		if err == nil || !errors.As(err, &ue) || c != nil {
			t.Errorf("Open(%q) = %v, %v; want a *URLError", u, c, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) error shows the password: %v", u, err)
		}
	}
	for _, u := range []string{"", "memory://?size=1MB&prefix=a&version=3&ttl=60&timeout=1s", "dummy://", "none://",
		"redis://127.0.0.1:6379/1", "memcached://127.0.0.1:11211, 127.0.0.2 ,127.0.0.3:1"} {
		c, err := cache.Open(u, cache.Options{})
		if err != nil {
			t.Errorf("Open(%q): %v", u, err)
			continue
		}
		c.Close()
	}
}

func TestMemcachedKey(t *testing.T) {
	if got := cache.MemcachedKey("a:1:poll/7"); got != "a:1:poll/7" {
		t.Fatalf("safe key changed: %q", got)
	}
	for _, k := range []string{"with space", "ctl\x01", "ünï", strings.Repeat("k", 251), ""} {
		got := cache.MemcachedKey(k)
		if !strings.HasPrefix(got, "h:") || len(got) != 66 {
			t.Fatalf("MemcachedKey(%q) = %q", k, got)
		}
	}
}
