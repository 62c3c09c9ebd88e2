package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

// The conformance tests: every Broker (memory, Redis, NATS) passes them.

// collector gathers the events one subscription delivers.
type collector struct {
	ch chan realtime.Event
}

func subscribeCollector(t *testing.T, b realtime.Broker, topic string) *collector {
	t.Helper()
	c := &collector{ch: make(chan realtime.Event, 10000)}
	cancel, err := b.Subscribe(context.Background(), topic, func(e realtime.Event) { c.ch <- e })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	return c
}

// next returns the next event (failing after a bound of 15s).
func (c *collector) next(t *testing.T) realtime.Event {
	t.Helper()
	select {
	case e := <-c.ch:
		return e
	case <-time.After(15 * time.Second):
		t.Fatal("no event delivered within 15s")
		return realtime.Event{}
	}
}

// nextOf skips events of other kinds.
func (c *collector) nextOf(t *testing.T, kind realtime.EventKind) realtime.Event {
	t.Helper()
	for range 1000 {
		if e := c.next(t); e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no event of kind %d", kind)
	return realtime.Event{}
}

var ctxBG = context.Background()

// topicName returns a topic unique to the test, with the characters a
// topic may hold that subjects and keys do not.
func topicName(t *testing.T) string {
	return "conf:" + randomName() + "/a.b=c-d_e"
}

func publish(t *testing.T, b realtime.Broker, topic string, i int, opts realtime.PublishOptions) realtime.Message {
	t.Helper()
	m, err := b.Publish(ctxBG, topic, json.RawMessage(fmt.Sprint(i)), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func history(t *testing.T, b realtime.Broker, topic string, after uint64, limit int) realtime.HistoryResult {
	t.Helper()
	h, err := b.History(ctxBG, topic, after, limit)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBrokerPublishSubscribeOrder(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a, b := kit.open(t), kit.open(t)
		topic := topicName(t)
		onA, onB := subscribeCollector(t, a, topic), subscribeCollector(t, b, topic)
		opts := realtime.PublishOptions{History: 100}
		var epoch string
		for i := 1; i <= 20; i++ {
			pub := a
			if i%2 == 0 {
				pub = b
			}
			m := publish(t, pub, topic, i, opts)
			if m.Offset != uint64(i) || m.Topic != topic || (epoch != "" && m.Epoch != epoch) {
				t.Fatalf("publish %d: %+v", i, m)
			}
			epoch = m.Epoch
		}
		for _, c := range []*collector{onA, onB} {
			for i := 1; i <= 20; i++ {
				e := c.nextOf(t, realtime.EventMessage)
				if e.Message.Offset != uint64(i) || string(e.Message.Data) != fmt.Sprint(i) || e.Message.Epoch != epoch || e.Message.Topic != topic {
					t.Fatalf("delivery %d: %+v", i, e.Message)
				}
			}
		}
	})
}

func TestBrokerHistoryCount(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a, b := kit.open(t), kit.open(t)
		topic := topicName(t)
		if h := history(t, b, topic, 0, 10); h.Latest.Offset != 0 || h.Latest.Epoch == "" || len(h.Messages) != 0 {
			t.Fatalf("fresh topic: %+v", h)
		}
		fresh := history(t, a, topic, 0, 0).Latest
		opts := realtime.PublishOptions{History: 3}
		for i := 1; i <= 5; i++ {
			publish(t, a, topic, i, opts)
		}
		h := history(t, b, topic, 0, 10)
		if fmt.Sprint(offsets(h.Messages)) != "[3 4 5]" || h.Latest.Offset != 5 || h.Latest.Epoch != fresh.Epoch {
			t.Errorf("count bound: %v latest %+v (fresh %+v)", offsets(h.Messages), h.Latest, fresh)
		}
		for _, m := range h.Messages {
			if string(m.Data) != fmt.Sprint(m.Offset) || m.Epoch != fresh.Epoch || m.Topic != topic {
				t.Errorf("stored message %+v", m)
			}
		}
		if h2 := history(t, b, topic, 3, 1); fmt.Sprint(offsets(h2.Messages)) != "[4]" {
			t.Errorf("after 3, limit 1: %v", offsets(h2.Messages))
		}
		if h3 := history(t, b, topic, 5, 10); len(h3.Messages) != 0 || h3.Latest != h.Latest {
			t.Errorf("nothing after the latest: %+v", h3)
		}
		if h4 := history(t, b, topic, 0, 0); len(h4.Messages) != 0 || h4.Latest != h.Latest {
			t.Errorf("position only: %+v", h4)
		}
		// Without history the offset still advances, in the same epoch.
		m := publish(t, b, topic, 6, realtime.PublishOptions{})
		if m.Offset != 6 || m.Epoch != fresh.Epoch {
			t.Errorf("no-history publish: %+v", m)
		}
		if h5 := history(t, a, topic, 5, 10); len(h5.Messages) != 0 || h5.Latest.Offset != 6 {
			t.Errorf("a no-history message was kept: %+v", h5)
		}
	})
}

