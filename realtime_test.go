package anode_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func TestRealtimeBrokerURL(t *testing.T) {
	for url, want := range map[string]string{
		"":          "",
		"memory://": "",
		// Unreachable servers stop start-up without showing the password.
		"redis://:s3cret@127.0.0.1:1/0":                   "cannot reach the server",
		"rediss://u:s3cret@127.0.0.1:1/0":                 "cannot reach the server",
		"nats://u:s3cret@127.0.0.1:1":                     "cannot reach the server",
		"redis://:s3cret@127.0.0.1:1/0?presence_ttl=soon": `presence_ttl="soon"`,
		"nats://127.0.0.1:1?prefix=a.b":                   `prefix "a.b"`,
		"nats://127.0.0.1:1?colour=red":                   `unknown option "colour"`,
		"kafka://x":                                       `unknown scheme "kafka"`,
	} {
		cfg := anodetest.Config(t)
		cfg.BrokerURL = url
		app := anode.New(cfg)
		app.SetLogOutput(io.Discard)
		app.Realtime()
		err := app.Start(context.Background())
		app.Close()
		var ce *anode.ConfigError
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", url, err)
		case want != "" && (!errors.As(err, &ce) || ce.Var != "ANODE_BROKER_URL" || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want a ConfigError for ANODE_BROKER_URL saying %q", url, err, want)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%q: the error shows the password: %v", url, err)
		}
	}
}

// A module that builds the hub in its Init (as examples/polls does) gets
// a bad ANODE_BROKER_URL reported by Start too, not a memory broker.
func TestRealtimeBrokerURLFromInit(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.BrokerURL = "kafka://x"
	app := anode.New(cfg)
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{Name: "live", Init: func(ctx context.Context, app *anode.App) error {
		app.Realtime()
		return nil
	}})
	err := app.Start(context.Background())
	app.Close()
	var ce *anode.ConfigError
	if !errors.As(err, &ce) || ce.Var != "ANODE_BROKER_URL" {
		t.Fatalf("Start = %v, want a ConfigError for ANODE_BROKER_URL", err)
	}
}

func TestRealtimeRoutesAndClient(t *testing.T) {
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(io.Discard)
	hub := app.Realtime()
	if app.Realtime() != hub {
		t.Fatal("Realtime returned a second hub")
	}
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for name, want := range map[string]string{"realtime-ws": "/realtime/ws", "realtime-sse": "/realtime/sse"} {
		if got, err := app.URL(name); err != nil || got != want {
			t.Errorf("URL(%q) = %q, %v", name, got, err)
		}
	}
	c := anodetest.NewClient(t, app)
	c.Get("/static/anode.js").AssertStatus(200).AssertText("Anode.Realtime")
	// A plain GET is not a WebSocket handshake.
	c.Get("/realtime/ws").AssertStatus(426)

	plain := anode.New(anodetest.Config(t))
	plain.SetLogOutput(io.Discard)
	defer plain.Close()
	if err := plain.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	anodetest.NewClient(t, plain).Get("/static/anode.js").AssertStatus(200)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "after the app started") {
			t.Errorf("Realtime after start: panic %v", p)
		}
	}()
	plain.Realtime()
}
