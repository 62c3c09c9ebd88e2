package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func offsets(ms []realtime.Message) []uint64 {
	var out []uint64
	for _, m := range ms {
		out = append(out, m.Offset)
	}
	return out
}

func TestMemoryBrokerHistory(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	b := realtime.NewMemoryBroker(realtime.MemoryOptions{Now: clk.now, IdleTTL: time.Minute})
	ctx := context.Background()
	opts := realtime.PublishOptions{History: 3, HistoryTTL: 10 * time.Second}
	for i := 1; i <= 5; i++ {
		m, err := b.Publish(ctx, "t", json.RawMessage(fmt.Sprint(i)), opts)
		if err != nil || m.Offset != uint64(i) {
			t.Fatalf("publish %d: %+v %v", i, m, err)
		}
		clk.add(time.Second)
	}
	h, _ := b.History(ctx, "t", 0, 10)
	if fmt.Sprint(offsets(h.Messages)) != "[3 4 5]" || h.Latest.Offset != 5 {
		t.Errorf("count bound: %v latest %+v", offsets(h.Messages), h.Latest)
	}
	if h2, _ := b.History(ctx, "t", 3, 1); fmt.Sprint(offsets(h2.Messages)) != "[4]" {
		t.Errorf("after 3, limit 1: %v", offsets(h2.Messages))
	}
	if h3, _ := b.History(ctx, "t", 5, 0); len(h3.Messages) != 0 || h3.Latest != h.Latest {
		t.Errorf("position only: %+v", h3)
	}
	clk.add(8500 * time.Millisecond) // messages 3 and 4 (published at 2s and 3s) are now older than 10s
	if h4, _ := b.History(ctx, "t", 0, 10); fmt.Sprint(offsets(h4.Messages)) != "[5]" {
		t.Errorf("age bound: %v", offsets(h4.Messages))
	}
	// Without history the offset still advances.
	m, _ := b.Publish(ctx, "t", json.RawMessage(`6`), realtime.PublishOptions{})
	if m.Offset != 6 || m.Epoch != h.Latest.Epoch {
		t.Errorf("no-history publish: %+v", m)
	}
	// Once unused and idle the topic is dropped: a new epoch.
	clk.add(2 * time.Minute)
	b.Publish(ctx, "other", json.RawMessage(`1`), realtime.PublishOptions{}) // sweeps
	if h5, _ := b.History(ctx, "t", 0, 10); h5.Latest.Epoch == h.Latest.Epoch || h5.Latest.Offset != 0 {
		t.Errorf("idle topic kept: %+v", h5.Latest)
	}
	b.Close()
	if _, err := b.Publish(ctx, "t", json.RawMessage(`1`), opts); err != realtime.ErrClosed {
		t.Errorf("after Close: %v", err)
	}
}

func TestMemoryBrokerOrderUnderConcurrency(t *testing.T) {
	b := realtime.NewMemoryBroker(realtime.MemoryOptions{})
	ctx := context.Background()
	var mu sync.Mutex
	var got []uint64
	cancel, err := b.Subscribe(ctx, "t", func(e realtime.Event) {
		mu.Lock()
		got = append(got, e.Message.Offset)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Publish(ctx, "t", json.RawMessage(`1`), realtime.PublishOptions{History: 10})
			}
		})
	}
	wg.Wait()
	cancel()
	b.Publish(ctx, "t", json.RawMessage(`1`), realtime.PublishOptions{})
	if len(got) != 800 {
		t.Fatalf("delivered %d, want 800", len(got))
	}
	for i, o := range got {
		if o != uint64(i+1) {
			t.Fatalf("delivery %d has offset %d: out of order", i, o)
		}
	}
}

func TestMemoryPresence(t *testing.T) {
	b := realtime.NewMemoryBroker(realtime.MemoryOptions{})
	ctx := context.Background()
	var events []string
	b.Subscribe(ctx, "room", func(e realtime.Event) { events = append(events, fmt.Sprint(e.Kind, e.Member.UserID)) })
	b.Join(ctx, "room", realtime.Member{ClientID: "c1", UserID: "u1"})
	b.Join(ctx, "room", realtime.Member{ClientID: "c1", UserID: "u1"}) // refresh: no event
	b.Join(ctx, "room", realtime.Member{ClientID: "c2", UserID: "u2"})
	b.Leave(ctx, "room", "c1")
	b.Leave(ctx, "room", "c1")
	ms, _ := b.Members(ctx, "room")
	if len(ms) != 1 || ms[0].UserID != "u2" {
		t.Errorf("members %+v", ms)
	}
	if fmt.Sprint(events) != "[2u1 2u2 3u1]" {
		t.Errorf("events %v", events)
	}
}

func TestTopicRules(t *testing.T) {
	for _, name := range []string{"a", "chat:lobby", "user:42/inbox", "x=1.y_z-w"} {
		if !realtime.ValidTopic(name) {
			t.Errorf("%q invalid", name)
		}
	}
	for _, name := range []string{"", "a b", "a@b", "é", "a|b", string(make([]byte, 201))} {
		if realtime.ValidTopic(name) {
			t.Errorf("%q valid", name)
		}
	}
	if realtime.Namespace("chat:lobby:x") != "chat" || realtime.Namespace("lobby") != "" {
		t.Error("Namespace")
	}
	h := realtime.New(realtime.Options{})
	defer h.Close()
	for _, p := range []string{"", "a*b", "bad topic*", "**"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("pattern %q accepted", p)
				}
			}()
			h.Topic(p, realtime.Rule{})
		}()
	}
	h.Topic("chat:*", realtime.Rule{})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("repeated pattern accepted")
			}
		}()
		h.Topic("chat:*", realtime.Rule{})
	}()
}

func TestOpenBroker(t *testing.T) {
	for url, ok := range map[string]bool{"": true, "memory://": true, "memory://host": false, "redis://127.0.0.1:1/0": false, "nats://127.0.0.1:1": false, "ftp://x": false, "::": false} {
		b, err := realtime.OpenBroker(context.Background(), url)
		if (err == nil) != ok {
			t.Errorf("OpenBroker(%q): %v", url, err)
		}
		if b != nil {
			b.Close()
		}
	}
}
