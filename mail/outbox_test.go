package mail_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/anode-go/anode/mail"
)

func TestOutbox(t *testing.T) {
	var ob mail.Outbox
	m := valid()
	if err := ob.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m.Subject = "changed after sending"
	got := ob.Messages()
	if len(got) != 1 || got[0].Subject != "Hi" {
		t.Fatalf("outbox = %+v", got)
	}
	got[0].Subject = "changed by the reader"
	if ob.Messages()[0].Subject != "Hi" {
		t.Fatal("Messages returned the outbox's own copy")
	}
	// All or nothing: one invalid message keeps the valid ones out too.
	bad := valid()
	bad.To = []string{"nope"}
	if err := ob.Send(context.Background(), valid(), bad); err == nil || ob.Len() != 1 {
		t.Fatalf("Send with an invalid message: err %v, len %d", err, ob.Len())
	}
	ob.Clear()
	if ob.Len() != 0 {
		t.Fatal("Clear left messages")
	}
}

func TestOutboxConcurrent(t *testing.T) {
	var ob mail.Outbox
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 10 {
				if err := ob.Send(context.Background(), valid()); err != nil {
					t.Error(err)
				}
				_ = ob.Messages()
			}
		})
	}
	wg.Wait()
	if ob.Len() != 160 {
		t.Fatalf("Len = %d, want 160", ob.Len())
	}
}

func TestMailerDefaultFrom(t *testing.T) {
	ob := &mail.Outbox{}
	m := &mail.Mailer{Backend: ob, From: "Site <noreply@example.com>"}
	msg := valid()
	msg.From = ""
	if err := m.Send(context.Background(), msg, valid()); err != nil {
		t.Fatal(err)
	}
	if msg.From != "" {
		t.Fatal("Send modified the caller's message")
	}
	if err := m.SendMail(context.Background(), "Subject", "Body", "b@example.com"); err != nil {
		t.Fatal(err)
	}
	got := ob.Messages()
	if got[0].From != "Site <noreply@example.com>" || got[1].From != "site@example.com" || got[2].From != "Site <noreply@example.com>" {
		t.Fatalf("From = %q, %q, %q", got[0].From, got[1].From, got[2].From)
	}
	zero := &mail.Mailer{Backend: ob}
	if err := zero.SendMail(context.Background(), "s", "b", "c@example.com"); err != nil {
		t.Fatal(err)
	}
	if from := ob.Messages()[3].From; from != mail.DefaultFrom {
		t.Fatalf("zero Mailer From = %q", from)
	}
	if err := zero.SendMail(context.Background(), "s", "b"); !errors.Is(err, mail.ErrNoRecipients) {
		t.Fatalf("no recipients: %v", err)
	}
}
