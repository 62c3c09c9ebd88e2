// Package session keeps per-visitor state across requests, like Django's
// sessions: a rich Session per request over a small Store interface, with
// database, signed-cookie and Redis stores.
//
// # Use
//
// Inside an anode.App a request's session is made on first use:
//
//	s := session.FromRequest(r)
//	session.Set(s, "cart", cart)                 // any JSON-encodable value
//	cart, ok := session.Get[Cart](s, "cart")     // typed read
//	n, _ := session.Pop[int](s, "attempts")      // read and delete
//
// A request that never calls FromRequest (or FromContext) loads nothing
// from the store and sets no cookie. A touched session is saved, and its
// cookie set, just before the response's headers go out.
//
// # Security
//
// Keys are 256 random bits (crypto/rand), base64url. Call Session.Rotate on
// login and on any privilege change (session fixation), Session.Flush on
// logout (the server-side data is deleted), and Manager.EndUserSessions (or
// Store.DeleteUser) when a password changes. Cookies are HttpOnly,
// SameSite=Lax, and Secure on HTTPS or when Options.Secure is set. A
// session ends after Options.IdleTimeout without being saved and, whatever
// the activity, Options.AbsoluteTimeout after it was created.
//
// # Values
//
// Values are stored as JSON: Get[T] decodes into T, so any type that
// round-trips through encoding/json round-trips through the session. Values
// set during the request are returned as they were set.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"
)

// Session is one visitor's session during one request. Get it with
// FromRequest or FromContext. Its methods are safe for concurrent use by
// the goroutines serving one request; concurrent requests with the same
// key each have their own Session, and the last one saved wins (as in
// Django). A nil *Session (no session manager) reads as empty and ignores
// writes.
type Session struct {
	m   *Manager
	ctx context.Context
	r   *http.Request
	w   http.ResponseWriter

	mu        sync.Mutex
	loaded    bool
	hadCookie bool           // the request carried a session cookie
	stored    string         // the key the store holds the session under ("" none)
	key       string         // the session's key ("" until it is first saved)
	values    map[string]any // json.RawMessage as loaded, or the value set
	userID    string
	created   time.Time
	saved     time.Time // when the store last saved it
	modified  bool
	touch     bool // unmodified, but its idle expiry must be pushed back
	committed bool
	err       error // the load error, if the store failed
}

// payload is the stored form of a session.
type payload struct {
	Key     string                     `json:"k,omitempty"` // cookie store only
	Values  map[string]json.RawMessage `json:"v,omitempty"`
	UserID  string                     `json:"u,omitempty"`
	Created int64                      `json:"c"` // Unix nanoseconds
	Saved   int64                      `json:"s"`
}

// Get returns the value under key decoded as T, and whether it was there
// and decodes as T.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return typed[T](s, key)
}

// Pop returns the value under key decoded as T and deletes it.
func Pop[T any](s *Session, key string) (T, bool) {
	var zero T
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	v, ok := typed[T](s, key)
	if _, there := s.values[key]; there {
		delete(s.values, key)
		s.modified = true
	}
	return v, ok
}

// typed decodes the value under key as T (s.mu held). A loaded value is
// decoded from its JSON; a value set in this request is returned as set.
func typed[T any](s *Session, key string) (T, bool) {
	var zero T
	raw, ok := s.values[key]
	if !ok {
		return zero, false
	}
	if v, ok := raw.(T); ok {
		return v, true
	}
	msg, ok := raw.(json.RawMessage)
	if !ok {
		// Set with another type: go through JSON, as the next request would.
		b, err := json.Marshal(raw)
		if err != nil {
			return zero, false
		}
		msg = b
	}
	var v T
	if err := json.Unmarshal(msg, &v); err != nil {
		return zero, false
	}
	return v, true
}

// Set stores v under key. v must encode with encoding/json; a value that
// does not is an error, and the session is left unchanged.
func Set(s *Session, key string, v any) error {
	if s == nil {
		return errors.New("session: Set with no session (is a session manager installed?)")
	}
	if _, err := json.Marshal(v); err != nil {
		return fmt.Errorf("session: value for %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	s.values[key] = v
	s.modified = true
	return nil
}

// Delete removes the value under key.
func (s *Session) Delete(key string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.modified = true
	}
}

// Has reports whether a value is stored under key.
func (s *Session) Has(key string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	_, ok := s.values[key]
	return ok
}

// Keys returns the keys of the stored values, in no order.
func (s *Session) Keys() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	out := make([]string, 0, len(s.values))
	for k := range s.values {
		out = append(out, k)
	}
	return out
}

// Key returns the session's key, "" for a new session not yet saved. The
// key is a secret: never log or display it.
func (s *Session) Key() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.key
}

// UserID returns the user the session belongs to ("" when anonymous).
func (s *Session) UserID() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.userID
}

// SetUserID records the user the session belongs to, so that
// Manager.EndUserSessions can find it. Log-in code calls Rotate first.
func (s *Session) SetUserID(id string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.userID != id {
		s.userID = id
		s.modified = true
	}
}

// Modified reports whether the session changed during this request (and
// so will be saved).
func (s *Session) Modified() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}

// Created returns when the session was created (the start of its absolute
// timeout).
func (s *Session) Created() time.Time {
	if s == nil {
		return time.Time{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.created
}

// Err returns the error the store returned when the session was loaded, if
// any: the session then starts empty.
func (s *Session) Err() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.err
}

// Rotate gives the session a new key, keeping its data, and deletes the
// old key from the store at once, so a key an attacker planted (session
// fixation) or saw no longer loads. Call it on login and on any privilege
// change.
func (s *Session) Rotate(ctx context.Context) error {
	if s == nil {
		return errors.New("session: Rotate with no session")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.stored != "" {
		if err := s.m.keyed.Delete(ctx, s.stored); err != nil {
			return fmt.Errorf("session: rotate: %w", err)
		}
		s.stored = ""
	}
	s.key = NewKey()
	s.modified = true
	return nil
}

// Flush deletes the session from the store and starts a new, empty one
// with a new key: what logout calls.
func (s *Session) Flush(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.stored != "" {
		if err := s.m.keyed.Delete(ctx, s.stored); err != nil {
			return fmt.Errorf("session: flush: %w", err)
		}
		s.stored = ""
	}
	clear(s.values)
	s.userID = ""
	s.key = ""
	s.created = s.m.now()
	s.modified = true
	return nil
}

// encode returns the session's stored form (s.mu held).
func (s *Session) encode(withKey bool) ([]byte, error) {
	p := payload{Values: make(map[string]json.RawMessage, len(s.values)), UserID: s.userID,
		Created: s.created.UnixNano(), Saved: s.m.now().UnixNano()}
	if withKey {
		p.Key = s.key
	}
	for k, v := range maps.All(s.values) {
		if raw, ok := v.(json.RawMessage); ok {
			p.Values[k] = raw
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("session: value for %q: %w", k, err)
		}
		p.Values[k] = b
	}
	return json.Marshal(p)
}
