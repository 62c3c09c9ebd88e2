package signing_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/anode-go/anode/internal/signing"
)

func TestRotation(t *testing.T) {
	old := signing.ForPurpose("old-secret", nil, "p")
	rotated := signing.ForPurpose("new-secret", []string{"newer-unused", "old-secret"}, "p")
	dropped := signing.ForPurpose("new-secret", nil, "p")
	other := signing.ForPurpose("new-secret", []string{"old-secret"}, "q")

	v := old.Sign([]byte("x"))
	if got, err := rotated.Unsign(v); err != nil || string(got) != "x" {
		t.Errorf("fallback key: %q, %v", got, err)
	}
	if _, err := dropped.Unsign(v); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("dropped fallback still verifies: %v", err)
	}
	if _, err := other.Unsign(v); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("other purpose verifies: %v", err)
	}
	// New values are signed with the new key only.
	if _, err := old.Unsign(rotated.Sign([]byte("x"))); err == nil {
		t.Error("rotated signer signed with the old key")
	}
	now := time.Unix(1_800_000_000, 0)
	ts := old.SignAt([]byte("y"), now)
	if got, at, err := rotated.UnsignAt(ts, time.Hour, now.Add(time.Minute)); err != nil || string(got) != "y" || !at.Equal(now) {
		t.Errorf("timestamped fallback: %q %v %v", got, at, err)
	}
	mac := old.MAC([]byte("data"))
	if !rotated.VerifyMAC([]byte("data"), mac) || dropped.VerifyMAC([]byte("data"), mac) {
		t.Error("VerifyMAC ignores the fallbacks")
	}
}

func TestTimestamped(t *testing.T) {
	s := signing.ForPurpose("secret", nil, "ts")
	now := time.Unix(1_800_000_000, 0)
	v := s.SignAt([]byte("hello"), now)
	for _, tt := range []struct {
		name   string
		maxAge time.Duration
		at     time.Time
		err    error
	}{
		{"fresh", time.Hour, now.Add(59 * time.Minute), nil},
		{"no limit", 0, now.Add(1000 * time.Hour), nil},
		{"expired", time.Hour, now.Add(61 * time.Minute), signing.ErrExpired},
		{"from the future", time.Hour, now.Add(-2 * time.Minute), signing.ErrExpired},
		{"small skew", time.Hour, now.Add(-30 * time.Second), nil},
	} {
		got, _, err := s.UnsignAt(v, tt.maxAge, tt.at)
		if !errors.Is(err, tt.err) || err == nil && !bytes.Equal(got, []byte("hello")) {
			t.Errorf("%s: %q, %v; want %v", tt.name, got, err, tt.err)
		}
	}
	// A plain value is not a timestamped one, and the reverse.
	if _, _, err := s.UnsignAt(s.Sign([]byte("hello")), 0, now); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("plain value accepted as timestamped: %v", err)
	}
	if _, err := s.Unsign(v); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("timestamped value accepted as plain: %v", err)
	}
	// Changing the timestamp breaks the signature.
	for i := range len(v) {
		b := []byte(v)
		b[i] ^= 1
		if _, _, err := s.UnsignAt(string(b), 0, now); err == nil {
			t.Errorf("flipped byte %d accepted: %q", i, b)
		}
	}
}

func FuzzUnsignRotatedTimestamped(f *testing.F) {
	s := signing.ForPurpose("secret", []string{"old"}, "fuzz")
	old := signing.ForPurpose("old", nil, "fuzz")
	now := time.Unix(1_800_000_000, 0)
	for _, seed := range []string{
		s.Sign([]byte("payload")), s.SignAt([]byte("payload"), now), old.Sign(nil), old.SignAt([]byte{0, 1}, now),
		"", ".", "..", "a.b", "a.b.c", "a..b", "-1.x.y", "\x00.\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p1, err1 := s.Unsign(v)
		p2, at, err2 := s.UnsignAt(v, 0, now)
		// Anything accepted must re-sign to itself: a tampered value
		// (other bytes, another encoding of the same payload) never passes.
		if err1 == nil && s.Sign(p1) != v && old.Sign(p1) != v {
			t.Fatalf("Unsign accepted a value it did not make: %q", v)
		}
		if err2 == nil && s.SignAt(p2, at) != v && old.SignAt(p2, at) != v {
			t.Fatalf("UnsignAt accepted a value it did not make: %q", v)
		}
	})
}
