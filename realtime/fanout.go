package realtime

import (
	"context"
	"sync"
	"time"
)

// fanout keeps the subscribers of one network broker (Redis, NATS) on this
// instance, per topic, and puts each topic's messages in offset order
// before they reach them: a message at or before the last one delivered is
// dropped (a duplicate), and a gap — messages published while the
// connection to the server was down, which pub/sub does not replay — is
// filled from the topic's history first.
type fanout struct {
	history func(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error)

	mu     sync.Mutex
	topics map[string]*fanTopic
	nextID uint64
}

// fanTopic is one topic's local subscribers and delivery position. mu
// serializes delivery, so that subscribers see offsets in order.
type fanTopic struct {
	mu    sync.Mutex
	subs  map[uint64]func(Event)
	epoch string
	last  uint64
}

// maxFill bounds the messages one gap fill reads.
const maxFill = 1000

func newFanout(history func(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error)) *fanout {
	return &fanout{history: history, topics: map[string]*fanTopic{}}
}

// add registers deliver for topic; first reports whether it is the topic's
// first subscriber (the broker then subscribes on the server).
func (f *fanout) add(topic string, deliver func(Event)) (id uint64, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[topic]
	if t == nil {
		t = &fanTopic{subs: map[uint64]func(Event){}}
		f.topics[topic] = t
		first = true
	}
	f.nextID++
	t.mu.Lock()
	t.subs[f.nextID] = deliver
	t.mu.Unlock()
	return f.nextID, first
}

// remove unregisters a subscriber; last reports whether topic has none
// left (the broker then unsubscribes on the server).
func (f *fanout) remove(topic string, id uint64) (last bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[topic]
	if t == nil {
		return false
	}
	t.mu.Lock()
	delete(t.subs, id)
	empty := len(t.subs) == 0
	t.mu.Unlock()
	if empty {
		delete(f.topics, topic)
	}
	return empty
}

func (f *fanout) topic(name string) *fanTopic {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.topics[name]
}

// names returns the topics with subscribers.
func (f *fanout) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.topics))
	for name := range f.topics {
		out = append(out, name)
	}
	return out
}

// deliver hands e to topic's subscribers, in order (see fanout).
func (f *fanout) deliver(topic string, e Event) {
	t := f.topic(topic)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Kind == EventMessage {
		m := e.Message
		if m.Epoch == t.epoch {
			if m.Offset <= t.last {
				return
			}
			if t.last > 0 && m.Offset > t.last+1 {
				f.fill(topic, t, m.Offset-1)
			}
		}
		t.epoch, t.last = m.Epoch, m.Offset
	}
	for _, fn := range t.subs {
		fn(e)
	}
}

// catchUp delivers what topic's history holds after the last message
// delivered: after a reconnection, before any new message shows the gap.
func (f *fanout) catchUp(topic string) {
	t := f.topic(topic)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last > 0 {
		f.fill(topic, t, 0)
	}
}

// fill delivers the retained messages of t's epoch after t.last, up to
// offset upto (0: no bound), from history (t.mu held). Messages the
// history no longer has are lost to this instance's subscribers, as they
// would be to a client; a client notices the gap in offsets.
func (f *fanout) fill(topic string, t *fanTopic, upto uint64) {
	limit := maxFill
	if upto > 0 {
		limit = int(min(upto-t.last, maxFill))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := f.history(ctx, topic, t.last, limit)
	if err != nil || res.Latest.Epoch != t.epoch {
		return
	}
	for _, m := range res.Messages {
		if m.Offset <= t.last || (upto > 0 && m.Offset > upto) {
			continue
		}
		t.last = m.Offset
		ev := Event{Kind: EventMessage, Message: m}
		for _, fn := range t.subs {
			fn(ev)
		}
	}
}
