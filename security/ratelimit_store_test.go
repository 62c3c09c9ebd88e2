package security_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/security"
)

// stores runs fn against a memory store and, when ANODE_TEST_REDIS is set,
// a Redis store on the caller's clock (so the injected clock drives both).
func stores(t *testing.T, fn func(t *testing.T, s security.LimitStore)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		fn(t, security.NewMemoryLimitStore(0))
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		client := redisClient(t)
		fn(t, security.NewRedisLimitStore(client, security.RedisLimitOptions{Prefix: testPrefix(t, client), ClientClock: true}))
	})
}

// redisClient connects to ANODE_TEST_REDIS (skipping without it, failing
// under CI).
func redisClient(t testing.TB) *redis.Client {
	url := anodetest.Service(t, "ANODE_TEST_REDIS")
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a key prefix of the test's own, whose keys are
// deleted when it ends.
func testPrefix(t testing.TB, c *redis.Client) string {
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "anode-test:ratelimit:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := c.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return prefix
}

// base is a fixed instant, aligned to the minute as windows are.
var base = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func take(t *testing.T, s security.LimitStore, key string, p security.Policy, now time.Time) security.Decision {
	t.Helper()
	d, err := s.Take(context.Background(), key, p, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTokenBucket(t *testing.T) {
	stores(t, func(t *testing.T, s security.LimitStore) {
		// 10 a minute (one every 6s), bursts of 3.
		p := security.Policy{Algorithm: security.TokenBucket, Limit: 10, Window: time.Minute, Burst: 3}
		now := base
		for i := range 3 {
			d := take(t, s, "k", p, now)
			if !d.Allowed || d.Remaining != 2-i || d.Limit != 3 {
				t.Fatalf("burst request %d: %+v", i, d)
			}
		}
		d := take(t, s, "k", p, now)
		if d.Allowed || d.RetryAfter != 6*time.Second || d.Remaining != 0 {
			t.Fatalf("4th at once: %+v, want refused, retry in 6s", d)
		}
		// 5.9s later: still empty; at 6s one token is back.
		if d := take(t, s, "k", p, now.Add(5900*time.Millisecond)); d.Allowed || d.RetryAfter != 100*time.Millisecond {
			t.Fatalf("after 5.9s: %+v", d)
		}
		if d := take(t, s, "k", p, now.Add(6*time.Second)); !d.Allowed || d.Remaining != 0 {
			t.Fatalf("after 6s: %+v", d)
		}
		// A long pause refills to the burst, not beyond.
		now = now.Add(time.Hour)
		for i := range 3 {
			if d := take(t, s, "k", p, now); !d.Allowed {
				t.Fatalf("after an hour, request %d refused: %+v", i, d)
			}
		}
		if d := take(t, s, "k", p, now); d.Allowed {
			t.Fatalf("the bucket held more than its burst: %+v", d)
		}
		// Other keys are independent; Reset forgets.
		if d := take(t, s, "other", p, now); !d.Allowed {
			t.Fatalf("another key: %+v", d)
		}
		if err := s.Reset(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
		if d := take(t, s, "k", p, now); !d.Allowed || d.Remaining != 2 {
			t.Fatalf("after Reset: %+v", d)
		}
	})
}

func TestSlidingWindow(t *testing.T) {
	stores(t, func(t *testing.T, s security.LimitStore) {
		p := security.Policy{Limit: 4, Window: time.Minute}
		now := base.Add(30 * time.Second) // halfway through a window
		for i := range 4 {
			d := take(t, s, "k", p, now)
			if !d.Allowed || d.Remaining != 3-i || d.Reset != 30*time.Second {
				t.Fatalf("request %d: %+v", i, d)
			}
		}
		// The window is full until it ends; then the 4 weigh 4*(1-e/60s),
		// which leaves room for one at e=15s.
		d := take(t, s, "k", p, now)
		if d.Allowed || d.RetryAfter != 45*time.Second {
			t.Fatalf("5th: %+v, want refused, retry in 45s (30s to the next window + 15s)", d)
		}
		if d := take(t, s, "k", p, base.Add(74*time.Second)); d.Allowed {
			t.Fatalf("at 1m14s: %+v, want refused (estimate 4*46/60+0 > 3)", d)
		}
		if d := take(t, s, "k", p, base.Add(75*time.Second)); !d.Allowed || d.Remaining != 0 {
			t.Fatalf("at 1m15s: %+v", d)
		}
		// Halfway through that window: 4*0.5 + 1 = 3 counted, one left.
		if d := take(t, s, "k", p, base.Add(90*time.Second)); !d.Allowed || d.Remaining != 0 {
			t.Fatalf("at 1m30s: %+v", d)
		}
		d = take(t, s, "k", p, base.Add(90*time.Second))
		if d.Allowed {
			t.Fatalf("at 1m30s again: %+v", d)
		}
		// prev 4, cur 2: room 1 needs 4*(60-e)/60 <= 1, e >= 45s: 15s on.
		if d.RetryAfter != 15*time.Second {
			t.Fatalf("retry %v, want 15s", d.RetryAfter)
		}
		// Two windows later nothing is left.
		if d := take(t, s, "k", p, base.Add(3*time.Minute)); !d.Allowed || d.Remaining != 3 {
			t.Fatalf("two windows on: %+v", d)
		}
	})
}

// TestSlidingWindowNeverExceedsLimitPerWindow drives a key at one request
// a second for ten windows: no aligned window admits more than the limit,
// and the steady state admits about the limit per window.
func TestSlidingWindowNeverExceedsLimitPerWindow(t *testing.T) {
	stores(t, func(t *testing.T, s security.LimitStore) {
		p := security.Policy{Limit: 10, Window: time.Minute}
		perWindow := map[int]int{}
		for sec := range 600 {
			if take(t, s, "k", p, base.Add(time.Duration(sec)*time.Second)).Allowed {
				perWindow[sec/60]++
			}
		}
		for w, n := range perWindow {
			if n > 10 {
				t.Errorf("window %d admitted %d, limit 10", w, n)
			}
			if w > 0 && n < 9 {
				t.Errorf("window %d admitted only %d of 10", w, n)
			}
		}
	})
}

func TestPolicyDefaults(t *testing.T) {
	stores(t, func(t *testing.T, s security.LimitStore) {
		var p security.Policy // 60 a minute, sliding window
		for i := range 60 {
			if d := take(t, s, "k", p, base); !d.Allowed || d.Limit != 60 {
				t.Fatalf("request %d: %+v", i, d)
			}
		}
		if d := take(t, s, "k", p, base); d.Allowed {
			t.Fatalf("61st: %+v", d)
		}
	})
}

// TestMemoryStoreBounded floods a small store with distinct keys: it never
// holds much more than its capacity, and expired keys are swept.
func TestMemoryStoreBounded(t *testing.T) {
	const capacity = 1024
	s := security.NewMemoryLimitStore(capacity)
	p := security.Policy{Limit: 5, Window: time.Second}
	ctx := context.Background()
	for i := range 50_000 {
		if _, err := s.Take(ctx, fmt.Sprintf("k%d", i), p, base); err != nil {
			t.Fatal(err)
		}
		if n := s.Len(); n > capacity {
			t.Fatalf("after %d keys the store holds %d, capacity %d", i+1, n, capacity)
		}
	}
	if n := s.Len(); n < capacity/2 {
		t.Fatalf("store holds %d keys: it evicts far more than needed", n)
	}
	// Once keys have expired (two windows), use sweeps them: a store large
	// enough never to evict holds only the new keys.
	s = security.NewMemoryLimitStore(0)
	for i := range 10_000 {
		s.Take(ctx, fmt.Sprintf("k%d", i), p, base)
	}
	for i := range 2000 { // touch every shard
		s.Take(ctx, fmt.Sprintf("late%d", i), p, base.Add(time.Hour))
	}
	if n := s.Len(); n != 2000 {
		t.Fatalf("after expiry the store still holds %d keys", n)
	}
}

// TestRedisKeysExpire checks that Redis drops a key when its state is back
// to "never seen".
func TestRedisKeysExpire(t *testing.T) {
	client := redisClient(t)
	prefix := testPrefix(t, client)
	s := security.NewRedisLimitStore(client, security.RedisLimitOptions{Prefix: prefix})
	ctx := context.Background()
	for _, p := range []security.Policy{
		{Algorithm: security.TokenBucket, Limit: 1, Window: 10 * time.Second},
		{Limit: 1, Window: 10 * time.Second},
	} {
		key := p.Algorithm.String()
		if _, err := s.Take(ctx, key, p, time.Now()); err != nil {
			t.Fatal(err)
		}
		ttl, err := client.PTTL(ctx, prefix+key).Result()
		if err != nil || ttl <= 0 || ttl > 20*time.Second {
			t.Fatalf("%s: TTL %v, %v; want (0, 20s]", key, ttl, err)
		}
	}
}

// TestRedisServerClock uses the server's clock (the default): a burst
// is refused at once whatever time the caller passes.
func TestRedisServerClock(t *testing.T) {
	client := redisClient(t)
	s := security.NewRedisLimitStore(client, security.RedisLimitOptions{Prefix: testPrefix(t, client)})
	p := security.Policy{Algorithm: security.TokenBucket, Limit: 1, Window: time.Hour}
	ctx := context.Background()
	if d, err := s.Take(ctx, "k", p, time.Time{}); err != nil || !d.Allowed {
		t.Fatalf("first: %+v, %v", d, err)
	}
	d, err := s.Take(ctx, "k", p, time.Now().Add(2*time.Hour)) // ignored
	if err != nil || d.Allowed || d.RetryAfter < 59*time.Minute {
		t.Fatalf("second: %+v, %v; want refused for about an hour", d, err)
	}
}

func TestRedisUnreachable(t *testing.T) {
	s, err := security.OpenRedisLimitStore("redis://"+closedAddr(t)+"/0", security.RedisLimitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = s.Take(context.Background(), "k", security.Policy{}, time.Now())
	if err == nil {
		t.Fatal("Take on a closed port succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Take took %v to fail", d)
	}
}
