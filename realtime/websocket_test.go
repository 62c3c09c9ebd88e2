package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode/realtime"
)

func TestPublishSubscribe(t *testing.T) {
	app, srv := newApp(t, func(h *realtime.Hub) { h.Topic("chat:*", openRule()) })
	a, b := dial(t, srv, nil), dial(t, srv, nil)
	ack := a.subscribe("chat:lobby", nil)
	if ack.Offset != 0 {
		t.Errorf("first subscribe at offset %d, want 0", ack.Offset)
	}
	b.subscribe("chat:lobby", nil)

	pos, err := app.Realtime().Publish(context.Background(), "chat:lobby", map[string]string{"text": "hello"})
	if err != nil || pos.Offset != 1 || pos.Epoch != ack.Epoch {
		t.Fatalf("Publish = %+v, %v", pos, err)
	}
	for _, c := range []*wsClient{a, b} {
		m := c.expect("message")
		if m.Topic != "chat:lobby" || m.Offset != 1 || m.Epoch != ack.Epoch || string(m.Data) != `{"text":"hello"}` {
			t.Errorf("message = %+v data %s", m, m.Data)
		}
	}
	// A client publishes: an ack with the position, and the message to both.
	id := b.send(map[string]any{"type": "publish", "topic": "chat:lobby", "data": map[string]int{"n": 2}})
	// b receives its ack and the message in either order.
	got := map[string]frame{}
	for range 2 {
		f := b.read()
		got[f.Type] = f
	}
	if got["ack"].ID != id || got["ack"].Offset != 2 || got["message"].Offset != 2 {
		t.Errorf("publisher got %+v", got)
	}
	if m := a.expect("message"); m.Offset != 2 || string(m.Data) != `{"n":2}` {
		t.Errorf("subscriber got %+v", m)
	}
	// Unsubscribed: nothing more arrives.
	id = a.send(map[string]any{"type": "unsubscribe", "topic": "chat:lobby"})
	if f := a.expect("ack"); f.ID != id {
		t.Errorf("unsubscribe ack %+v", f)
	}
	app.Realtime().Publish(context.Background(), "chat:lobby", "x")
	b.expect("message")
	if f, err := a.tryRead(200 * time.Millisecond); err == nil {
		t.Errorf("after unsubscribe got %+v", f)
	}
}

// readMessages reads n message frames of topic (skipping acks).
func readMessages(t *testing.T, c *wsClient, n int) []frame {
	t.Helper()
	var out []frame
	for len(out) < n {
		f := c.read()
		switch f.Type {
		case "message":
			out = append(out, f)
		case "ack", "join", "leave":
		default:
			t.Fatalf("unexpected frame %+v", f)
		}
	}
	return out
}

func TestRecoveryExactlyOnceInOrder(t *testing.T) {
	app, srv := newApp(t, func(h *realtime.Hub) {
		r := openRule()
		r.History = 400
		h.Topic("feed", r)
	})
	hub := app.Realtime()
	ctx := context.Background()
	a := dial(t, srv, nil)
	a.subscribe("feed", nil)
	hub.Publish(ctx, "feed", 1)
	last := a.expect("message")
	a.c.Close(websocket.StatusNormalClosure, "")

	// Published while the client is away...
	for i := 2; i <= 4; i++ {
		hub.Publish(ctx, "feed", i)
	}
	// ...and while it reconnects: the merge of history and live messages
	// must give each offset once, in order.
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 5; i <= 300; i++ {
			hub.Publish(ctx, "feed", i)
		}
	})
	b := dial(t, srv, nil)
	id := b.send(map[string]any{"type": "subscribe", "topic": "feed", "recover": realtime.Position{Epoch: last.Epoch, Offset: last.Offset}})
	wg.Wait()
	ack := b.expect("ack")
	if ack.ID != id || ack.Recovered == nil || !*ack.Recovered || ack.Missed < 3 {
		t.Fatalf("recover ack = %+v", ack)
	}
	msgs := readMessages(t, b, 299)
	for i, m := range msgs {
		want := uint64(i + 2)
		if m.Offset != want || string(m.Data) != fmt.Sprint(want) {
			t.Fatalf("message %d: offset %d data %s, want %d", i, m.Offset, m.Data, want)
		}
	}
	if f, err := b.tryRead(200 * time.Millisecond); err == nil {
		t.Errorf("extra frame %+v", f)
	}
	// Recovering from the newest position: nothing missed.
	c := dial(t, srv, nil)
	ack = c.subscribe("feed", &realtime.Position{Epoch: last.Epoch, Offset: 300})
	if !*ack.Recovered || ack.Missed != 0 || ack.Offset != 300 {
		t.Errorf("up-to-date recover ack = %+v", ack)
	}
}

