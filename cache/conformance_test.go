package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/cache"
)

// uniquePrefix keeps tests sharing a server apart.
func uniquePrefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

// stores opens a fresh cache on every store the machine has, with its own
// prefix.
func stores(t *testing.T) map[string]func(t *testing.T) *cache.Cache {
	return map[string]func(t *testing.T) *cache.Cache{
		"memory": func(t *testing.T) *cache.Cache { return open(t, "memory://?size=8MB") },
		"redis": func(t *testing.T) *cache.Cache {
			return open(t, anodetest.Service(t, "ANODE_TEST_REDIS"))
		},
		"memcached": func(t *testing.T) *cache.Cache {
			return open(t, "memcached://"+anodetest.Service(t, "ANODE_TEST_MEMCACHED"))
		},
	}
}

func open(t testing.TB, rawURL string) *cache.Cache {
	t.Helper()
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	c, err := cache.Open(rawURL+sep+"prefix="+uniquePrefix(t)+"&timeout=2s", cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !strings.HasPrefix(rawURL, "memcached:") { // Clear would flush a shared server
			c.Strict().Clear(context.Background())
		}
		c.Close()
	})
	return c
}

type point struct {
	X, Y int
	Tags []string
}

// TestConformance runs the same checks on every store.
func TestConformance(t *testing.T) {
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conformance(t, name, mk)
		})
	}
}

