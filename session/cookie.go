package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/anode-go/anode/internal/signing"
)

// CookieStore keeps the whole session in the signed cookie itself: nothing
// is stored server-side. The Manager recognises it and encodes the session
// into the cookie value, so its Store methods hold nothing. Values are
// signed, not encrypted: the visitor can read them. A rotated or flushed
// session's old cookie cannot be revoked (it stays valid until it expires
// if someone kept a copy), and DeleteUser is unsupported; use the database
// or Redis store where that matters.
type CookieStore struct {
	// MaxSize is the largest cookie value written, in bytes. Default 4000
	// (browsers keep at least 4096 bytes per cookie, name included). A
	// larger session is not saved, and the error is logged.
	MaxSize int
	signer  *signing.Signer
}

var _ Store = (*CookieStore)(nil)

// NewCookieStore returns a cookie store signing with key (derive it from
// the secret key for this purpose alone) and accepting cookies signed with
// any of fallbacks (keys derived from earlier secrets).
func NewCookieStore(key []byte, fallbacks ...[]byte) *CookieStore {
	return &CookieStore{signer: signing.New(key, fallbacks...)}
}

// Load always returns ErrNotFound: the data is in the cookie.
func (*CookieStore) Load(context.Context, string) (Entry, error) { return Entry{}, ErrNotFound }

// Save does nothing: the Manager writes the cookie.
func (*CookieStore) Save(context.Context, string, Entry) error { return nil }

// Delete does nothing: the Manager clears the cookie.
func (*CookieStore) Delete(context.Context, string) error { return nil }

// DeleteUser is unsupported: other browsers' cookies are out of reach.
func (*CookieStore) DeleteUser(context.Context, string, string) error {
	return fmt.Errorf("session: the cookie store cannot end other sessions: %w", errors.ErrUnsupported)
}

type cookieEntry struct {
	Data   json.RawMessage `json:"d"`
	Expiry int64           `json:"e"`
}

func (c *CookieStore) encode(e Entry) (string, error) {
	b, err := json.Marshal(cookieEntry{Data: e.Data, Expiry: e.Expiry.Unix()})
	if err != nil {
		return "", err
	}
	v := c.signer.Sign(b)
	max := c.MaxSize
	if max <= 0 {
		max = 4000
	}
	if len(v) > max {
		return "", fmt.Errorf("session: the cookie store's value is %d bytes, over the %d-byte limit: store less or use the db store", len(v), max)
	}
	return v, nil
}

// decode verifies and decodes a cookie value; a tampered or foreign value
// is ErrNotFound, so the request gets an empty session.
func (c *CookieStore) decode(v string) (Entry, error) {
	b, err := c.signer.Unsign(v)
	if err != nil {
		return Entry{}, ErrNotFound
	}
	var ce cookieEntry
	if json.Unmarshal(b, &ce) != nil {
		return Entry{}, ErrNotFound
	}
	return Entry{Data: ce.Data, Expiry: time.Unix(ce.Expiry, 0)}, nil
}
