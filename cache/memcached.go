package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// MemcachedStore keeps values on one or more memcached servers (keys are
// spread over them by a hash of the key). It is safe for concurrent use.
//
// # Keys
//
// Memcached keys are at most 250 bytes of printable ASCII without spaces.
// A key that breaks these rules (too long, spaces, control or non-ASCII
// characters) is replaced by "h:" and the hex SHA-256 of the key, so any
// key works; keys that follow them are sent unchanged.
//
// # Limits
//
// TTLs are whole seconds (a shorter positive TTL is one second); values
// are at most the server's item size (1 MB by default; a larger Set is an
// error). Counters cannot go below zero. Clear empties the servers
// (flush_all): memcached cannot select keys by prefix; move
// Options.Version, or use a Namespace, to invalidate part of a shared
// server. gomemcache takes no context: each operation is bounded by the
// client's socket timeout, set from Options.Timeout by [Open].
type MemcachedStore struct {
	client *memcache.Client
}

var (
	_ Store      = (*MemcachedStore)(nil)
	_ BatchStore = (*MemcachedStore)(nil)
	_ Toucher    = (*MemcachedStore)(nil)
)

// NewMemcachedStore returns a store over client.
func NewMemcachedStore(client *memcache.Client) *MemcachedStore {
	return &MemcachedStore{client: client}
}

// MemcachedKey returns the key sent to memcached for key: key itself when
// memcached accepts it, else "h:" and the hex SHA-256 of key.
func MemcachedKey(key string) string {
	if len(key) <= 250 && len(key) > 0 {
		ok := true
		for i := 0; i < len(key); i++ {
			if c := key[i]; c <= ' ' || c >= 0x7f {
				ok = false
				break
			}
		}
		if ok {
			return key
		}
	}
	sum := sha256.Sum256([]byte(key))
	return "h:" + hex.EncodeToString(sum[:])
}

// expiration converts a TTL to memcached's seconds: relative up to 30
// days, an absolute Unix time beyond.
func expiration(ttl time.Duration) int32 {
	if ttl <= 0 {
		return 0
	}
	s := int64((ttl + time.Second - 1) / time.Second)
	if s > 30*24*3600 {
		return int32(time.Now().Unix() + s)
	}
	return int32(s)
}

func mcErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Get returns the value under key.
func (s *MemcachedStore) Get(ctx context.Context, key string) ([]byte, error) {
	it, err := s.client.Get(MemcachedKey(key))
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, mcErr(ctx, err)
	}
	return it.Value, nil
}

// Set stores value under key.
func (s *MemcachedStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return mcErr(ctx, s.client.Set(&memcache.Item{Key: MemcachedKey(key), Value: value, Expiration: expiration(ttl)}))
}

// Add stores value unless key exists.
func (s *MemcachedStore) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	err := s.client.Add(&memcache.Item{Key: MemcachedKey(key), Value: value, Expiration: expiration(ttl)})
	if errors.Is(err, memcache.ErrNotStored) {
		return false, nil
	}
	return err == nil, mcErr(ctx, err)
}

// Delete removes key.
func (s *MemcachedStore) Delete(ctx context.Context, key string) error {
	err := s.client.Delete(MemcachedKey(key))
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil
	}
	return mcErr(ctx, err)
}

// Incr runs incr or decr; a missing key is created with add (and the incr
// retried if another client created it first).
func (s *MemcachedStore) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	mk := MemcachedKey(key)
	for range 3 {
		var n uint64
		var err error
		if delta >= 0 {
			n, err = s.client.Increment(mk, uint64(delta))
		} else {
			n, err = s.client.Decrement(mk, uint64(-delta))
		}
		if err == nil {
			return int64(n), nil
		}
		if !errors.Is(err, memcache.ErrCacheMiss) {
			if strings.Contains(err.Error(), "non-numeric") || strings.Contains(err.Error(), "invalid numeric") {
				return 0, ErrNotInteger
			}
			return 0, mcErr(ctx, err)
		}
		start := max(delta, 0)
		err = s.client.Add(&memcache.Item{Key: mk, Value: strconv.AppendInt(nil, start, 10), Expiration: expiration(ttl)})
		if err == nil {
			return start, nil
		}
		if !errors.Is(err, memcache.ErrNotStored) {
			return 0, mcErr(ctx, err)
		}
	}
	return 0, errors.New("cache: memcached: counter contended")
}

// Touch sets key's expiry.
func (s *MemcachedStore) Touch(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	err := s.client.Touch(MemcachedKey(key), expiration(ttl))
	if errors.Is(err, memcache.ErrCacheMiss) {
		return false, nil
	}
	return err == nil, mcErr(ctx, err)
}

// Clear empties every server (flush_all), whatever the prefix.
func (s *MemcachedStore) Clear(ctx context.Context, _ string) error {
	return mcErr(ctx, s.client.FlushAll())
}

// GetMany reads every key in one request per server.
func (s *MemcachedStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	mks := make([]string, len(keys))
	back := make(map[string]string, len(keys))
	for i, k := range keys {
		mks[i] = MemcachedKey(k)
		back[mks[i]] = k
	}
	items, err := s.client.GetMulti(mks)
	if err != nil {
		return nil, mcErr(ctx, err)
	}
	out := make(map[string][]byte, len(items))
	for mk, it := range items {
		out[back[mk]] = it.Value
	}
	return out, nil
}

// SetMany sets the items one by one (memcached's text protocol has no
// multi-set).
func (s *MemcachedStore) SetMany(ctx context.Context, items map[string][]byte, ttl time.Duration) error {
	for k, v := range items {
		if err := s.Set(ctx, k, v, ttl); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMany deletes the keys one by one.
func (s *MemcachedStore) DeleteMany(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := s.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the client's idle connections.
func (s *MemcachedStore) Close() error { return s.client.Close() }