func TestRecoveryOutOfWindow(t *testing.T) {
	app, srv := newApp(t, func(h *realtime.Hub) {
		r := openRule()
		r.History = 3
		h.Topic("news", r)
		r.History = -1
		h.Topic("nohistory", r)
	})
	hub, ctx := app.Realtime(), context.Background()
	a := dial(t, srv, nil)
	first := a.subscribe("news", nil)
	for i := 1; i <= 10; i++ {
		hub.Publish(ctx, "news", i)
	}
	tests := []struct {
		name  string
		topic string
		pos   realtime.Position
		ok    bool
	}{
		{"within the window", "news", realtime.Position{Epoch: first.Epoch, Offset: 7}, true},
		{"fell out of the window", "news", realtime.Position{Epoch: first.Epoch, Offset: 6}, false},
		{"another epoch", "news", realtime.Position{Epoch: "zzzzzzzz", Offset: 9}, false},
		{"a future offset", "news", realtime.Position{Epoch: first.Epoch, Offset: 11}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv, nil)
			ack := c.subscribe(tt.topic, &tt.pos)
			if ack.Recovered == nil || *ack.Recovered != tt.ok || ack.Offset != 10 || ack.Epoch != first.Epoch {
				t.Fatalf("ack = %+v", ack)
			}
			if tt.ok {
				for i, m := range readMessages(t, c, 3) {
					if m.Offset != uint64(8+i) {
						t.Errorf("recovered offset %d, want %d", m.Offset, 8+i)
					}
				}
			} else if ack.Missed != 0 {
				t.Errorf("missed = %d with recovered false", ack.Missed)
			}
		})
	}
	t.Run("live after a failed recovery", func(t *testing.T) {
		c := dial(t, srv, nil)
		c.subscribe("news", &realtime.Position{Epoch: first.Epoch, Offset: 1})
		hub.Publish(ctx, "news", "live")
		if m := readMessages(t, c, 1)[0]; string(m.Data) != `"live"` || m.Offset != 11 {
			t.Errorf("live message %+v", m)
		}
	})
	t.Run("no history", func(t *testing.T) {
		c := dial(t, srv, nil)
		ack := c.subscribe("nohistory", nil)
		hub.Publish(ctx, "nohistory", 1)
		c.expect("message")
		d := dial(t, srv, nil)
		if ack2 := d.subscribe("nohistory", &realtime.Position{Epoch: ack.Epoch, Offset: 0}); *ack2.Recovered {
			t.Errorf("recovered without history: %+v", ack2)
		}
	})
}

