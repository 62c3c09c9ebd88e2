package anode_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/mail"
)

func TestMailerFromConfig(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want func(mail.Backend) bool
	}{
		{map[string]string{"ANODE_DEBUG": "true"}, func(b mail.Backend) bool { _, ok := b.(*mail.Console); return ok }},
		{map[string]string{"ANODE_SECRET_KEY": strings.Repeat("k", 32)}, func(b mail.Backend) bool {
			s, ok := b.(*mail.SMTP)
			return ok && s.Addr() == "localhost:25"
		}},
		{map[string]string{"ANODE_DEBUG": "true", "ANODE_EMAIL_URL": "memory://"}, func(b mail.Backend) bool { _, ok := b.(*mail.Outbox); return ok }},
		{map[string]string{"ANODE_DEBUG": "true", "ANODE_EMAIL_URL": "smtps://u:p@smtp.example.com"}, func(b mail.Backend) bool {
			s, ok := b.(*mail.SMTP)
			return ok && s.TLS == mail.TLSImplicit && s.Username == "u"
		}},
	}
	for _, tt := range tests {
		app := anode.New(anode.LoadConfig(tt.env, ""))
		if cfg := app.Config(); cfg.Err() != nil {
			err := cfg.Err()
			t.Fatalf("%v: %v", tt.env, err)
		}
		m := app.Mailer()
		if !tt.want(m.Backend) || m != app.Mailer() {
			t.Errorf("%v: backend %#v", tt.env, m.Backend)
		}
		if m.From != mail.DefaultFrom {
			t.Errorf("%v: From %q", tt.env, m.From)
		}
	}
	app := anode.New(anode.LoadConfig(map[string]string{"ANODE_DEBUG": "true", "ANODE_EMAIL_URL": "memory://", "ANODE_DEFAULT_FROM_EMAIL": "Polls <polls@example.com>"}, ""))
	if err := app.Mailer().SendMail(context.Background(), "s", "b", "a@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := app.Mailer().Backend.(*mail.Outbox).Messages()[0].From; got != "Polls <polls@example.com>" {
		t.Errorf("From = %q", got)
	}
}

func TestMailConfigErrors(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"ANODE_EMAIL_URL", "smtp://user:hunter2@smtp.example.com?tls=maybe"},
		{"ANODE_EMAIL_URL", "pigeon://"},
		{"ANODE_DEFAULT_FROM_EMAIL", "not an address"},
		{"ANODE_DEFAULT_FROM_EMAIL", "a@example.com\r\nBcc: b@example.com"},
	} {
		app := anode.New(anode.LoadConfig(map[string]string{"ANODE_DEBUG": "true", tt.name: tt.value}, ""))
		err := app.Start(context.Background())
		var ce *anode.ConfigError
		if !errors.As(err, &ce) || ce.Var != tt.name {
			t.Errorf("%s=%q: Start = %v, want a ConfigError naming the variable", tt.name, tt.value, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
		if tt.name == "ANODE_EMAIL_URL" {
			// Used before Start, the Mailer reports the same problem.
			if err := app.Mailer().SendMail(context.Background(), "s", "b", "a@example.com"); err == nil {
				t.Errorf("%q: Mailer sent with a bad URL", tt.value)
			}
		}
	}
}

func TestMailDeployChecks(t *testing.T) {
	ids := func(env map[string]string) []string {
		env["ANODE_SECRET_KEY"] = "0123456789abcdef0123456789abcdef"
		env["ANODE_ALLOWED_HOSTS"] = "example.com"
		env["ANODE_HTTPS_REDIRECT"] = "true"
		var out []string
		for _, f := range anode.New(anode.LoadConfig(env, "")).RunChecks(context.Background(), true) {
			out = append(out, f.ID)
		}
		return out
	}
	if got := ids(map[string]string{}); !slices.Contains(got, "anode.W010") || !slices.Contains(got, "anode.W013") {
		t.Errorf("unset: %v", got)
	}
	if got := ids(map[string]string{"ANODE_EMAIL_URL": "console://"}); !slices.Contains(got, "anode.W011") {
		t.Errorf("console: %v", got)
	}
	if got := ids(map[string]string{"ANODE_EMAIL_URL": "smtp://u:p@h?tls=none"}); !slices.Contains(got, "anode.W012") {
		t.Errorf("tls=none with a password: %v", got)
	}
	if got := ids(map[string]string{"ANODE_EMAIL_URL": "smtp://u:p@h:587?tls=starttls", "ANODE_DEFAULT_FROM_EMAIL": "a@example.com",
		"ANODE_SESSION_COOKIE_SECURE": "true", "ANODE_CSRF_COOKIE_SECURE": "true"}); len(got) != 0 {
		t.Errorf("configured: %v", got)
	}
}
