package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/realtime"
)

// chatApp is the chat room of docs/realtime.md: anyone may read a room,
// messages go through a server-side handler that validates them and
// publishes them with the sender's identity.
func chatApp(cfg anode.Config) *anode.App {
	app := anode.New(cfg)
	hub := app.Realtime()
	hub.Topic("room:*", realtime.Rule{Subscribe: realtime.Anyone, Presence: true})
	hub.Handle("say", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
		var in struct{ Room, Text string }
		if json.Unmarshal(data, &in) != nil || in.Text == "" || len(in.Text) > 500 || !realtime.ValidTopic("room:"+in.Room) {
			return nil, &realtime.Error{Code: "bad_message", Message: "want a room and 1-500 characters of text"}
		}
		return hub.Publish(ctx, "room:"+in.Room, map[string]string{"from": c.Identity().UserID, "text": in.Text})
	})
	return app
}

// A chat room: a client subscribes to a room, says something through the
// "say" handler, gets the acknowledgement and the message.
func Example_chatRoom() {
	app := chatApp(anode.Config{SecretKey: "example-secret-key-0123456789-0123456789", DataDir: "", AllowedHosts: []string{"127.0.0.1"}})
	app.SetLogOutput(nopWriter{})
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	defer app.Realtime().Close()

	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/realtime/ws", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.CloseNow()
	send := func(s string) { conn.Write(ctx, websocket.MessageText, []byte(s)) }
	read := func() map[string]any {
		_, p, _ := conn.Read(ctx)
		var f map[string]any
		json.Unmarshal(p, &f)
		return f
	}
	read() // hello
	send(`{"type":"subscribe","id":1,"topic":"room:lobby"}`)
	fmt.Println(read()["type"], "subscribed") // ack
	read()                                    // our own presence join
	send(`{"type":"emit","id":2,"event":"say","data":{"Room":"lobby","Text":"hello"}}`)
	for range 2 { // the ack and the message, in either order
		f := read()
		switch f["type"] {
		case "ack":
			fmt.Println("ack", f["id"])
		case "message":
			fmt.Println("message", f["topic"], f["offset"], f["data"].(map[string]any)["text"])
		}
	}
	send(`{"type":"emit","id":3,"event":"say","data":{"Room":"lobby"}}`)
	fmt.Println(read()["code"])
	// Unordered output:
	// ack subscribed
	// ack 2
	// message room:lobby 1 hello
	// bad_message
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