func TestAuthorization(t *testing.T) {
	_, srv := newApp(t, func(h *realtime.Hub) {
		h.Identify(func(r *http.Request) (realtime.Identity, error) {
			switch r.Header.Get("X-Test-User") {
			case "":
				return realtime.Identity{}, nil
			case "banned":
				return realtime.Identity{}, realtime.ErrUnauthorized
			case "broken":
				return realtime.Identity{}, errors.New("database down")
			default:
				return realtime.Identity{UserID: r.Header.Get("X-Test-User")}, nil
			}
		})
		h.Topic("public:*", realtime.Rule{Subscribe: realtime.Anyone})
		h.Topic("members:*", realtime.Rule{Subscribe: realtime.SignedIn, Publish: realtime.SignedIn})
		h.Topic("user:*", realtime.Rule{Subscribe: func(ctx context.Context, c *realtime.Client, topic string) error {
			if topic != "user:"+c.Identity().UserID {
				return &realtime.Error{Code: "not_yours", Message: "another user's topic"}
			}
			return nil
		}})
	})
	anon := dial(t, srv, nil)
	alice := dial(t, srv, http.Header{"X-Test-User": {"alice"}})
	if alice.hello.Client == anon.hello.Client {
		t.Error("two connections share a client ID")
	}
	refused := func(c *wsClient, typ, topic, code string) {
		t.Helper()
		id := c.send(map[string]any{"type": typ, "topic": topic, "data": 1})
		f := c.expect("error")
		if f.ID != id || f.Code != code {
			t.Errorf("%s %s: got %+v, want error %s", typ, topic, f, code)
		}
	}
	refused(anon, "subscribe", "secret", "forbidden")          // no rule
	refused(anon, "publish", "public:news", "forbidden")       // no Publish policy
	refused(anon, "subscribe", "members:chat", "unauthorized") // SignedIn
	refused(alice, "subscribe", "user:bob", "not_yours")       // custom policy
	refused(alice, "subscribe", "bad topic!", "bad_topic")     // invalid name
	refused(alice, "unsubscribe", "public:news", "not_subscribed")
	anon.subscribe("public:news", nil)
	alice.subscribe("members:chat", nil)
	alice.subscribe("user:alice", nil)

	for user, status := range map[string]int{"banned": http.StatusUnauthorized, "broken": http.StatusForbidden} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPHeader: http.Header{"X-Test-User": {user}}})
		cancel()
		if err == nil || resp == nil || resp.StatusCode != status {
			t.Errorf("handshake as %s: err %v, response %v; want %d", user, err, resp, status)
		}
	}
}

func TestEmitAcknowledgements(t *testing.T) {
	_, srv := newApp(t, func(h *realtime.Hub) {
		h.Handle("add", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
			var nums []int
			if err := json.Unmarshal(data, &nums); err != nil {
				return nil, &realtime.Error{Code: "bad_numbers", Message: "want an array of numbers"}
			}
			sum := 0
			for _, n := range nums {
				sum += n
			}
			c.Set("last", sum)
			return map[string]int{"sum": sum}, nil
		})
		h.Handle("last", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
			return c.Value("last"), nil
		})
		h.Handle("fail", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
			return nil, errors.New("secret internal detail")
		})
		h.Handle("panic", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
			panic("boom")
		})
		h.Handle("push", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
			return nil, c.Emit("pushed", "to you alone")
		})
	})
	c := dial(t, srv, nil)
	id := c.send(map[string]any{"type": "emit", "event": "add", "data": []int{1, 2, 3}})
	if f := c.expect("ack"); f.ID != id || string(f.Data) != `{"sum":6}` {
		t.Errorf("add ack = %+v %s", f, f.Data)
	}
	id = c.send(map[string]any{"type": "emit", "event": "last"})
	if f := c.expect("ack"); f.ID != id || string(f.Data) != `6` {
		t.Errorf("per-connection metadata: %+v %s", f, f.Data)
	}
	for event, code := range map[string]string{"nope": "unknown_event", "fail": "internal", "panic": "internal"} {
		id := c.send(map[string]any{"type": "emit", "event": event, "data": "x"})
		f := c.expect("error")
		if f.ID != id || f.Code != code || strings.Contains(f.Message, "secret") {
			t.Errorf("emit %s: %+v", event, f)
		}
	}
	id = c.send(map[string]any{"type": "emit", "event": "add", "data": "nope"})
	if f := c.expect("error"); f.ID != id || f.Code != "bad_numbers" {
		t.Errorf("typed handler error: %+v", f)
	}
	c.send(map[string]any{"type": "emit", "event": "push"})
	got := map[string]frame{}
	for range 2 {
		f := c.read()
		got[f.Type] = f
	}
	if got["emit"].Event != "pushed" || string(got["emit"].Data) != `"to you alone"` {
		t.Errorf("server emit: %+v", got)
	}
}

