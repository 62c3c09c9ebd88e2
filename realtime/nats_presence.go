package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Subscribe implements Broker. The core subscription is confirmed by the
// server (a flush) before it returns, so nothing published afterwards is
// missed.
func (b *NATSBroker) Subscribe(ctx context.Context, topic string, deliver func(Event)) (func(), error) {
	if b.isClosed() {
		return nil, ErrClosed
	}
	b.subMu.Lock()
	defer b.subMu.Unlock()
	id, first := b.fan.add(topic, deliver)
	if first {
		sub, err := b.nc.Subscribe(b.eventSubject(topic), func(m *nats.Msg) {
			if e, ok := parseNATSEvent(topic, m); ok {
				b.fan.deliver(topic, e)
			}
		})
		if err == nil {
			sub.SetPendingLimits(-1, 64<<20)
			fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = b.nc.FlushWithContext(fctx)
			cancel()
			if err != nil {
				sub.Unsubscribe()
			}
		}
		if err != nil {
			b.fan.remove(topic, id)
			return nil, fmt.Errorf("realtime: nats subscribe to %q: %w", topic, err)
		}
		b.subs[topic] = sub
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.subMu.Lock()
			defer b.subMu.Unlock()
			if b.fan.remove(topic, id) {
				if sub := b.subs[topic]; sub != nil {
					sub.Unsubscribe()
					delete(b.subs, topic)
				}
			}
		})
	}, nil
}

// parseNATSEvent decodes a republished message or a presence event.
func parseNATSEvent(topic string, m *nats.Msg) (Event, bool) {
	switch m.Header.Get(hdrKind) {
	case "join", "leave":
		var mem Member
		if json.Unmarshal(m.Data, &mem) != nil {
			return Event{}, false
		}
		k := EventJoin
		if m.Header.Get(hdrKind) == "leave" {
			k = EventLeave
		}
		return Event{Kind: k, Member: mem}, true
	}
	off, err := strconv.ParseUint(m.Header.Get(hdrOffset), 10, 64)
	if err != nil || off == 0 { // off 0: an epoch marker
		return Event{}, false
	}
	ms, _ := strconv.ParseInt(m.Header.Get(hdrTime), 10, 64)
	return Event{Kind: EventMessage, Message: Message{Topic: topic, Epoch: m.Header.Get(hdrEpoch), Offset: off,
		Data: json.RawMessage(m.Data), Time: time.UnixMilli(ms)}}, true
}

// memberKey is topic.instance.client in the members bucket.
func (b *NATSBroker) memberKey(topic, instance, clientID string) string {
	return natsToken(topic) + "." + natsToken(instance) + "." + natsToken(clientID)
}

// presenceEvent publishes a join or leave on topic's core subject.
func (b *NATSBroker) presenceEvent(topic, kind string, member []byte) error {
	msg := &nats.Msg{Subject: b.eventSubject(topic), Data: member, Header: nats.Header{}}
	msg.Header.Set(hdrKind, kind)
	return b.nc.PublishMsg(msg)
}

