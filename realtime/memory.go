package realtime

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by a Broker or Hub used after Close.
var ErrClosed = errors.New("realtime: closed")

// MemoryBroker is the in-process Broker and Presence: one instance, no
// network. Messages are fanned out synchronously to the topic's
// subscribers, in offset order; history is kept per topic in memory. A
// topic's state (epoch, offset, history, members) is dropped once it has
// no subscribers, no members, no retained messages and no publication for
// IdleTTL; publishing to it again starts a new epoch, so a client holding
// an old position is told its messages cannot be recovered.
//
// The zero value is not usable; call NewMemoryBroker.
type MemoryBroker struct {
	mu      sync.Mutex
	topics  map[string]*memTopic
	closed  bool
	idle    time.Duration
	swept   time.Time
	now     func() time.Time
	nextSub uint64
}

// MemoryOptions configures a MemoryBroker.
type MemoryOptions struct {
	// IdleTTL is how long an unused topic's state is kept (default 10m).
	IdleTTL time.Duration
	// Now returns the current time (default time.Now); tests move it.
	Now func() time.Time
}

type memTopic struct {
	mu      sync.Mutex
	epoch   string
	offset  uint64
	history []Message // oldest first
	subs    map[uint64]func(Event)
	members map[string]Member
	last    time.Time
}

var (
	_ Broker   = (*MemoryBroker)(nil)
	_ Presence = (*MemoryBroker)(nil)
)

// NewMemoryBroker returns an empty MemoryBroker.
func NewMemoryBroker(opts MemoryOptions) *MemoryBroker {
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryBroker{topics: map[string]*memTopic{}, idle: opts.IdleTTL, now: opts.Now}
}

// newEpoch returns a random, URL- and JSON-safe epoch name.
func newEpoch() string {
	var b [5]byte
	rand.Read(b[:])
	return lowerBase32.EncodeToString(b[:])
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// topic returns topic's state, creating it; it sweeps idle topics now and
// then. The caller locks the returned topic itself.
func (b *MemoryBroker) topic(name string) (*memTopic, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	now := b.now()
	if now.Sub(b.swept) > b.idle/4 {
		b.swept = now
		b.sweep(now)
	}
	t := b.topics[name]
	if t == nil {
		t = &memTopic{epoch: newEpoch(), subs: map[uint64]func(Event){}, members: map[string]Member{}, last: now}
		b.topics[name] = t
	}
	return t, nil
}

// sweep drops unused topics (b.mu held).
func (b *MemoryBroker) sweep(now time.Time) {
	for name, t := range b.topics {
		t.mu.Lock()
		t.expire(now)
		unused := len(t.subs) == 0 && len(t.members) == 0 && len(t.history) == 0 && now.Sub(t.last) > b.idle
		t.mu.Unlock()
		if unused {
			delete(b.topics, name)
		}
	}
}

// expire drops messages past their TTL (t.mu held).
func (t *memTopic) expire(now time.Time) {
	i := 0
	for i < len(t.history) && !t.history[i].Time.IsZero() && !now.Before(t.history[i].Time) {
		i++
	}
	if i > 0 {
		clear(t.history[:i])
		t.history = t.history[i:]
	}
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(ctx context.Context, topic string, data json.RawMessage, opts PublishOptions) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, err
	}
	t, err := b.topic(topic)
	if err != nil {
		return Message{}, err
	}
	now := b.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.offset++
	t.last = now
	m := Message{Topic: topic, Epoch: t.epoch, Offset: t.offset, Data: data, Time: now}
	t.expire(now)
	if opts.History > 0 {
		stored := m
		if opts.HistoryTTL > 0 {
			stored.Time = now.Add(opts.HistoryTTL) // the history keeps expiry times
		} else {
			stored.Time = time.Time{}
		}
		t.history = append(t.history, stored)
		if n := len(t.history) - opts.History; n > 0 {
			clear(t.history[:n])
			t.history = t.history[n:]
		}
	}
	// Delivery happens under t.mu so that every subscriber sees the
	// topic's messages in offset order; deliver functions only queue.
	ev := Event{Kind: EventMessage, Message: m}
	for _, fn := range t.subs {
		fn(ev)
	}
	return m, nil
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(ctx context.Context, topic string, deliver func(Event)) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := b.topic(topic)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.nextSub++
	id := b.nextSub
	b.mu.Unlock()
	t.mu.Lock()
	t.subs[id] = deliver
	t.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			delete(t.subs, id)
			t.last = b.now()
			t.mu.Unlock()
		})
	}, nil
}

// History implements Broker.
func (b *MemoryBroker) History(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error) {
	if err := ctx.Err(); err != nil {
		return HistoryResult{}, err
	}
	t, err := b.topic(topic)
	if err != nil {
		return HistoryResult{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(b.now())
	res := HistoryResult{Latest: Position{Epoch: t.epoch, Offset: t.offset}}
	if limit <= 0 {
		return res, nil
	}
	for _, m := range t.history {
		if m.Offset <= after {
			continue
		}
		if len(res.Messages) == limit {
			break
		}
		m.Time = time.Time{} // expiry time, not the publication time
		res.Messages = append(res.Messages, m)
	}
	return res, nil
}

// Join implements Presence.
func (b *MemoryBroker) Join(ctx context.Context, topic string, m Member) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := b.topic(topic)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.members[m.ClientID]; ok {
		t.members[m.ClientID] = m // a refresh: no event
		return nil
	}
	t.members[m.ClientID] = m
	ev := Event{Kind: EventJoin, Member: m}
	for _, fn := range t.subs {
		fn(ev)
	}
	return nil
}

// Leave implements Presence.
func (b *MemoryBroker) Leave(ctx context.Context, topic, clientID string) error {
	t, err := b.topic(topic)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m, ok := t.members[clientID]
	if !ok {
		return nil
	}
	delete(t.members, clientID)
	t.last = b.now()
	ev := Event{Kind: EventLeave, Member: m}
	for _, fn := range t.subs {
		fn(ev)
	}
	return nil
}

// Members implements Presence.
func (b *MemoryBroker) Members(ctx context.Context, topic string) ([]Member, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := b.topic(topic)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Member, 0, len(t.members))
	for _, m := range t.members {
		out = append(out, m)
	}
	return out, nil
}

// Close implements Broker: it drops every topic; later calls fail with
// ErrClosed.
func (b *MemoryBroker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.topics = nil
	return nil
}