func TestBrokerHistoryTTL(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a := kit.open(t)
		topic := topicName(t)
		ttl := 1500 * time.Millisecond
		opts := realtime.PublishOptions{History: 10, HistoryTTL: ttl}
		publish(t, a, topic, 1, opts)
		publish(t, a, topic, 2, opts)
		kit.advance(ttl + 200*time.Millisecond)
		publish(t, a, topic, 3, opts)
		h := history(t, a, topic, 0, 10)
		if fmt.Sprint(offsets(h.Messages)) != "[3]" || h.Latest.Offset != 3 {
			t.Errorf("age bound: %v latest %+v", offsets(h.Messages), h.Latest)
		}
	})
}

func TestBrokerRecovery(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a, b := kit.open(t), kit.open(t)
		topic := topicName(t)
		opts := realtime.PublishOptions{History: 50}
		var seen realtime.Position
		for i := 1; i <= 7; i++ {
			m := publish(t, a, topic, i, opts)
			if i == 4 {
				seen = realtime.Position{Epoch: m.Epoch, Offset: m.Offset}
			}
		}
		// A client that saw offset 4 on a recovers 5..7 from b, exactly.
		h := history(t, b, topic, seen.Offset, 100)
		if h.Latest.Epoch != seen.Epoch || fmt.Sprint(offsets(h.Messages)) != "[5 6 7]" {
			t.Fatalf("recovery from %+v: latest %+v, %v", seen, h.Latest, offsets(h.Messages))
		}
		// Messages out of the window cannot be recovered: the history no
		// longer starts right after the client's offset.
		small := realtime.PublishOptions{History: 2}
		for i := 8; i <= 10; i++ {
			publish(t, b, topic, i, small)
		}
		if h := history(t, a, topic, seen.Offset, 100); len(h.Messages) == 0 || h.Messages[0].Offset == seen.Offset+1 {
			t.Errorf("recovered past the window: %v", offsets(h.Messages))
		}
	})
}

func TestBrokerEpochChange(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a, b := kit.open(t), kit.open(t)
		topic := topicName(t)
		opts := realtime.PublishOptions{History: 10, HistoryTTL: time.Minute}
		old := publish(t, a, topic, 1, opts)
		publish(t, a, topic, 2, opts)
		kit.lose(t, topic)
		h := history(t, b, topic, old.Offset, 10)
		if h.Latest.Epoch == old.Epoch || h.Latest.Offset != 0 || len(h.Messages) != 0 {
			t.Fatalf("after losing the history: %+v (old epoch %s)", h, old.Epoch)
		}
		m := publish(t, a, topic, 1, opts)
		if m.Epoch != h.Latest.Epoch || m.Offset != 1 {
			t.Errorf("first message of the new epoch: %+v, want epoch %s offset 1", m, h.Latest.Epoch)
		}
	})
}

func TestBrokerConcurrentPublishers(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		insts := []realtime.Broker{kit.open(t), kit.open(t), kit.open(t)}
		topic := topicName(t)
		sub := subscribeCollector(t, insts[2], topic)
		const perWorker, workers = 15, 6
		var mu sync.Mutex
		var got []uint64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range perWorker {
					m, err := insts[w%len(insts)].Publish(ctxBG, topic, json.RawMessage(fmt.Sprint(w*perWorker+i)), realtime.PublishOptions{History: 200})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					got = append(got, m.Offset)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(got)
		for i, o := range got {
			if o != uint64(i+1) {
				t.Fatalf("offsets not gap-free and unique: %v", got)
			}
		}
		if len(got) != perWorker*workers {
			t.Fatalf("%d publishes succeeded", len(got))
		}
		for i := 1; i <= perWorker*workers; i++ {
			if e := sub.nextOf(t, realtime.EventMessage); e.Message.Offset != uint64(i) {
				t.Fatalf("delivery %d has offset %d", i, e.Message.Offset)
			}
		}
	})
}

func memberIDs(t *testing.T, p realtime.Presence, topic string) string {
	t.Helper()
	ms, err := p.Members(ctxBG, topic)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ClientID+"/"+m.UserID)
	}
	slices.Sort(ids)
	return fmt.Sprint(ids)
}