// Join implements Presence.
func (b *NATSBroker) Join(ctx context.Context, topic string, m Member) error {
	if b.isClosed() {
		return ErrClosed
	}
	js, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("realtime: nats presence join: %w", err)
	}
	key := b.memberKey(topic, b.instance, m.ClientID)
	_, err = b.members.Create(ctx, key, js)
	if errors.Is(err, jetstream.ErrKeyExists) {
		_, err = b.members.Put(ctx, key, js) // a refresh: no event
		if err != nil {
			return fmt.Errorf("realtime: nats presence join: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("realtime: nats presence join: %w", err)
	}
	if err := b.presenceEvent(topic, "join", js); err != nil {
		return fmt.Errorf("realtime: nats presence join: %w", err)
	}
	return nil
}

// Leave implements Presence.
func (b *NATSBroker) Leave(ctx context.Context, topic, clientID string) error {
	if b.isClosed() {
		return ErrClosed
	}
	if err := b.remove(ctx, topic, b.memberKey(topic, b.instance, clientID)); err != nil {
		return fmt.Errorf("realtime: nats presence leave: %w", err)
	}
	return nil
}

// remove deletes a member's key and, if this call removed it, publishes
// its leave.
func (b *NATSBroker) remove(ctx context.Context, topic, key string) error {
	e, err := b.members.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = b.members.Delete(ctx, key, jetstream.LastRevision(e.Revision()))
	if wrongLastSequence(err) {
		return nil // removed (or rejoined) meanwhile
	}
	if err != nil {
		return err
	}
	return b.presenceEvent(topic, "leave", e.Value())
}

// entries reads the current entries of bucket matching a key filter.
func entries(ctx context.Context, kv jetstream.KeyValue, filter string) ([]jetstream.KeyValueEntry, error) {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var out []jetstream.KeyValueEntry
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return out, nil
			}
			if e == nil { // the current values are all in
				return out, nil
			}
			out = append(out, e)
		case <-timeout.C:
			return nil, errors.New("reading the bucket timed out")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Members implements Presence: the members of live instances.
func (b *NATSBroker) Members(ctx context.Context, topic string) ([]Member, error) {
	if b.isClosed() {
		return nil, ErrClosed
	}
	es, err := entries(ctx, b.members, natsToken(topic)+".*.*")
	if err != nil {
		return nil, fmt.Errorf("realtime: nats presence members: %w", err)
	}
	live := map[string]bool{}
	out := make([]Member, 0, len(es))
	for _, e := range es {
		parts := strings.Split(e.Key(), ".")
		if len(parts) != 3 {
			continue
		}
		alive, seen := live[parts[1]]
		if !seen {
			alive, err = b.alive(ctx, parts[1])
			if err != nil {
				return nil, fmt.Errorf("realtime: nats presence members: %w", err)
			}
			live[parts[1]] = alive
		}
		if !alive {
			continue
		}
		var m Member
		if err := json.Unmarshal(e.Value(), &m); err != nil {
			return nil, fmt.Errorf("realtime: nats presence members of %q: %w", topic, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// alive reports whether the instance (its key token) has heartbeated
// within PresenceTTL.
func (b *NATSBroker) alive(ctx context.Context, token string) (bool, error) {
	e, err := b.instances.Get(ctx, token)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	until, _ := strconv.ParseInt(string(e.Value()), 10, 64)
	return time.Now().UnixMilli() < until, nil
}

// heartbeat renews this instance's liveness.
func (b *NATSBroker) heartbeat(ctx context.Context) error {
	_, err := b.instances.Put(ctx, natsToken(b.instance), []byte(strconv.FormatInt(time.Now().Add(b.ttl).UnixMilli(), 10)))
	return err
}

// reapExpired removes the members of instances whose liveness ran out.
// Deleting the instance's key with its revision elects one reaper.
func (b *NATSBroker) reapExpired(ctx context.Context) error {
	es, err := entries(ctx, b.instances, ">")
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	for _, e := range es {
		until, _ := strconv.ParseInt(string(e.Value()), 10, 64)
		if until > now {
			continue
		}
		err := b.instances.Delete(ctx, e.Key(), jetstream.LastRevision(e.Revision()))
		if wrongLastSequence(err) {
			continue // another instance reaps it, or it came back
		}
		if err != nil {
			return err
		}
		if err := b.reapMembers(ctx, e.Key()); err != nil {
			return err
		}
	}
	return nil
}

// reapMembers removes the members of the instance with key token.
func (b *NATSBroker) reapMembers(ctx context.Context, token string) error {
	es, err := entries(ctx, b.members, "*."+token+".*")
	if err != nil {
		return err
	}
	for _, e := range es {
		tok, _, _ := strings.Cut(e.Key(), ".")
		topic, ok := natsUntoken(tok)
		if !ok {
			continue
		}
		if err := b.remove(ctx, topic, e.Key()); err != nil {
			return err
		}
	}
	return nil
}

// purgeEvery is how often an instance clears old delete markers from the
// presence buckets.
const purgeEvery = 5 * time.Minute

// beat heartbeats and reaps crashed instances, and now and then clears
// old delete markers; it runs every PresenceTTL/3.
func (b *NATSBroker) beat(ctx context.Context) error {
	if err := b.heartbeat(ctx); err != nil {
		return err
	}
	if err := b.reapExpired(ctx); err != nil {
		return err
	}
	if time.Since(b.lastPurge) < purgeEvery {
		return nil
	}
	// Every leave leaves a delete marker in the buckets; drop those
	// older than 30 minutes so they do not pile up.
	b.lastPurge = time.Now()
	pctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	return errors.Join(b.members.PurgeDeletes(pctx), b.instances.PurgeDeletes(pctx))
}

// Close implements Broker: it stops the heartbeat, removes this
// instance's members (with leave events) and closes the connection.
func (b *NATSBroker) Close() error {
	return b.shut(true)
}

// shut closes the broker; reap false leaves its members for others to
// expire, as a crash would (tests).
func (b *NATSBroker) shut(reap bool) error {
	if !b.end() {
		return nil
	}
	b.wg.Wait()
	var err error
	if reap {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		tok := natsToken(b.instance)
		err = b.instances.Delete(ctx, tok)
		err = errors.Join(err, b.reapMembers(ctx, tok))
		if err == nil {
			err = b.nc.FlushWithContext(ctx) // the leave events
		}
		cancel()
	}
	b.nc.Close()
	if err != nil {
		return fmt.Errorf("realtime: nats broker: close: %w", err)
	}
	return nil
}
