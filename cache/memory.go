package cache

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/maypok86/otter/v2"
)

// DefaultMemorySize is the bound of a memory store made with size 0.
const DefaultMemorySize = 64 << 20

// MemoryStore keeps values in this process, bounded by their size in bytes
// (keys and values plus a fixed overhead per entry), evicting by otter's
// W-TinyLFU policy. Expired values are never returned and are removed in
// the background. It is safe for concurrent use; values are copied in on
// Set, and the slices Get returns must not be modified.
type MemoryStore struct {
	c *otter.Cache[string, memEntry]
}

var (
	_ Store      = (*MemoryStore)(nil)
	_ BatchStore = (*MemoryStore)(nil)
	_ Toucher    = (*MemoryStore)(nil)
)

type memEntry struct {
	v   []byte
	exp int64 // unix nanos; 0: never
}

// entryOverhead approximates the bookkeeping bytes of one entry.
const entryOverhead = 96

// forever is the expiry given to entries without one.
const forever = 100 * 365 * 24 * time.Hour

type memExpiry struct{}

func (memExpiry) until(e memEntry) time.Duration {
	if e.exp == 0 {
		return forever
	}
	return time.Duration(e.exp - time.Now().UnixNano())
}
func (x memExpiry) ExpireAfterCreate(e otter.Entry[string, memEntry]) time.Duration {
	return x.until(e.Value)
}
func (x memExpiry) ExpireAfterUpdate(e otter.Entry[string, memEntry], _ memEntry) time.Duration {
	return x.until(e.Value)
}
func (memExpiry) ExpireAfterRead(e otter.Entry[string, memEntry]) time.Duration {
	return e.ExpiresAfter()
}

// NewMemoryStore returns a store bounded to about size bytes (0:
// DefaultMemorySize).
func NewMemoryStore(size int64) *MemoryStore {
	if size <= 0 {
		size = DefaultMemorySize
	}
	c := otter.Must(&otter.Options[string, memEntry]{
		MaximumWeight: uint64(size),
		Weigher: func(k string, e memEntry) uint32 {
			return uint32(min(len(k)+len(e.v)+entryOverhead, 1<<31))
		},
		ExpiryCalculator: memExpiry{},
	})
	return &MemoryStore{c: c}
}

func (*MemoryStore) local() {}

func expiry(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return time.Now().Add(ttl).UnixNano()
}

func live(e memEntry) bool { return e.exp == 0 || time.Now().UnixNano() < e.exp }

// Get returns the value under key.
func (s *MemoryStore) Get(_ context.Context, key string) ([]byte, error) {
	// otter checks the expiry itself.
	e, ok := s.c.GetIfPresent(key)
	if !ok {
		return nil, ErrNotFound
	}
	return e.v, nil
}

// Set stores a copy of value under key.
func (s *MemoryStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.c.Set(key, memEntry{v: append([]byte(nil), value...), exp: expiry(ttl)})
	return nil
}

// Add stores a copy of value unless key holds a live value.
func (s *MemoryStore) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	added := false
	s.c.Compute(key, func(old memEntry, found bool) (memEntry, otter.ComputeOp) {
		if found && live(old) {
			return old, otter.CancelOp
		}
		added = true
		return memEntry{v: append([]byte(nil), value...), exp: expiry(ttl)}, otter.WriteOp
	})
	return added, nil
}

// Delete removes key.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.c.Invalidate(key)
	return nil
}

// Incr adds delta to the integer under key.
func (s *MemoryStore) Incr(_ context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	var n int64
	var err error
	s.c.Compute(key, func(old memEntry, found bool) (memEntry, otter.ComputeOp) {
		e := memEntry{exp: expiry(ttl)}
		if found && live(old) {
			cur, perr := strconv.ParseInt(string(old.v), 10, 64)
			if perr != nil {
				err = ErrNotInteger
				return old, otter.CancelOp
			}
			n, e.exp = cur, old.exp
		}
		n += delta
		e.v = strconv.AppendInt(nil, n, 10)
		return e, otter.WriteOp
	})
	return n, err
}

// Touch sets key's expiry.
func (s *MemoryStore) Touch(_ context.Context, key string, ttl time.Duration) (bool, error) {
	ok := false
	s.c.ComputeIfPresent(key, func(old memEntry) (memEntry, otter.ComputeOp) {
		if !live(old) {
			return old, otter.InvalidateOp
		}
		ok = true
		return memEntry{v: old.v, exp: expiry(ttl)}, otter.WriteOp
	})
	return ok, nil
}

// Clear removes the keys starting with prefix ("" clears everything).
func (s *MemoryStore) Clear(_ context.Context, prefix string) error {
	if prefix == "" {
		s.c.InvalidateAll()
		return nil
	}
	for k := range s.c.Keys() {
		if strings.HasPrefix(k, prefix) {
			s.c.Invalidate(k)
		}
	}
	return nil
}

// GetMany returns the live values of keys.
func (s *MemoryStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if v, err := s.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

// SetMany stores every item.
func (s *MemoryStore) SetMany(ctx context.Context, items map[string][]byte, ttl time.Duration) error {
	for k, v := range items {
		s.Set(ctx, k, v, ttl)
	}
	return nil
}

// DeleteMany removes keys.
func (s *MemoryStore) DeleteMany(_ context.Context, keys []string) error {
	for _, k := range keys {
		s.c.Invalidate(k)
	}
	return nil
}

// Close stops the store's background goroutines.
func (s *MemoryStore) Close() error {
	s.c.StopAllGoroutines()
	return nil
}

// DummyStore stores nothing: every read is a miss (Django's
// DummyCache). It makes caching a no-op without changing code.
type DummyStore struct{}

var _ Store = DummyStore{}

func (DummyStore) local() {}

// Get always returns ErrNotFound.
func (DummyStore) Get(context.Context, string) ([]byte, error) { return nil, ErrNotFound }

// Set does nothing.
func (DummyStore) Set(context.Context, string, []byte, time.Duration) error { return nil }

// Add stores nothing and reports true, as Django's DummyCache does.
func (DummyStore) Add(context.Context, string, []byte, time.Duration) (bool, error) {
	return true, nil
}

// Delete does nothing.
func (DummyStore) Delete(context.Context, string) error { return nil }

// Incr returns delta, as if the counter had just been created.
func (DummyStore) Incr(_ context.Context, _ string, delta int64, _ time.Duration) (int64, error) {
	return delta, nil
}

// Clear does nothing.
func (DummyStore) Clear(context.Context, string) error { return nil }