func TestBrokerPresence(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		a, b := kit.open(t), kit.open(t)
		pa, pb := a.(realtime.Presence), b.(realtime.Presence)
		topic := topicName(t)
		onA := subscribeCollector(t, a, topic)
		alice := realtime.Member{ClientID: "c1", UserID: "alice", Info: json.RawMessage(`{"name":"Alice"}`)}
		bob := realtime.Member{ClientID: "c2", UserID: "bob"}
		if err := pb.Join(ctxBG, topic, alice); err != nil {
			t.Fatal(err)
		}
		if e := onA.next(t); e.Kind != realtime.EventJoin || e.Member.ClientID != "c1" || string(e.Member.Info) != `{"name":"Alice"}` {
			t.Fatalf("join event: %+v", e)
		}
		if err := pb.Join(ctxBG, topic, alice); err != nil { // a refresh: no event
			t.Fatal(err)
		}
		if err := pa.Join(ctxBG, topic, bob); err != nil {
			t.Fatal(err)
		}
		if e := onA.next(t); e.Kind != realtime.EventJoin || e.Member.ClientID != "c2" {
			t.Fatalf("second join event: %+v (a refresh must not repeat the first)", e)
		}
		for _, p := range []realtime.Presence{pa, pb} {
			if got := memberIDs(t, p, topic); got != "[c1/alice c2/bob]" {
				t.Errorf("members: %s", got)
			}
		}
		if err := pb.Leave(ctxBG, topic, "c1"); err != nil {
			t.Fatal(err)
		}
		if e := onA.next(t); e.Kind != realtime.EventLeave || e.Member.ClientID != "c1" || e.Member.UserID != "alice" {
			t.Fatalf("leave event: %+v", e)
		}
		if err := pb.Leave(ctxBG, topic, "c1"); err != nil { // gone already: no event
			t.Fatal(err)
		}
		if got := memberIDs(t, pa, topic); got != "[c2/bob]" {
			t.Errorf("members after leave: %s", got)
		}
		if err := pa.Leave(ctxBG, topic, "c2"); err != nil {
			t.Fatal(err)
		}
		if e := onA.next(t); e.Kind != realtime.EventLeave || e.Member.ClientID != "c2" {
			t.Fatalf("leave event: %+v (no event for a repeated leave)", e)
		}
	})
}

// TestBrokerCrashedInstancePresence: the members of an instance that
// stops without leaving are dropped from Members, and their leave
// delivered, by the instances still running.
func TestBrokerCrashedInstancePresence(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		if !kit.instances {
			return // one process: its members go with it
		}
		a, crashing := kit.open(t), kit.open(t)
		topic := topicName(t)
		onA := subscribeCollector(t, a, topic)
		if err := crashing.(realtime.Presence).Join(ctxBG, topic, realtime.Member{ClientID: "gone", UserID: "carol"}); err != nil {
			t.Fatal(err)
		}
		if err := a.(realtime.Presence).Join(ctxBG, topic, realtime.Member{ClientID: "stays"}); err != nil {
			t.Fatal(err)
		}
		realtime.Crash(crashing)
		// The leave arrives once a's heartbeat reaps the crashed instance
		// (presence_ttl=900ms); next bounds the wait.
		for {
			e := onA.next(t)
			if e.Kind == realtime.EventLeave {
				if e.Member.ClientID != "gone" || e.Member.UserID != "carol" {
					t.Fatalf("leave event: %+v", e)
				}
				break
			}
		}
		if got := memberIDs(t, a.(realtime.Presence), topic); got != "[stays/]" {
			t.Errorf("members after the crash: %s", got)
		}
	})
}

// TestBrokerClosedInstancePresence: Close removes the instance's members
// at once, with leave events.
func TestBrokerClosedInstancePresence(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		if !kit.instances {
			return
		}
		a, closing := kit.open(t), kit.open(t)
		topic := topicName(t)
		onA := subscribeCollector(t, a, topic)
		closing.(realtime.Presence).Join(ctxBG, topic, realtime.Member{ClientID: "bye"})
		onA.nextOf(t, realtime.EventJoin)
		if err := closing.Close(); err != nil {
			t.Fatal(err)
		}
		if e := onA.next(t); e.Kind != realtime.EventLeave || e.Member.ClientID != "bye" {
			t.Fatalf("leave event: %+v", e)
		}
		if _, err := closing.Publish(ctxBG, topic, json.RawMessage(`1`), realtime.PublishOptions{}); err != realtime.ErrClosed {
			t.Errorf("publish after Close: %v", err)
		}
	})
}
