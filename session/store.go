package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// ErrNotFound is returned by Store.Load for a key that has no live session
// (never saved, deleted, or expired).
var ErrNotFound = errors.New("session: not found")

// Store keeps sessions server-side. It is the small interface under the
// Manager: implementations store opaque bytes by key and need not know the
// session format. Every method must be safe for concurrent use.
//
// The keys a Manager passes are not the cookie's session keys but their
// SHA-256 (storeKey), so a copy of the store — a leaked sessions table, a
// cache dump — holds no key a browser could present.
type Store interface {
	// Load returns the live entry saved under key, or ErrNotFound.
	Load(ctx context.Context, key string) (Entry, error)
	// Save stores e under key until e.Expiry, replacing any entry.
	Save(ctx context.Context, key string, e Entry) error
	// Delete removes the entry under key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeleteUser removes every session of userID except the one under
	// exceptKey ("" removes them all). A store that cannot find a user's
	// sessions returns an error wrapping errors.ErrUnsupported.
	DeleteUser(ctx context.Context, userID, exceptKey string) error
}

// Entry is what a Store keeps for one session.
type Entry struct {
	// Data is the encoded session (the Manager's format, opaque to stores).
	Data []byte
	// Expiry is when the session ends; a store may drop it from then on.
	Expiry time.Time
	// UserID is the authenticated user's key ("" for anonymous sessions),
	// kept so DeleteUser can end a user's other sessions.
	UserID string
}

// keyBytes is the entropy of a session key: 256 bits.
const keyBytes = 32

// keyLen is the length of a key in base64url without padding.
var keyLen = base64.RawURLEncoding.EncodedLen(keyBytes)

// NewKey returns a new random session key: 256 bits from crypto/rand,
// base64url without padding (43 characters).
func NewKey() string {
	var b [keyBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand panics if the system source does)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashedKeys is a Store addressed by session keys: it passes each key's
// storeKey to the Store under it, so the Manager never hands a store a key
// a browser could present.
type hashedKeys struct{ Store }

func (h hashedKeys) Load(ctx context.Context, key string) (Entry, error) {
	return h.Store.Load(ctx, storeKey(key))
}

func (h hashedKeys) Save(ctx context.Context, key string, e Entry) error {
	return h.Store.Save(ctx, storeKey(key), e)
}

func (h hashedKeys) Delete(ctx context.Context, key string) error {
	return h.Store.Delete(ctx, storeKey(key))
}

func (h hashedKeys) DeleteUser(ctx context.Context, userID, exceptKey string) error {
	if exceptKey != "" {
		exceptKey = storeKey(exceptKey)
	}
	return h.Store.DeleteUser(ctx, userID, exceptKey)
}

// storeKey is what the Manager stores a session under: the base64url
// SHA-256 of its key (43 characters, the shape of a key). A fast hash is
// enough: a key holds 256 random bits, which no number of guesses reaches,
// so a slow or salted hash would add only cost (as for API tokens).
func storeKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validKey reports whether k has the shape NewKey produces, so a forged
// cookie value never reaches a store.
func validKey(k string) bool {
	if len(k) != keyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
