package security

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

// A CSRF secret is 32 random bytes. The secret itself never appears in a
// page: pages carry tokens, each a fresh 32-byte mask followed by the
// secret XORed with that mask, base64url-encoded (86 characters). Every
// token differs, so a compressed response that reflects attacker-chosen
// text beside the token leaks nothing about it (BREACH); any token made
// from the current secret is accepted.
const (
	secretLen      = 32
	tokenLen       = 2 * secretLen
	secretTextLen  = 43 // base64url of 32 bytes, unpadded
	tokenTextLen   = 86 // base64url of 64 bytes, unpadded
	maxTokenLength = 256
)

var b64 = base64.RawURLEncoding.Strict()

// errBadSecret is returned by NewTokenFor for a value that is not a secret.
var errBadSecret = errors.New("security: not a CSRF secret")

// newSecret returns a fresh random secret.
func newSecret() []byte {
	s := make([]byte, secretLen)
	rand.Read(s) // never fails (crypto/rand)
	return s
}

// encodeSecret and decodeSecret convert a secret to and from the text kept
// in the cookie or the session.
func encodeSecret(s []byte) string { return b64.EncodeToString(s) }

func decodeSecret(text string) ([]byte, bool) {
	if len(text) != secretTextLen {
		return nil, false
	}
	s, err := b64.DecodeString(text)
	if err != nil || len(s) != secretLen {
		return nil, false
	}
	return s, true
}

// maskSecret returns a new token for secret, under a fresh random mask.
func maskSecret(secret []byte) string {
	var buf [tokenLen]byte
	mask, masked := buf[:secretLen], buf[secretLen:]
	rand.Read(mask)
	subtle.XORBytes(masked, mask, secret)
	return b64.EncodeToString(buf[:])
}

// unmaskToken returns the secret a token carries, or false when the token
// is not well formed (wrong length or alphabet). It does not say whether
// the secret is the right one: compare with tokenMatches.
func unmaskToken(token string) ([]byte, bool) {
	if len(token) != tokenTextLen {
		return nil, false
	}
	var buf [tokenLen]byte
	n, err := b64.Decode(buf[:], []byte(token))
	if err != nil || n != tokenLen {
		return nil, false
	}
	secret := make([]byte, secretLen)
	subtle.XORBytes(secret, buf[:secretLen], buf[secretLen:])
	return secret, true
}

// tokenMatches reports in constant time whether token carries secret.
func tokenMatches(token string, secret []byte) bool {
	got, ok := unmaskToken(token)
	if !ok || len(secret) != secretLen {
		return false
	}
	return subtle.ConstantTimeCompare(got, secret) == 1
}

// NewTokenFor returns a fresh CSRF token for the secret held in a CSRF
// cookie's value. It is for test clients and tools that hold the cookie
// jar, as anodetest.Client does; pages and handlers use Token. A value
// that is not a CSRF secret is an error.
func NewTokenFor(cookieValue string) (string, error) {
	s, ok := decodeSecret(cookieValue)
	if !ok {
		return "", errBadSecret
	}
	return maskSecret(s), nil
}
