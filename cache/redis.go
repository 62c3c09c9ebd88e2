package cache

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps values in Redis (or Valkey, KeyDB). TTLs have
// millisecond precision; Clear deletes the keys under the cache's prefix
// with SCAN and UNLINK, so several caches can share one database. It is
// safe for concurrent use.
type RedisStore struct {
	client redis.UniversalClient
}

var (
	_ Store      = (*RedisStore)(nil)
	_ BatchStore = (*RedisStore)(nil)
	_ Toucher    = (*RedisStore)(nil)
)

// NewRedisStore returns a store over client. Closing the store closes the
// client.
func NewRedisStore(client redis.UniversalClient) *RedisStore {
	return &RedisStore{client: client}
}

// Client returns the Redis client under s.
func (s *RedisStore) Client() redis.UniversalClient { return s.client }

// Get returns the value under key.
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	return b, err
}

// Set stores value under key.
func (s *RedisStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.client.Set(ctx, key, value, ttl).Err()
}

// Add stores value with SET NX.
func (s *RedisStore) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	err := s.client.SetArgs(ctx, key, value, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes key.
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	return s.client.Del(ctx, key).Err()
}

// incrScript adds to a counter and gives a new one its TTL, atomically.
var incrScript = redis.NewScript(`
local existed = redis.call('EXISTS', KEYS[1])
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n`)

// Incr runs INCRBY, setting ttl on a counter it creates.
func (s *RedisStore) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	n, err := incrScript.Run(ctx, s.client, []string{key}, delta, ttl.Milliseconds()).Int64()
	if err != nil && strings.Contains(err.Error(), "not an integer") {
		return 0, ErrNotInteger
	}
	return n, err
}

// Touch sets key's TTL (PEXPIRE, or PERSIST for 0).
func (s *RedisStore) Touch(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		n, err := s.client.Exists(ctx, key).Result()
		if err != nil || n == 0 {
			return false, err
		}
		return true, s.client.Persist(ctx, key).Err()
	}
	return s.client.PExpire(ctx, key, ttl).Result()
}

// Clear deletes the keys that start with prefix, SCAN by SCAN.
func (s *RedisStore) Clear(ctx context.Context, prefix string) error {
	if prefix == "" {
		return s.client.FlushDB(ctx).Err()
	}
	pattern := globEscape(prefix) + "*"
	var cursor uint64
	for {
		keys, next, err := s.client.Scan(ctx, cursor, pattern, 500).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := s.client.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// globEscape escapes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// GetMany runs MGET.
func (s *RedisStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	vals, err := s.client.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[keys[i]] = []byte(str)
		}
	}
	return out, nil
}

// SetMany sets every item in one pipeline.
func (s *RedisStore) SetMany(ctx context.Context, items map[string][]byte, ttl time.Duration) error {
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, v := range items {
			p.Set(ctx, k, v, ttl)
		}
		return nil
	})
	return err
}

// DeleteMany runs DEL.
func (s *RedisStore) DeleteMany(ctx context.Context, keys []string) error {
	return s.client.Del(ctx, keys...).Err()
}

// Close closes the client.
func (s *RedisStore) Close() error { return s.client.Close() }
