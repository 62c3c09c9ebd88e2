package signing_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/internal/signing"
)

func TestRoundTrip(t *testing.T) {
	s := signing.New(signing.DeriveKey("secret", "test"))
	for _, payload := range [][]byte{nil, []byte("x"), []byte(`[{"l":25,"t":"Poll created"}]`), bytes.Repeat([]byte{0, 255}, 300)} {
		signed := s.Sign(payload)
		if strings.ContainsAny(signed, " ;,\"\\=+/") {
			t.Errorf("Sign(%q) = %q: not cookie-safe", payload, signed)
		}
		got, err := s.Unsign(signed)
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("Unsign(Sign(%q)) = %q, %v", payload, got, err)
		}
	}
}

func TestRejects(t *testing.T) {
	s := signing.New(signing.DeriveKey("secret", "test"))
	good := s.Sign([]byte("hello"))
	enc, sig, _ := strings.Cut(good, ".")
	flip := func(str string, i int) string {
		b := []byte(str)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct{ name, value string }{
		{"empty", ""},
		{"no signature", enc},
		{"empty signature", enc + "."},
		{"payload changed", flip(enc, 0) + "." + sig},
		{"signature changed", enc + "." + flip(sig, 3)},
		{"signature truncated", enc + "." + sig[:len(sig)-1]},
		{"extra part", good + ".x"},
		{"other purpose", signing.New(signing.DeriveKey("secret", "other")).Sign([]byte("hello"))},
		{"other secret", signing.New(signing.DeriveKey("secret2", "test")).Sign([]byte("hello"))},
		{"bad base64 payload", "!!!!." + sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := s.Unsign(tt.value); !errors.Is(err, signing.ErrInvalid) {
				t.Errorf("Unsign(%q) = %q, %v; want ErrInvalid", tt.value, got, err)
			}
		})
	}
}

func TestDeriveKey(t *testing.T) {
	a, b := signing.DeriveKey("s", "messages"), signing.DeriveKey("s", "messages")
	if !bytes.Equal(a, b) || len(a) != signing.KeySize {
		t.Fatalf("DeriveKey is not deterministic or has the wrong size: %x %x", a, b)
	}
	if bytes.Equal(a, signing.DeriveKey("s", "cursor")) || bytes.Equal(a, signing.DeriveKey("t", "messages")) {
		t.Fatal("different purposes or secrets gave the same key")
	}
}

func FuzzUnsign(f *testing.F) {
	s := signing.New(signing.DeriveKey("secret", "fuzz"))
	f.Add(s.Sign([]byte("hello")))
	f.Add("a.b")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		payload, err := s.Unsign(v)
		if err == nil && s.Sign(payload) != v {
			t.Fatalf("Unsign accepted %q, which Sign would not produce", v)
		}
	})
}