func TestBadInput(t *testing.T) {
	_, srv := newHub(t, realtime.Options{MaxMessageBytes: 1024}, func(h *realtime.Hub) { h.Topic("t", openRule()) })
	c := dial(t, srv, nil)
	ctx := context.Background()
	for _, raw := range []string{`{`, `[]`, `"x"`, `{"type":"dance"}`, `{"type":"subscribe","topic":123}`, `{"type":"publish","topic":"t"}`, `null`} {
		c.c.Write(ctx, websocket.MessageText, []byte(raw))
		if f := c.expect("error"); f.Code != "bad_request" && f.Code != "bad_topic" {
			t.Errorf("%s: %+v", raw, f)
		}
	}
	c.subscribe("t", nil) // still usable
	c.c.Write(ctx, websocket.MessageText, []byte(strings.Repeat("x", 2000)))
	if code := c.closeCode(5 * time.Second); code != websocket.StatusMessageTooBig {
		t.Errorf("oversized frame: close %d, want 1009", code)
	}
	d := dial(t, srv, nil)
	d.c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3})
	if code := d.closeCode(5 * time.Second); code != realtime.CloseProtocolError {
		t.Errorf("binary frame: close %d, want %d", code, realtime.CloseProtocolError)
	}
}

func TestSlowConsumer(t *testing.T) {
	hub, srv := newHub(t, realtime.Options{SendQueue: 64}, func(h *realtime.Hub) { h.Topic("firehose", openRule()) })
	slow, fast := dial(t, srv, nil), dial(t, srv, nil)
	slow.subscribe("firehose", nil)
	fast.subscribe("firehose", nil)
	payload := strings.Repeat("x", 32<<10)
	const n = 400 // 12.8 MB: more than the slow client's socket buffers and queue hold
	got := make(chan int, n)
	go func() {
		defer close(got)
		for i := 0; i < n; {
			f, err := fast.tryRead(10 * time.Second)
			if err != nil {
				return
			}
			if f.Type == "message" {
				i++
				got <- i
			}
		}
	}()
	// The publisher goes at the fast client's pace; the slow one never
	// reads. Neither the publisher nor the fast client may be held up.
	start := time.Now()
	received := 0
	for i := range n {
		if _, err := hub.Publish(context.Background(), "firehose", payload); err != nil {
			t.Fatal(err)
		}
		select {
		case k, ok := <-got:
			if !ok {
				t.Fatalf("the fast client stopped after %d of %d messages", received, n)
			}
			received = k
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d did not reach the fast client", i+1)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("400 messages took %v", d)
	}
	if received != n {
		t.Errorf("the fast client got %d of %d messages", received, n)
	}
	// The slow client, reading at last, finds its queue cut off and the
	// close code.
	if code := slow.closeCode(15 * time.Second); code != realtime.CloseSlowConsumer {
		t.Errorf("slow consumer closed with %d, want %d", code, realtime.CloseSlowConsumer)
	}
}

func TestRateLimit(t *testing.T) {
	_, srv := newHub(t, realtime.Options{RateLimit: 1, RateBurst: 3}, func(h *realtime.Hub) { h.Topic("t", openRule()) })
	c := dial(t, srv, nil)
	for i := range 3 {
		c.send(map[string]any{"type": "presence", "topic": "t"})
		if f := c.read(); f.Type == "error" && f.Code == "rate_limited" {
			t.Fatalf("frame %d refused within the burst", i)
		}
	}
	c.send(map[string]any{"type": "presence", "topic": "t"})
	if f := c.expect("error"); f.Code != "rate_limited" {
		t.Errorf("over the limit: %+v", f)
	}
	for range 10 {
		c.send(map[string]any{"type": "presence", "topic": "t"})
	}
	if code := c.closeCode(5 * time.Second); code != realtime.CloseRateLimited {
		t.Errorf("flooding: close %d, want %d", code, realtime.CloseRateLimited)
	}
}

func TestPresence(t *testing.T) {
	_, srv := newHub(t, realtime.Options{Identify: func(r *http.Request) (realtime.Identity, error) {
		return realtime.Identity{UserID: r.Header.Get("X-User"), Info: json.RawMessage(`{"name":"` + r.Header.Get("X-User") + `"}`)}, nil
	}}, func(h *realtime.Hub) {
		r := openRule()
		r.Presence = true
		h.Topic("room:*", r)
		h.Topic("quiet", realtime.Rule{Subscribe: realtime.Anyone})
	})
	alice := dial(t, srv, http.Header{"X-User": {"alice"}})
	alice.subscribe("room:1", nil)
	if f := alice.expect("join"); f.Member.UserID != "alice" || f.Member.ClientID != alice.hello.Client {
		t.Errorf("own join: %+v", f)
	}
	bob := dial(t, srv, http.Header{"X-User": {"bob"}})
	bob.subscribe("room:1", nil)
	bob.expect("join")
	if f := alice.expect("join"); f.Member.UserID != "bob" || string(f.Member.Info) != `{"name":"bob"}` {
		t.Errorf("bob's join seen by alice: %+v", f)
	}
	id := alice.send(map[string]any{"type": "presence", "topic": "room:1"})
	f := alice.expect("ack")
	var got struct{ Members []realtime.Member }
	json.Unmarshal(f.Data, &got)
	if f.ID != id || len(got.Members) != 2 {
		t.Errorf("members: %+v %s", f, f.Data)
	}
	bob.c.Close(websocket.StatusNormalClosure, "")
	if f := alice.expect("leave"); f.Member.UserID != "bob" {
		t.Errorf("leave: %+v", f)
	}
	alice.subscribe("quiet", nil)
	alice.send(map[string]any{"type": "presence", "topic": "quiet"})
	if f := alice.expect("error"); f.Code != "no_presence" {
		t.Errorf("presence of a topic without it: %+v", f)
	}
}

func TestOrigin(t *testing.T) {
	_, srv := newHub(t, realtime.Options{
		AllowedHosts:   []string{"app.example.com", ".example.org", "*"},
		TrustedOrigins: []string{"https://partner.example.net"},
	}, nil)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // not a browser
		{"http://" + host, true},
		{"https://app.example.com", true},
		{"https://example.org", true},
		{"https://chat.example.org:8443", true},
		{"https://partner.example.net", true},
		{"http://partner.example.net", false},
		{"https://evil.example.com", false},
		{"https://example.org.evil.com", false},
		{"https://evil.com", false},
		{"null", false},
		{"http://127.0.0.2", false},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		hdr := http.Header{}
		if tt.origin != "" {
			hdr.Set("Origin", tt.origin)
		}
		c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPHeader: hdr})
		cancel()
		if tt.ok != (err == nil) {
			t.Errorf("Origin %q: err %v, want ok=%v", tt.origin, err, tt.ok)
		}
		if err == nil {
			c.CloseNow()
		} else if !tt.ok && (resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("Origin %q: response %v, want 403", tt.origin, resp)
		}
	}
}

