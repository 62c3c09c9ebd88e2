package mail_test

import (
	"context"
	"errors"
	"testing"

	"github.com/anode-go/anode/mail"
)

func valid() *mail.Message {
	return &mail.Message{From: "site@example.com", To: []string{"Ada <ada@example.com>"}, Subject: "Hi", Body: "hello"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*mail.Message)
		check  func(error) bool
	}{
		{"valid", func(*mail.Message) {}, func(err error) bool { return err == nil }},
		{"no from", func(m *mail.Message) { m.From = "" }, is(mail.ErrNoFrom)},
		{"no recipients", func(m *mail.Message) { m.To = nil }, is(mail.ErrNoRecipients)},
		{"bcc only is enough", func(m *mail.Message) { m.To, m.Bcc = nil, []string{"b@example.com"} }, func(err error) bool { return err == nil }},
		{"bad from", func(m *mail.Message) { m.From = "not an address" }, addrErr("From")},
		{"bad to", func(m *mail.Message) { m.To = []string{"ada@"} }, addrErr("To")},
		{"bad cc", func(m *mail.Message) { m.Cc = []string{"<>"} }, addrErr("Cc")},
		{"bad reply-to", func(m *mail.Message) { m.ReplyTo = []string{"x"} }, addrErr("Reply-To")},
		{"two addresses in one", func(m *mail.Message) { m.To = []string{"a@example.com, b@example.com"} }, addrErr("To")},
		// Header injection: every way a CR or LF could start a new header.
		{"subject CRLF", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, headerErr("Subject")},
		{"subject LF", func(m *mail.Message) { m.Subject = "Hi\nBcc: victim@example.com" }, headerErr("Subject")},
		{"subject CR", func(m *mail.Message) { m.Subject = "Hi\rBcc: victim@example.com" }, headerErr("Subject")},
		{"to CRLF", func(m *mail.Message) { m.To = []string{"ada@example.com\r\nBcc: victim@example.com"} }, addrErr("To")},
		{"from name LF", func(m *mail.Message) { m.From = "\"Ada\nBcc: v@example.com\" <ada@example.com>" }, addrErr("From")},
		{"header value CRLF", func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a\r\nBcc: v@example.com"} }, headerErr("X-Tag")},
		{"header name colon", func(m *mail.Message) { m.Headers = map[string]string{"X-A: b\r\nBcc": "v@example.com"} }, headerErr("X-A: b\r\nBcc")},
		{"header name space", func(m *mail.Message) { m.Headers = map[string]string{"X A": "b"} }, headerErr("X A")},
		{"header overrides bcc", func(m *mail.Message) { m.Headers = map[string]string{"bcc": "v@example.com"} }, headerErr("bcc")},
		{"header overrides content-type", func(m *mail.Message) { m.Headers = map[string]string{"Content-Type": "text/html"} }, headerErr("Content-Type")},
		{"custom header ok", func(m *mail.Message) { m.Headers = map[string]string{"List-Unsubscribe": "<https://example.com/u>"} }, func(err error) bool { return err == nil }},
		{"attachment name CRLF", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "a.txt\r\nX-Evil: 1", Data: []byte("x")}}
		}, headerErr("Content-Disposition")},
		{"attachment path", func(m *mail.Message) { m.Attachments = []mail.Attachment{{Filename: "../etc/passwd"}} }, headerErr("Content-Disposition")},
		{"attachment bad type", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "a", ContentType: "text/plain\r\nX-Evil: 1"}}
		}, headerErr("Content-Type")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			err := m.Validate()
			if !tt.check(err) {
				t.Fatalf("Validate() = %v (%T)", err, err)
			}
			if err != nil {
				// Every backend refuses what Validate refuses, before sending.
				var ob mail.Outbox
				if err2 := ob.Send(context.Background(), m); err2 == nil || ob.Len() != 0 {
					t.Fatalf("Outbox.Send accepted an invalid message: %v", err2)
				}
			}
		})
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func addrErr(field string) func(error) bool {
	return func(err error) bool {
		var ae *mail.AddressError
		return errors.As(err, &ae) && ae.Field == field
	}
}

func headerErr(name string) func(error) bool {
	return func(err error) bool {
		var he *mail.HeaderError
		return errors.As(err, &he) && he.Name == name
	}
}

func TestCloneIsDeep(t *testing.T) {
	m := valid()
	m.Headers = map[string]string{"X-A": "1"}
	m.Attachments = []mail.Attachment{{Filename: "a.txt", Data: []byte("abc")}}
	c := m.Clone()
	m.To[0], m.Headers["X-A"], m.Attachments[0].Data[0] = "x@example.com", "2", 'z'
	if c.To[0] != "Ada <ada@example.com>" || c.Headers["X-A"] != "1" || string(c.Attachments[0].Data) != "abc" {
		t.Fatalf("clone shares memory with the original: %+v", c)
	}
}
