package security

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	secret := newSecret()
	seen := map[string]bool{}
	for range 100 {
		tok := maskSecret(secret)
		if len(tok) != tokenTextLen {
			t.Fatalf("token %q: length %d, want %d", tok, len(tok), tokenTextLen)
		}
		if seen[tok] {
			t.Fatalf("token %q handed out twice: the mask must be fresh every time", tok)
		}
		seen[tok] = true
		if strings.Contains(tok, encodeSecret(secret)) {
			t.Fatalf("token %q shows the secret", tok)
		}
		if !tokenMatches(tok, secret) {
			t.Fatalf("token %q does not match its own secret", tok)
		}
		if tokenMatches(tok, newSecret()) {
			t.Fatalf("token %q matches another secret", tok)
		}
	}
	if tokenMatches(maskSecret(secret), nil) || tokenMatches("", secret) {
		t.Fatal("an empty secret or token matched")
	}
}

func TestNewTokenFor(t *testing.T) {
	secret := newSecret()
	tok, err := NewTokenFor(encodeSecret(secret))
	if err != nil || !tokenMatches(tok, secret) {
		t.Fatalf("NewTokenFor: %q, %v", tok, err)
	}
	for _, bad := range []string{"", "short", encodeSecret(secret) + "A", strings.Repeat("*", secretTextLen), base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32))} {
		if _, err := NewTokenFor(bad); err == nil {
			t.Errorf("NewTokenFor(%q) accepted", bad)
		}
	}
}

// fuzzSecret is the secret the fuzzers' tokens are checked against.
var fuzzSecret = bytes.Repeat([]byte{0x5a}, secretLen)

// FuzzUnmaskToken feeds arbitrary text to the token parser: it must never
// panic, and it may accept a token only if the token really is the
// secret under some mask (checked here independently of unmaskToken).
func FuzzUnmaskToken(f *testing.F) {
	valid := maskSecret(fuzzSecret)
	for _, seed := range []string{
		"", valid, valid[:85], valid + "A", strings.ToUpper(valid), strings.Repeat("A", tokenTextLen),
		strings.Repeat("=", tokenTextLen), strings.Repeat("/", tokenTextLen), strings.Repeat("\x00", tokenTextLen),
		encodeSecret(fuzzSecret), "é" + valid[2:], valid[:84] + "A_", strings.Repeat("a", 4096),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		got, ok := unmaskToken(tok)
		if ok != (len(got) == secretLen) {
			t.Fatalf("unmaskToken(%q) = %x, %v", tok, got, ok)
		}
		if !tokenMatches(tok, fuzzSecret) {
			return
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil || len(raw) != tokenLen {
			t.Fatalf("accepted %q, which is not 64 bytes of base64url (%v)", tok, err)
		}
		for i := range secretLen {
			if raw[i]^raw[secretLen+i] != fuzzSecret[i] {
				t.Fatalf("accepted %q, which does not carry the secret", tok)
			}
		}
	})
}

// FuzzTamperedToken changes one character of a valid token (and may cut
// or extend it): the result must never be accepted.
func FuzzTamperedToken(f *testing.F) {
	f.Add(uint8(0), byte('A'), int8(0))
	f.Add(uint8(42), byte('-'), int8(0))
	f.Add(uint8(85), byte('B'), int8(0))
	f.Add(uint8(85), byte('A'), int8(-1))
	f.Add(uint8(3), byte('='), int8(2))
	f.Fuzz(func(t *testing.T, pos uint8, c byte, cut int8) {
		valid := maskSecret(fuzzSecret)
		b := []byte(valid)
		b[int(pos)%len(b)] = c
		switch {
		case cut < 0:
			b = b[:len(b)+max(int(cut), -len(b))]
		case cut > 0:
			b = append(b, bytes.Repeat([]byte{c}, int(cut))...)
		}
		tampered := string(b)
		if tampered == valid {
			return
		}
		if tokenMatches(tampered, fuzzSecret) {
			t.Fatalf("tampered token %q (from %q) accepted", tampered, valid)
		}
	})
}
