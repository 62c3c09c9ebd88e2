// Package signing signs and verifies short values (cookies, cursors, tokens)
// with HMAC-SHA256, and derives one key per purpose from the App's secret, so
// a value signed for one purpose never verifies for another.
//
// A signed value is text safe in cookies, URLs and headers:
//
//	base64url(payload) "." base64url(HMAC-SHA256(key, base64url(payload)))
//
// The MAC covers the encoded payload, so Unsign checks it (in constant time)
// before decoding anything. A timestamped value (SignAt) adds the signing
// time, in base-36 Unix seconds, under the MAC:
//
//	base64url(payload) "." base36(unix seconds) "." base64url(HMAC(key, the two before))
//
// A Signer signs with its key and verifies with its key, then with its
// fallback keys (earlier secrets), so the secret can be rotated without
// invalidating every cookie and token at once.
package signing

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is returned by Unsign for a value that was not signed with the
// Signer's key, was changed, or is malformed.
var ErrInvalid = errors.New("signing: invalid signature")

// ErrExpired is returned by UnsignAt for a genuine value older than its
// maximum age.
var ErrExpired = errors.New("signing: signature expired")

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

// Signer signs values with one key and verifies them with that key or any
// of its fallbacks. The zero value is not usable; build one with New or
// ForPurpose. A Signer is safe for concurrent use.
type Signer struct {
	key       []byte
	fallbacks [][]byte
}

// New returns a Signer for key and, for verifying only, fallbacks (use
// DeriveKey). It panics on an empty key: that is a wiring error, found at
// start-up.
func New(key []byte, fallbacks ...[]byte) *Signer {
	if len(key) == 0 {
		panic("signing: New with an empty key")
	}
	s := &Signer{key: append([]byte(nil), key...)}
	for _, f := range fallbacks {
		if len(f) > 0 {
			s.fallbacks = append(s.fallbacks, append([]byte(nil), f...))
		}
	}
	return s
}

// ForPurpose returns the Signer for purpose: its key derived from secret,
// and fallback keys derived from each of fallbacks (earlier secrets).
func ForPurpose(secret string, fallbacks []string, purpose string) *Signer {
	s := &Signer{key: DeriveKey(secret, purpose)}
	for _, f := range fallbacks {
		if f != "" {
			s.fallbacks = append(s.fallbacks, DeriveKey(f, purpose))
		}
	}
	return s
}

// MAC returns the HMAC-SHA256 of data under the Signer's key, for tokens
// with their own layout (password-reset links).
func (s *Signer) MAC(data []byte) []byte { return macWith(s.key, data) }

// VerifyMAC reports, in constant time per key, whether mac is data's MAC
// under the key or a fallback.
func (s *Signer) VerifyMAC(data, mac []byte) bool {
	if hmac.Equal(mac, macWith(s.key, data)) {
		return true
	}
	for _, k := range s.fallbacks {
		if hmac.Equal(mac, macWith(k, data)) {
			return true
		}
	}
	return false
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
	if err != nil || !s.VerifyMAC([]byte(enc), got) {
		return nil, ErrInvalid
	}
	payload, err := b64.DecodeString(enc)
	if err != nil {
		return nil, ErrInvalid
	}
	return payload, nil
}

func (s *Signer) mac(data []byte) []byte { return macWith(s.key, data) }

func macWith(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// SignAt returns payload encoded, stamped with t (to the second) and
// signed.
func (s *Signer) SignAt(payload []byte, t time.Time) string {
	out := b64.AppendEncode(nil, payload)
	out = append(out, '.')
	out = strconv.AppendInt(out, t.Unix(), 36)
	mac := s.mac(out)
	out = append(out, '.')
	return string(b64.AppendEncode(out, mac))
}

// UnsignAt verifies a value made by SignAt and returns its payload and
// signing time. A value signed more than maxAge before now is ErrExpired
// (maxAge 0: no limit), as is one dated more than a minute after now (a
// clock skew allowance); anything else wrong is ErrInvalid. Expiry is only
// reported for genuine values.
func (s *Signer) UnsignAt(signed string, maxAge time.Duration, now time.Time) ([]byte, time.Time, error) {
	i := strings.LastIndexByte(signed, '.')
	if i < 0 {
		return nil, time.Time{}, ErrInvalid
	}
	body, sig := signed[:i], signed[i+1:]
	enc, ts, ok := strings.Cut(body, ".")
	if !ok || strings.Contains(ts, ".") || ts == "" || len(ts) > 13 || b64.DecodedLen(len(sig)) != sha256.Size {
		return nil, time.Time{}, ErrInvalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !s.VerifyMAC([]byte(body), got) {
		return nil, time.Time{}, ErrInvalid
	}
	sec, err := strconv.ParseInt(ts, 36, 64)
	if err != nil {
		return nil, time.Time{}, ErrInvalid
	}
	payload, err := b64.DecodeString(enc)
	if err != nil {
		return nil, time.Time{}, ErrInvalid
	}
	at := time.Unix(sec, 0)
	if age := now.Sub(at); maxAge > 0 && age > maxAge || age < -time.Minute {
		return nil, at, ErrExpired
	}
	return payload, at, nil
}
