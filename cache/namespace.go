package cache

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Namespace returns a view of c whose keys live in the namespace name, so
// that they can be invalidated together: Clear on the view moves the
// namespace to a new generation, and every key written before becomes
// unreachable (and expires in the store by itself). It works the same on
// every store, Memcached included, which cannot delete by prefix.
//
// The generation is a counter under its own key; every operation on the
// view reads it first (one more round trip). [ClearOn] clears namespaces
// when models change.
func (c *Cache) Namespace(name string) *Cache {
	return &Cache{c: c.c, strict: c.strict, ns: name}
}

// genKey is the store key of the namespace's generation counter.
func (c *Cache) genKey() string { return c.c.prefix + "#ns:" + c.ns }

// generation returns the namespace's current generation. A namespace
// seen for the first time (or whose counter was evicted) starts at the
// current time in nanoseconds, so it never meets a generation used before
// the eviction. A failure to read it is a backend failure of the operation
// that needed it.
func (c *Cache) generation(ctx context.Context) (string, error) {
	var g []byte
	err := c.run(ctx, "generation", func(ctx context.Context) error {
		var err error
		for range 2 {
			if g, err = c.c.store.Get(ctx, c.genKey()); !errors.Is(err, ErrNotFound) {
				return err
			}
			start := []byte(strconv.FormatInt(time.Now().UnixNano(), 10))
			added, err := c.c.store.Add(ctx, c.genKey(), start, 0)
			if err != nil {
				return err
			}
			if added {
				g = start
				return nil
			}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return string(g), nil
}
