package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps sessions in Redis with a TTL equal to their expiry, so
// Redis drops them itself. Each user's keys are also kept in a set, for
// DeleteUser. It is safe for concurrent use.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
}

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a store over client whose keys start with prefix
// (default "anode:session:").
func NewRedisStore(client redis.UniversalClient, prefix string) *RedisStore {
	if prefix == "" {
		prefix = "anode:session:"
	}
	return &RedisStore{client: client, prefix: prefix}
}

// OpenRedisStore connects to the Redis server at url
// ("redis://host:6379/0") and returns a store over it.
func OpenRedisStore(url, prefix string) (*RedisStore, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("session: redis URL: %w", err)
	}
	return NewRedisStore(redis.NewClient(opts), prefix), nil
}

// Close closes the Redis client.
func (s *RedisStore) Close() error { return s.client.Close() }

type redisEntry struct {
	Data   json.RawMessage `json:"d"`
	UserID string          `json:"u,omitempty"`
	Expiry int64           `json:"e"` // Unix nanoseconds
}

func (s *RedisStore) userSet(id string) string { return s.prefix + "user:" + id }

// Load returns the session under key.
func (s *RedisStore) Load(ctx context.Context, key string) (Entry, error) {
	b, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("session: redis: %w", err)
	}
	var re redisEntry
	if err := json.Unmarshal(b, &re); err != nil {
		return Entry{}, ErrNotFound
	}
	return Entry{Data: re.Data, UserID: re.UserID, Expiry: time.Unix(0, re.Expiry)}, nil
}

// Save stores the session with a TTL reaching its expiry.
func (s *RedisStore) Save(ctx context.Context, key string, e Entry) error {
	ttl := time.Until(e.Expiry)
	if ttl <= 0 {
		return s.Delete(ctx, key)
	}
	b, err := json.Marshal(redisEntry{Data: e.Data, UserID: e.UserID, Expiry: e.Expiry.UnixNano()})
	if err != nil {
		return err
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.prefix+key, b, ttl)
		if e.UserID != "" {
			set := s.userSet(e.UserID)
			p.SAdd(ctx, set, key)
			// The set lives as long as its longest session could.
			p.ExpireGT(ctx, set, ttl)
			p.ExpireNX(ctx, set, ttl)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("session: redis: %w", err)
	}
	return nil
}

// Delete removes the session under key.
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	if err := s.client.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("session: redis: %w", err)
	}
	return nil
}

// DeleteUser removes every session of userID but exceptKey.
func (s *RedisStore) DeleteUser(ctx context.Context, userID, exceptKey string) error {
	set := s.userSet(userID)
	keys, err := s.client.SMembers(ctx, set).Result()
	if err != nil {
		return fmt.Errorf("session: redis: %w", err)
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			if k == exceptKey {
				continue
			}
			p.Del(ctx, s.prefix+k)
			p.SRem(ctx, set, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("session: redis: %w", err)
	}
	return nil
}
