package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anode-go/anode/orm"
)

// A token is tokenScheme followed by 43 base64url characters: 32 random
// bytes. Its first tokenPrefixLen characters after the scheme are stored
// in clear as Token.Prefix, to find the row and to show the user which
// token is which; the rest is known only to the token's holder.
//
// Only SHA-256(token) is stored. A fast hash is enough here, unlike for
// passwords: a password is guessable, so its hash must make each guess
// expensive (argon2id); a token holds 256 random bits, which no number of
// fast guesses reaches, and each is unique, so no salt is needed either.
// A slow hash would only add its cost to every API request.
const (
	tokenScheme    = "anode_"
	tokenPrefixLen = 8
	tokenBytes     = 32
)

// tokenTouchEvery is how stale Token.LastUsed may get: a busy token is
// written once a minute, not on every request.
const tokenTouchEvery = time.Minute

// ErrTokenNotFound is returned by RevokeToken for a token that does not
// exist (any more).
var ErrTokenNotFound = errors.New("auth: no such API token")

// CreateToken makes a personal API token for u named name, valid for ttl
// (0 or less: until revoked), and returns it in plain text with its saved
// row. The plain text is shown to the user once and never stored; a lost
// token is revoked and replaced.
func CreateToken(ctx context.Context, db *orm.DB, u *User, name string, ttl time.Duration) (string, *Token, error) {
	if u == nil || u.ID == 0 {
		return "", nil, errors.New("auth: create token: the user is not saved")
	}
	secret := make([]byte, tokenBytes)
	rand.Read(secret) // never fails (crypto/rand)
	plain := tokenScheme + base64.RawURLEncoding.EncodeToString(secret)
	now := time.Now().UTC()
	t := &Token{
		User:    orm.FK[User]{ID: u.ID},
		Name:    name,
		Prefix:  plain[len(tokenScheme) : len(tokenScheme)+tokenPrefixLen],
		Hash:    hashToken(plain),
		Created: now,
	}
	if ttl > 0 {
		t.Expires = orm.NullOf(now.Add(ttl))
	}
	if err := orm.Create(ctx, db, t); err != nil {
		return "", nil, fmt.Errorf("auth: create token %q for user %d: %w", name, u.ID, err)
	}
	return plain, t, nil
}

// RevokeToken ends t at once: requests carrying it are anonymous from now
// on. The row stays, for the record; t.Revoked is set.
func RevokeToken(ctx context.Context, db *orm.DB, t *Token) error {
	n, err := orm.From[Token](db).Filter("id", t.ID).Update(ctx, orm.Set("Revoked", true))
	if err != nil {
		return fmt.Errorf("auth: revoke token %d: %w", t.ID, err)
	}
	if n == 0 {
		return ErrTokenNotFound
	}
	t.Revoked = true
	return nil
}

func hashToken(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}

// bearerToken returns the token of r's "Authorization: Bearer" header,
// or "" when there is none.
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// userForToken returns the active user of a valid token, or nil: a
// malformed, unknown, revoked or expired token, or an inactive user. It
// finds the row by prefix and compares hashes in constant time.
func (c *config) userForToken(ctx context.Context, plain string) (*User, any, error) {
	if !strings.HasPrefix(plain, tokenScheme) || len(plain) != len(tokenScheme)+base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return nil, nil, nil
	}
	db := c.app.DB()
	rows, err := orm.From[Token](db).Filter("prefix", plain[len(tokenScheme):len(tokenScheme)+tokenPrefixLen]).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: looking up an API token: %w", err)
	}
	want := []byte(hashToken(plain))
	var t *Token
	for i := range rows {
		if subtle.ConstantTimeCompare([]byte(rows[i].Hash), want) == 1 {
			t = &rows[i]
		}
	}
	now := c.now().UTC()
	if t == nil || !t.Valid(now) {
		return nil, nil, nil
	}
	u, obj, err := c.users.get(ctx, db, "id", t.User.ID)
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: loading token %d's user: %w", t.ID, err)
	}
	if !u.IsActive {
		return nil, nil, nil
	}
	if !t.LastUsed.Valid || now.Sub(t.LastUsed.V) >= tokenTouchEvery {
		t.LastUsed = orm.NullOf(now)
		if err := orm.SaveFields(ctx, db, t, "LastUsed"); err != nil {
			return nil, nil, fmt.Errorf("auth: token %d last used: %w", t.ID, err)
		}
	}
	u.perms = &permCache{}
	return u, obj, nil
}
