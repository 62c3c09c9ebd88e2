package mail_test

import (
	"context"
	"fmt"

	"github.com/anode-go/anode/mail"
)

// A Mailer fills the default sender and hands messages to its backend; here
// the in-memory Outbox that tests use (App.Mailer returns the one configured
// by ANODE_EMAIL_URL).
func Example() {
	outbox := &mail.Outbox{}
	mailer := &mail.Mailer{Backend: outbox, From: "Polls <noreply@example.com>"}

	err := mailer.Send(context.Background(), &mail.Message{
		To:      []string{"Ada Lovelace <ada@example.com>"},
		Subject: "Your poll closed",
		Body:    "42 votes.",
		HTML:    "<p><b>42</b> votes.</p>",
		Attachments: []mail.Attachment{
			{Filename: "results.csv", Data: []byte("choice,votes\nyes,42\n")},
		},
	})
	fmt.Println(err)

	for _, m := range outbox.Messages() {
		fmt.Println(m.From, "→", m.To, m.Subject, len(m.Attachments))
	}

	// Header injection is refused before anything is sent.
	err = mailer.SendMail(context.Background(), "Hi\r\nBcc: everyone@example.com", "spam", "ada@example.com")
	fmt.Println(err)
	// Output:
	// <nil>
	// Polls <noreply@example.com> → [Ada Lovelace <ada@example.com>] Your poll closed 1
	// mail: header "Subject"="Hi\r\nBcc: everyone@example.com": contains a line break or NUL (header injection)
}

// ParseURL builds a backend from an ANODE_EMAIL_URL value.
func ExampleParseURL() {
	b, err := mail.ParseURL("smtp://user:secret@smtp.example.com:587?tls=starttls&timeout=10s", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := b.(*mail.SMTP)
	fmt.Println(s.Addr(), s.TLS, s.Timeout)

	_, err = mail.ParseURL("smtp://user:secret@smtp.example.com?tls=maybe", nil)
	fmt.Println(err)
	// Output:
	// smtp.example.com:587 starttls 10s
	// mail: email URL "smtp://user:xxxxx@smtp.example.com?tls=maybe": tls must be opportunistic, starttls or none (use smtps:// for implicit TLS)
}
