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
		"":                         "",
		"memory://":                "",
		"redis://127.0.0.1:6379/0": "the redis broker is not built yet",
		"nats://127.0.0.1:4222":    "the nats broker is not built yet",
		"kafka://x":                `unknown scheme "kafka"`,
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
