// Package signing signs and verifies short values (cookies, cursors, tokens)
// with HMAC-SHA256, and derives one key per purpose from the App's secret, so
// a value signed for one purpose never verifies for another.
//
// A signed value is text safe in cookies, URLs and headers:
//
//	base64url(payload) "." base64url(HMAC-SHA256(key, base64url(payload)))
//
// The MAC covers the encoded payload, so Unsign checks it (in constant time)
// before decoding anything.
package signing

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// ErrInvalid is returned by Unsign for a value that was not signed with the
// Signer's key, was changed, or is malformed.
var ErrInvalid = errors.New("signing: invalid signature")

// KeySize is the length in bytes of derived keys.
const KeySize = 32

var b64 = base64.RawURLEncoding.Strict()

// DeriveKey returns the key for purpose ("messages", "pagination.cursor")
// derived from secret with HKDF-SHA256. Equal inputs give equal keys; any
// other purpose gives an unrelated key.
func DeriveKey(secret, purpose string) []byte {
	key, err := hkdf.Key(sha256.New, []byte(secret), []byte("anode.signing"), purpose, KeySize)
	if err != nil { // only for lengths HKDF cannot produce; KeySize is not one
		panic("signing: " + err.Error())
	}
	return key
}

// Signer signs and verifies values with one key. The zero value is not
// usable; build one with New. A Signer is safe for concurrent use.
type Signer struct {
	key []byte
}

// New returns a Signer for key (use DeriveKey). It panics on an empty key:
// that is a wiring error, found at start-up.
func New(key []byte) *Signer {
	if len(key) == 0 {
		panic("signing: New with an empty key")
	}
	return &Signer{key: append([]byte(nil), key...)}
}

// Sign returns payload encoded and signed.
func (s *Signer) Sign(payload []byte) string {
	n := b64.EncodedLen(len(payload))
	out := make([]byte, n, n+1+b64.EncodedLen(sha256.Size))
	b64.Encode(out, payload)
	mac := s.mac(out)
	out = append(out, '.')
	out = b64.AppendEncode(out, mac)
	return string(out)
}

// Unsign verifies a value made by Sign and returns its payload, or
// ErrInvalid.
func (s *Signer) Unsign(signed string) ([]byte, error) {
	enc, sig, ok := strings.Cut(signed, ".")
	if !ok || strings.Contains(sig, ".") || b64.DecodedLen(len(sig)) != sha256.Size {
		return nil, ErrInvalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac([]byte(enc))) {
		return nil, ErrInvalid
	}
	payload, err := b64.DecodeString(enc)
	if err != nil {
		return nil, ErrInvalid
	}
	return payload, nil
}

func (s *Signer) mac(data []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(data)
	return h.Sum(nil)
}