func TestHeartbeat(t *testing.T) {
	_, srv := newHub(t, realtime.Options{PingInterval: 100 * time.Millisecond, PongTimeout: 300 * time.Millisecond}, func(h *realtime.Hub) {
		h.Topic("t", openRule())
	})
	// A client that reads answers pings (coder/websocket does it while
	// reading) and stays connected well past several intervals.
	alive := dial(t, srv, nil)
	frames := make(chan error, 1)
	go func() {
		_, err := alive.tryRead(1500 * time.Millisecond) // nothing arrives: a timeout
		frames <- err
	}()
	time.Sleep(time.Second)
	alive.send(map[string]any{"type": "subscribe", "topic": "t"})
	if err := <-frames; err != nil {
		t.Fatalf("a responsive client lost its connection: %v", err)
	}

	// A client that never reads never answers: closed as idle.
	idle := dial(t, srv, nil)
	time.Sleep(time.Second)
	if code := idle.closeCode(5 * time.Second); code != realtime.CloseIdleTimeout {
		t.Errorf("unresponsive client: close %d, want %d", code, realtime.CloseIdleTimeout)
	}
}

func TestCompressionOptIn(t *testing.T) {
	for _, on := range []bool{false, true} {
		_, srv := newHub(t, realtime.Options{Compression: on}, func(h *realtime.Hub) { h.Topic("t", openRule()) })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		ext := resp.Header.Get("Sec-WebSocket-Extensions")
		if strings.Contains(ext, "permessage-deflate") != on {
			t.Errorf("Compression %v: extensions %q", on, ext)
		}
		w := &wsClient{t: t, c: c}
		w.expect("hello")
		w.subscribe("t", nil)
		c.CloseNow()
	}
}
