package anode

import (
	"context"
	"os"
	"sync"

	"github.com/anode-go/anode/mail"
)

// mailState holds the App's Mailer, built from the Config on first use.
type mailState struct {
	once   sync.Once
	mailer *mail.Mailer
}

// defaultEmailURL is what an unset ANODE_EMAIL_URL means: the console in
// debug, so a developer sees password-reset mails in the terminal; in
// production a relay on the same host, as Django's EMAIL_HOST=localhost,
// EMAIL_PORT=25 defaults do (`check --deploy` warns that it is implicit).
func (c *Config) defaultEmailURL() string {
	if c.EmailURL != "" {
		return c.EmailURL
	}
	if c.Debug {
		return "console://"
	}
	return "smtp://localhost:25"
}

// normalizeMail validates the email settings; New calls it through
// normalize, so a bad ANODE_EMAIL_URL stops start-up.
func (c *Config) normalizeMail() {
	if _, err := mail.ParseURL(c.defaultEmailURL(), nil); err != nil {
		c.errs = append(c.errs, emailURLError(err))
	}
	if c.DefaultFromEmail == "" {
		c.DefaultFromEmail = mail.DefaultFrom
	} else if err := (&mail.Message{From: c.DefaultFromEmail, To: []string{"x@example.com"}}).Validate(); err != nil {
		c.errs = append(c.errs, &ConfigError{Var: "ANODE_DEFAULT_FROM_EMAIL", Value: c.DefaultFromEmail, Reason: err.Error()})
	}
}

// emailURLError names the variable; the value shown is the URL without its
// password.
func emailURLError(err error) *ConfigError {
	ce := &ConfigError{Var: "ANODE_EMAIL_URL", Reason: err.Error()}
	if ue, ok := err.(*mail.URLError); ok {
		ce.Value, ce.Reason = ue.URL, ue.Reason
	}
	return ce
}

// Mailer returns the App's Mailer: the backend ANODE_EMAIL_URL selects (see
// Config.EmailURL) with ANODE_DEFAULT_FROM_EMAIL as the default sender. The
// same Mailer is returned on every call; it is safe for concurrent use.
// anodetest Apps use an in-memory *mail.Outbox (anodetest.Outbox reads it).
func (a *App) Mailer() *mail.Mailer {
	a.mail.once.Do(func() {
		b, err := mail.ParseURL(a.cfg.defaultEmailURL(), os.Stdout)
		if err != nil {
			// Start refuses to run with this configuration; a Mailer used
			// before Start reports the same error on every send.
			b = failingBackend{err}
		}
		a.mail.mailer = &mail.Mailer{Backend: b, From: a.cfg.DefaultFromEmail}
	})
	return a.mail.mailer
}

type failingBackend struct{ err error }

var _ mail.Backend = failingBackend{}

func (f failingBackend) Send(context.Context, ...*mail.Message) error { return f.err }

// mailChecks are the deploy checks for email settings.
func (a *App) mailChecks() []Finding {
	var out []Finding
	if a.cfg.EmailURL == "" {
		out = append(out, Finding{ID: "anode.W010", Level: CheckWarning,
			Message: "ANODE_EMAIL_URL is not set: mail goes to an SMTP server on localhost:25",
			Hint:    "set ANODE_EMAIL_URL, e.g. smtp://user:password@smtp.example.com:587?tls=starttls"})
	} else if b, ok := a.Mailer().Backend.(*mail.SMTP); !ok {
		out = append(out, Finding{ID: "anode.W011", Level: CheckWarning,
			Message: "ANODE_EMAIL_URL does not deliver mail (console:// or memory://)",
			Hint:    "use smtp:// or smtps:// in production"})
	} else if b.TLS == mail.TLSNone && b.Username != "" {
		out = append(out, Finding{ID: "anode.W012", Level: CheckWarning,
			Message: "ANODE_EMAIL_URL sends a password with tls=none",
			Hint:    "use tls=starttls or smtps://"})
	}
	if a.cfg.DefaultFromEmail == mail.DefaultFrom {
		out = append(out, Finding{ID: "anode.W013", Level: CheckWarning,
			Message: "ANODE_DEFAULT_FROM_EMAIL is not set: mail is sent from " + mail.DefaultFrom,
			Hint:    "set it to an address of your domain, e.g. \"Polls <noreply@example.com>\""})
	}
	return out
}
