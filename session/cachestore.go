package session

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/anode-go/anode/cache"
)

// CacheStore keeps sessions in a cache (Django's cache session backend):
// memory, Redis or Memcached, whatever the cache's URL selects. It uses the
// cache's strict view, so a cache failure is an error, never a silently
// empty session: the Manager logs it and the request goes on with an empty
// session, but nothing is saved over the stored one.
//
// DeleteUser works on every store without listing keys: each user has a
// generation counter in the cache, every saved session records the
// generation it was saved under, and a session whose generation is no
// longer the user's does not load. DeleteUser moves the generation on and
// saves the kept session again under the new one. A generation counter
// that the cache evicts is replaced by a new, never-used value, which ends
// the user's sessions (fail closed). Values in a cache can be evicted
// before they expire: use a cache sized for the sessions, or the db store
// when sessions must never be lost.
type CacheStore struct {
	c *cache.Cache
}

var _ Store = (*CacheStore)(nil)

// NewCacheStore returns a store over c (its strict view). Keys are
// "session:<key>" in c.
func NewCacheStore(c *cache.Cache) *CacheStore { return &CacheStore{c: c.Strict()} }

type cacheEntry struct {
	Data   json.RawMessage `json:"d"`
	UserID string          `json:"u,omitempty"`
	Gen    string          `json:"g,omitempty"`
	Expiry int64           `json:"e"` // Unix nanoseconds
}

func sessionKey(key string) string { return "session:" + key }
func userGenKey(id string) string  { return "session-user:" + id }

// generation returns userID's current generation, starting a new one (the
// current time in nanoseconds) when there is none.
func (s *CacheStore) generation(ctx context.Context, userID string) (string, error) {
	for range 2 {
		g, _, err := cache.Get[string](ctx, s.c, userGenKey(userID))
		if err == nil {
			return g, nil
		}
		if !errors.Is(err, cache.ErrNotFound) {
			return "", err
		}
		start := strconv.FormatInt(time.Now().UnixNano(), 10)
		added, err := cache.Add(ctx, s.c, userGenKey(userID), start, cache.NoExpiry)
		if err != nil {
			return "", err
		}
		if added {
			return start, nil
		}
	}
	return "", errors.New("session: cache: user generation contended")
}

// Load returns the session under key.
func (s *CacheStore) Load(ctx context.Context, key string) (Entry, error) {
	ce, _, err := cache.Get[cacheEntry](ctx, s.c, sessionKey(key))
	if errors.Is(err, cache.ErrNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, err
	}
	if ce.UserID != "" {
		g, err := s.generation(ctx, ce.UserID)
		if err != nil {
			return Entry{}, err
		}
		if g != ce.Gen {
			return Entry{}, ErrNotFound
		}
	}
	return Entry{Data: ce.Data, UserID: ce.UserID, Expiry: time.Unix(0, ce.Expiry)}, nil
}

// Save stores the session until its expiry.
func (s *CacheStore) Save(ctx context.Context, key string, e Entry) error {
	ttl := time.Until(e.Expiry)
	if ttl <= 0 {
		return s.Delete(ctx, key)
	}
	ce := cacheEntry{Data: e.Data, UserID: e.UserID, Expiry: e.Expiry.UnixNano()}
	if e.UserID != "" {
		g, err := s.generation(ctx, e.UserID)
		if err != nil {
			return err
		}
		ce.Gen = g
	}
	return cache.Set(ctx, s.c, sessionKey(key), ce, ttl)
}

// Delete removes the session under key.
func (s *CacheStore) Delete(ctx context.Context, key string) error {
	return s.c.Delete(ctx, sessionKey(key))
}

// DeleteUser ends every session of userID but exceptKey's.
func (s *CacheStore) DeleteUser(ctx context.Context, userID, exceptKey string) error {
	var keep Entry
	kept := false
	if exceptKey != "" {
		e, err := s.Load(ctx, exceptKey)
		switch {
		case err == nil:
			keep, kept = e, e.UserID == userID
		case !errors.Is(err, ErrNotFound):
			return err
		}
	}
	if _, err := s.generation(ctx, userID); err != nil {
		return err
	}
	if _, err := s.c.Incr(ctx, userGenKey(userID), 1, cache.NoExpiry); err != nil {
		return err
	}
	if kept {
		return s.Save(ctx, exceptKey, keep)
	}
	return nil
}
