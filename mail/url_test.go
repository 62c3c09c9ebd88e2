package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/mail"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want mail.SMTP
	}{
		{"smtp://localhost", mail.SMTP{Host: "localhost"}},
		{"smtp://mail.example.com:2525?tls=none", mail.SMTP{Host: "mail.example.com", Port: 2525, TLS: mail.TLSNone}},
		{"smtp://u%40example.com:p%40ss@smtp.example.com:587?tls=starttls&timeout=5s&helo=web1.example.com",
			mail.SMTP{Host: "smtp.example.com", Port: 587, Username: "u@example.com", Password: "p@ss", TLS: mail.TLSStartTLS, Timeout: 5 * time.Second, LocalName: "web1.example.com"}},
		{"smtps://user:pw@smtp.example.com", mail.SMTP{Host: "smtp.example.com", Username: "user", Password: "pw", TLS: mail.TLSImplicit}},
	}
	for _, tt := range tests {
		b, err := mail.ParseURL(tt.url, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		s, ok := b.(*mail.SMTP)
		if !ok || *s != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.url, b, tt.want)
		}
	}
	if b, err := mail.ParseURL("smtps://h", nil); err != nil || b.(*mail.SMTP).Addr() != "h:465" {
		t.Errorf("smtps default port: %v %v", b, err)
	}
	if b, err := mail.ParseURL("memory://", nil); err != nil || b.(*mail.Outbox) == nil {
		t.Errorf("memory://: %v %v", b, err)
	}
	if b, err := mail.ParseURL("console://", nil); err != nil || b.(*mail.Console) == nil {
		t.Errorf("console://: %v %v", b, err)
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, raw := range []string{
		"", "smtp://", "smtp:///path", "http://x", "smtp://h:0", "smtp://h:99999", "smtp://h/x",
		"smtp://h?tls=sometimes", "smtps://h?tls=none", "smtp://h?timeout=soon", "smtp://h?timeout=-1s",
		"smtp://h?color=blue", "console://host", "memory://?x=1",
		"smtp://user:secret@h?tls=bad", "smtp://user:secret@h:bad port",
	} {
		_, err := mail.ParseURL(raw, nil)
		var ue *mail.URLError
		if !errors.As(err, &ue) {
			t.Errorf("%q: err = %v, want *URLError", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error shows the password: %v", raw, err)
		}
	}
}
