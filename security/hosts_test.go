package security_test

import (
	"testing"

	"github.com/anode-go/anode/security"
)

func TestHostsMatrix(t *testing.T) {
	h, err := security.NewHosts("example.com", ".example.org", "127.0.0.1", "[::1]", "Upper.Test")
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"example.com":          true,
		"EXAMPLE.com":          true,
		"example.com:8000":     true,
		"example.com.":         true,
		"www.example.com":      false,
		"example.org":          true,
		"a.b.example.org":      true,
		"example.org:443":      true,
		"badexample.org":       false,
		"example.org.evil.com": false,
		"127.0.0.1":            true,
		"127.0.0.1:80":         true,
		"127.0.0.2":            false,
		"[::1]":                true,
		"[::1]:8000":           true,
		"::1":                  false,
		"upper.test":           true,
		"":                     false,
		"example.com:abc":      false,
		"example.com:":         false,
		"example.com:1:2":      false,
		"exa mple.com":         false,
		"example.com/x":        false,
		"user@example.com":     false,
		"[::1":                 false,
		".example.org":         false,
		"example..org":         false,
	} {
		if got := h.Allow(host); got != want {
			t.Errorf("Allow(%q) = %v, want %v", host, got, want)
		}
	}
	var zero *security.Hosts
	if zero.Allow("example.com") {
		t.Error("nil Hosts allowed a host")
	}
	empty, _ := security.NewHosts()
	if empty.Allow("localhost") {
		t.Error("empty Hosts allowed a host")
	}
	star, _ := security.NewHosts("*")
	if !star.Allow("anything.invalid:1") || !star.Any() {
		t.Error("* did not allow any host")
	}
}

func TestHostsBadPatterns(t *testing.T) {
	for _, p := range []string{"http://example.com", "example.com:80", "*.example.com", "example.com/", "a b"} {
		if _, err := security.NewHosts(p); err == nil {
			t.Errorf("NewHosts(%q) accepted", p)
		}
	}
}

func BenchmarkHostsAllow(b *testing.B) {
	h, _ := security.NewHosts("localhost", "127.0.0.1", ".example.com")
	b.ReportAllocs()
	for b.Loop() {
		if !h.Allow("www.example.com:8000") {
			b.Fatal("refused")
		}
	}
}
