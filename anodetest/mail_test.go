package anodetest_test

import (
	"net/http"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/mail"
)

func TestOutboxCollectsAppMail(t *testing.T) {
	mod := anode.Module{Name: "notify", Routes: func(r *anode.Router) {
		r.HandleFunc("POST /notify/", func(w http.ResponseWriter, r *http.Request) error {
			return anode.FromContext(r.Context()).Mailer().SendMail(r.Context(), "Ping", "pong", "ada@example.com")
		})
	}}
	app := anodetest.NewApp(t, mod)
	if n := len(anodetest.SentMail(t, app)); n != 0 {
		t.Fatalf("fresh app has %d messages", n)
	}
	anodetest.NewClient(t, app).Post("/notify/", nil).AssertStatus(http.StatusOK)
	msgs := anodetest.SentMail(t, app)
	if len(msgs) != 1 || msgs[0].Subject != "Ping" || msgs[0].From != mail.DefaultFrom || msgs[0].To[0] != "ada@example.com" {
		t.Fatalf("sent = %+v", msgs)
	}
	anodetest.Outbox(t, app).Clear()

	// A Config without EmailURL still gets the outbox: tests never send real mail by accident.
	cfg := anodetest.Config(t)
	cfg.EmailURL, cfg.DefaultFromEmail = "", "Site <site@example.com>"
	app2 := anodetest.NewAppConfig(t, cfg)
	if err := app2.Mailer().SendMail(t.Context(), "s", "b", "x@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := anodetest.SentMail(t, app2); len(got) != 1 || got[0].From != "Site <site@example.com>" {
		t.Fatalf("sent = %+v", got)
	}
}
