package security_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anode-go/anode/security"
)

func TestSignerJSON(t *testing.T) {
	s := security.NewSigner("secret", nil, "newsletter")
	v, err := s.SignJSON(map[string]int{"user": 7})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := s.UnsignJSON(v, time.Hour, &got); err != nil || got["user"] != 7 {
		t.Fatalf("UnsignJSON = %v, %v", got, err)
	}
	if err := s.UnsignJSON(v[:len(v)-2]+"AA", time.Hour, &got); !errors.Is(err, security.ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	if err := security.NewSigner("secret", nil, "other").UnsignJSON(v, 0, &got); !errors.Is(err, security.ErrBadSignature) {
		t.Errorf("other purpose: %v", err)
	}
	if _, err := s.SignJSON(func() {}); err == nil {
		t.Error("SignJSON of a func succeeded")
	}
}