func conformance(t *testing.T, name string, mk func(t *testing.T) *cache.Cache) {
	ctx := context.Background()
	t.Run("types", func(t *testing.T) {
		c := mk(t).Strict()
		must(t, cache.Set(ctx, c, "s", "hello wörld", cache.DefaultTTL))
		must(t, cache.Set(ctx, c, "b", []byte{0, 1, 2, 255}, cache.DefaultTTL))
		must(t, cache.Set(ctx, c, "i", int64(-42), cache.DefaultTTL))
		must(t, cache.Set(ctx, c, "f", 2.5, cache.DefaultTTL))
		must(t, cache.Set(ctx, c, "p", point{1, 2, []string{"a"}}, cache.DefaultTTL))
		if v, ok, err := cache.Get[string](ctx, c, "s"); !ok || err != nil || v != "hello wörld" {
			t.Fatalf("string: %q %v %v", v, ok, err)
		}
		if v, _, _ := cache.Get[[]byte](ctx, c, "b"); string(v) != "\x00\x01\x02\xff" {
			t.Fatalf("bytes: %q", v)
		}
		if v, _, _ := cache.Get[int64](ctx, c, "i"); v != -42 {
			t.Fatalf("int64: %d", v)
		}
		if v, _, _ := cache.Get[float64](ctx, c, "f"); v != 2.5 {
			t.Fatalf("float: %v", v)
		}
		if v, _, _ := cache.Get[point](ctx, c, "p"); v.X != 1 || v.Y != 2 || len(v.Tags) != 1 {
			t.Fatalf("struct: %+v", v)
		}
		// A strict miss is ErrNotFound; a lenient one is just a miss.
		if _, ok, err := cache.Get[string](ctx, c, "missing"); ok || !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("strict miss: %v %v", ok, err)
		}
		lenient := mk(t)
		if _, ok, err := cache.Get[string](ctx, lenient, "missing"); ok || err != nil {
			t.Fatalf("lenient miss: %v %v", ok, err)
		}
		// A value of another shape is a miss, not a panic.
		if _, ok, _ := cache.Get[int](ctx, lenient, "x"); ok {
			t.Fatal("decoded a missing value")
		}
		must(t, cache.Set(ctx, lenient, "word", "abc", cache.DefaultTTL))
		if _, ok, err := cache.Get[int](ctx, lenient, "word"); ok || err != nil {
			t.Fatalf("undecodable lenient: %v %v", ok, err)
		}
	})
	t.Run("add-delete", func(t *testing.T) {
		c := mk(t).Strict()
		if ok, err := cache.Add(ctx, c, "k", "first", cache.DefaultTTL); !ok || err != nil {
			t.Fatalf("Add new: %v %v", ok, err)
		}
		if ok, err := cache.Add(ctx, c, "k", "second", cache.DefaultTTL); ok || err != nil {
			t.Fatalf("Add existing: %v %v", ok, err)
		}
		if v, _, _ := cache.Get[string](ctx, c, "k"); v != "first" {
			t.Fatalf("after Add: %q", v)
		}
		must(t, c.Delete(ctx, "k"))
		must(t, c.Delete(ctx, "k")) // missing: no error
		if _, ok, _ := cache.Get[string](ctx, c.Namespace(""), "k"); ok {
			t.Fatal("deleted key still there")
		}
	})
	t.Run("ttl", func(t *testing.T) {
		t.Parallel()
		c := mk(t).Strict()
		must(t, cache.Set(ctx, c, "short", "v", time.Second))
		must(t, cache.Set(ctx, c, "long", "v", time.Hour))
		must(t, cache.Set(ctx, c, "forever", "v", cache.NoExpiry))
		must(t, cache.Set(ctx, c, "touched", "v", time.Second))
		if ok, err := c.Touch(ctx, "touched", time.Hour); !ok || err != nil {
			t.Fatalf("Touch: %v %v", ok, err)
		}
		if ok, err := c.Touch(ctx, "nothing", time.Hour); ok || err != nil {
			t.Fatalf("Touch missing: %v %v", ok, err)
		}
		if _, ok, _ := c.Bytes(ctx, "short"); !ok {
			t.Fatal("short expired at once")
		}
		time.Sleep(2100 * time.Millisecond)
		for key, want := range map[string]bool{"short": false, "long": true, "forever": true, "touched": true} {
			if _, ok, _ := c.Lenient().Bytes(ctx, key); ok != want {
				t.Errorf("%s present %v, want %v", key, ok, want)
			}
		}
	})
	t.Run("counters", func(t *testing.T) {
		t.Parallel()
		c := mk(t).Strict()
		if n, err := c.Incr(ctx, "n", 5, time.Hour); n != 5 || err != nil {
			t.Fatalf("Incr new: %d %v", n, err)
		}
		if n, err := c.Incr(ctx, "n", 2, time.Hour); n != 7 || err != nil {
			t.Fatalf("Incr: %d %v", n, err)
		}
		if n, err := c.Decr(ctx, "n", 3, time.Hour); n != 4 || err != nil {
			t.Fatalf("Decr: %d %v", n, err)
		}
		if v, _, _ := cache.Get[int64](ctx, c, "n"); v != 4 {
			t.Fatalf("Get of a counter: %d", v)
		}
		must(t, cache.Set(ctx, c, "set-int", 10, cache.DefaultTTL))
		if n, err := c.Incr(ctx, "set-int", 1, 0); n != 11 || err != nil {
			t.Fatalf("Incr of a Set int: %d %v", n, err)
		}
		must(t, cache.Set(ctx, c, "word", "abc", cache.DefaultTTL))
		if _, err := c.Incr(ctx, "word", 1, 0); !errors.Is(err, cache.ErrNotInteger) {
			t.Fatalf("Incr of text: %v", err)
		}
		// A counter made by Incr expires with its ttl.
		if _, err := c.Incr(ctx, "brief", 1, time.Second); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2100 * time.Millisecond)
		if n, _ := c.Incr(ctx, "brief", 1, time.Second); n != 1 {
			t.Fatalf("counter did not expire: %d", n)
		}
	})
	t.Run("many", func(t *testing.T) {
		c := mk(t).Strict()
		long := strings.Repeat("long key with spaces ", 20)
		must(t, cache.SetMany(ctx, c, map[string]int{"a": 1, "b": 2, long: 3}, cache.DefaultTTL))
		got, err := cache.GetMany[int](ctx, c, "a", "b", "c", long)
		if err != nil || len(got) != 3 || got["a"] != 1 || got["b"] != 2 || got[long] != 3 {
			t.Fatalf("GetMany: %v %v", got, err)
		}
		must(t, c.DeleteMany(ctx, "a", long))
		got, _ = cache.GetMany[int](ctx, c, "a", "b", long)
		if len(got) != 1 || got["b"] != 2 {
			t.Fatalf("after DeleteMany: %v", got)
		}
	})
	t.Run("keys", func(t *testing.T) {
		c := mk(t).Strict()
		for _, k := range []string{"", "with space", "tab\tand\nnewline", "ünïcode", strings.Repeat("x", 300), "a:b/c?d"} {
			must(t, cache.Set(ctx, c, k, "v:"+k, cache.DefaultTTL))
			if v, ok, err := cache.Get[string](ctx, c, k); !ok || err != nil || v != "v:"+k {
				t.Fatalf("key %q: %q %v %v", k, v, ok, err)
			}
		}
	})
	t.Run("version-prefix", func(t *testing.T) {
		a := mk(t).Strict()
		must(t, cache.Set(ctx, a, "k", "a", cache.DefaultTTL))
		b := mk(t).Strict() // another prefix
		if _, ok, _ := b.Lenient().Bytes(ctx, "k"); ok {
			t.Fatal("prefixes do not separate caches")
		}
	})
	t.Run("namespace", func(t *testing.T) {
		c := mk(t).Strict()
		ns := c.Namespace("polls")
		must(t, cache.Set(ctx, ns, "q1", "x", cache.DefaultTTL))
		must(t, cache.Set(ctx, c, "q1", "outside", cache.DefaultTTL))
		if v, _, _ := cache.Get[string](ctx, ns, "q1"); v != "x" {
			t.Fatalf("namespace get: %q", v)
		}
		must(t, ns.Clear(ctx))
		if _, ok, _ := ns.Lenient().Bytes(ctx, "q1"); ok {
			t.Fatal("namespace Clear left the key")
		}
		if v, _, _ := cache.Get[string](ctx, c, "q1"); v != "outside" {
			t.Fatalf("namespace Clear reached outside: %q", v)
		}
		must(t, cache.Set(ctx, ns, "q1", "y", cache.DefaultTTL))
		if v, _, _ := cache.Get[string](ctx, ns, "q1"); v != "y" {
			t.Fatalf("after Clear: %q", v)
		}
	})
	if name != "memcached" { // flush_all would empty a server other tests share
		t.Run("clear", func(t *testing.T) {
			c := mk(t).Strict()
			other := mk(t).Strict()
			must(t, cache.Set(ctx, c, "a", 1, cache.DefaultTTL))
			must(t, cache.Set(ctx, other, "a", 1, cache.DefaultTTL))
			must(t, c.Clear(ctx))
			if _, ok, _ := c.Lenient().Bytes(ctx, "a"); ok {
				t.Fatal("Clear left a key")
			}
			if _, ok, _ := other.Lenient().Bytes(ctx, "a"); !ok {
				t.Fatal("Clear removed another prefix's key")
			}
		})
	}
	t.Run("stats", func(t *testing.T) {
		c := mk(t)
		cache.Set(ctx, c, "a", 1, cache.DefaultTTL)
		c.Bytes(ctx, "a")
		c.Bytes(ctx, "b")
		st := c.Stats()
		if st.Hits != 1 || st.Misses != 1 || st.Sets != 1 || st.Errors != 0 {
			t.Fatalf("stats: %+v", st)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
