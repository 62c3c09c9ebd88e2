package anodetest

import (
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/mail"
)

// Outbox returns the in-memory outbox that app's Mailer sends to, like
// Django's mail.outbox. The test fails if app was configured with another
// email backend.
//
//	c.Post("/accounts/password_reset/", form).AssertStatus(302)
//	msgs := anodetest.Outbox(t, app).Messages()
func Outbox(t testing.TB, app *anode.App) *mail.Outbox {
	t.Helper()
	ob, ok := app.Mailer().Backend.(*mail.Outbox)
	if !ok {
		t.Fatalf("anodetest: the app's email backend is %T, not the in-memory outbox (ANODE_EMAIL_URL=memory://)", app.Mailer().Backend)
	}
	return ob
}

// SentMail returns the messages app has sent so far, oldest first.
func SentMail(t testing.TB, app *anode.App) []*mail.Message {
	t.Helper()
	return Outbox(t, app).Messages()
}
