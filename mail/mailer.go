package mail

import (
	"context"
	"slices"
)

// Backend delivers messages: Console, Outbox and SMTP here, or a user's own
// (an HTTP API of an email service, say). Send must validate every message
// (Message.Validate) before delivering any, honour ctx, and be safe for
// concurrent use.
type Backend interface {
	Send(ctx context.Context, msgs ...*Message) error
}

// DefaultFrom is the sender used when neither the Message nor the Mailer
// names one, as in Django.
const DefaultFrom = "webmaster@localhost"

// Mailer is what an application sends mail with: a Backend plus the default
// sender (App.Mailer returns the configured one). The zero value writes to
// the console from DefaultFrom. A Mailer is safe for concurrent use if its
// Backend is; do not change its fields while it is in use.
type Mailer struct {
	Backend Backend
	// From is used for messages whose From is empty. Default DefaultFrom.
	From string
}

var _ Backend = (*Mailer)(nil)

// Send sends msgs through the backend, filling an empty From with the
// Mailer's. The caller's messages are not modified. Every message is
// validated before any is sent.
func (m *Mailer) Send(ctx context.Context, msgs ...*Message) error {
	from := m.From
	if from == "" {
		from = DefaultFrom
	}
	out, copied := msgs, false
	for i, msg := range msgs {
		if msg == nil || msg.From != "" {
			continue
		}
		if !copied {
			out, copied = slices.Clone(msgs), true
		}
		c := *msg
		c.From = from
		out[i] = &c
	}
	b := m.Backend
	if b == nil {
		b = &stdoutConsole
	}
	return b.Send(ctx, out...)
}

// SendMail sends one plain-text message from the default sender, like
// Django's send_mail.
func (m *Mailer) SendMail(ctx context.Context, subject, body string, to ...string) error {
	return m.Send(ctx, &Message{Subject: subject, Body: body, To: to})
}

// stdoutConsole serves every zero Mailer, so their messages do not interleave.
var stdoutConsole Console
