package cache

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns for conditions callers branch on. Any other error
// from a store is a backend failure (a refused connection, a timeout): the
// Cache counts it, logs it and, unless strict, turns it into a miss.
var (
	// ErrNotFound is returned by Store.Get for a key that holds no live
	// value, and by strict Cache reads on a miss.
	ErrNotFound = errors.New("cache: not found")
	// ErrNotInteger is returned by Incr for a key whose value is not a
	// decimal integer.
	ErrNotInteger = errors.New("cache: value is not an integer")
	// ErrClosed is returned by every operation of a closed Cache.
	ErrClosed = errors.New("cache: closed")
)

// Store is what a cache backend implements: a small map of byte values with
// expiry. Keys reach a Store complete (prefix and version included); a TTL
// of 0 means "never expires", a positive one is rounded to the store's
// resolution (a second on Memcached). Every method must be safe for
// concurrent use and respect ctx.
//
// Batch operations, Touch and Close are optional: see [BatchStore],
// [Toucher] and io.Closer. The Cache falls back to single operations for a
// store without them.
type Store interface {
	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl, replacing any value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value under key only if it holds no live value, and
	// reports whether it did.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Incr adds delta to the decimal integer under key and returns the
	// result. A missing key starts at 0 and gets ttl; an existing one keeps
	// its expiry. A value that is not an integer is ErrNotInteger.
	Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error)
	// Clear removes every key that starts with prefix. A store that cannot
	// select keys by prefix (Memcached) removes everything it holds.
	Clear(ctx context.Context, prefix string) error
}

// BatchStore is a Store with native multi-key operations (one round trip).
type BatchStore interface {
	Store
	// GetMany returns the live values of keys; missing keys are absent
	// from the map.
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	// SetMany stores every item for ttl.
	SetMany(ctx context.Context, items map[string][]byte, ttl time.Duration) error
	// DeleteMany removes keys.
	DeleteMany(ctx context.Context, keys []string) error
}

// Toucher is a Store that can change a key's expiry without reading it.
type Toucher interface {
	Store
	// Touch sets key's TTL and reports whether the key exists.
	Touch(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// localStore marks stores in this process's memory: they need no operation
// timeout and never fail as a network does.
type localStore interface {
	local()
}
