package realtime_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/realtime"
)

func TestShutdownSendsGoingAway(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.ShutdownTimeout = 5 * time.Second
	app := anode.New(cfg)
	app.SetLogOutput(testLog{t})
	app.Realtime().Topic("t", openRule())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	t.Cleanup(func() { stop(); app.Close() })

	url := "ws://" + ln.Addr().String() + "/realtime/ws"
	var clients []*websocket.Conn
	for range 3 {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, _, err := websocket.Dial(dctx, url, nil)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		clients = append(clients, c)
	}
	for _, c := range clients {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, _, err := c.Read(rctx); err != nil { // hello
			t.Fatal(err)
		}
		cancel()
	}
	start := time.Now()
	stop()
	for i, c := range clients {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err := c.Read(rctx)
		cancel()
		if code := websocket.CloseStatus(err); code != realtime.CloseGoingAway {
			t.Errorf("client %d: %v (close %d), want 1001", i, err, code)
		}
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("shutdown took %v: realtime connections held it up", d)
	}
}
