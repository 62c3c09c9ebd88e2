package session_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/cache"
	"github.com/anode-go/anode/session"
)

// TestCacheStore runs the Store contract on the cache store over memory,
// Redis and Memcached.
func TestCacheStore(t *testing.T) {
	b := make([]byte, 6)
	rand.Read(b)
	q := "?prefix=anode-test-" + hex.EncodeToString(b)
	for name, url := range map[string]func(t *testing.T) string{
		"memory":    func(*testing.T) string { return "memory://" },
		"redis":     func(t *testing.T) string { return anodetest.Service(t, "ANODE_TEST_REDIS") },
		"memcached": func(t *testing.T) string { return "memcached://" + anodetest.Service(t, "ANODE_TEST_MEMCACHED") },
	} {
		t.Run(name, func(t *testing.T) {
			c, err := cache.Open(url(t)+q+"-"+name, cache.Options{Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if name != "memcached" {
					c.Strict().Clear(context.Background())
				}
				c.Close()
			})
			testStore(t, session.NewCacheStore(c))
		})
	}
}

// TestCacheStoreFailsClosed: a cache that is down is an error, not a
// missing session.
func TestCacheStoreFailsClosed(t *testing.T) {
	c, err := cache.Open("redis://127.0.0.1:1/0?timeout=100ms", cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := session.NewCacheStore(c)
	if _, err := s.Load(context.Background(), session.NewKey()); err == nil || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load from a cache that is down: %v", err)
	}
	if err := s.Save(context.Background(), session.NewKey(), session.Entry{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour)}); err == nil {
		t.Fatal("Save to a cache that is down succeeded")
	}
}
