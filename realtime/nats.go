package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSBroker is a Broker and Presence over NATS with JetStream, for
// several instances of an application: any instance can serve any client.
//
// A topic's messages are stored in one JetStream stream, on the subject
// P.rt.h.<topic> (P the prefix, the topic escaped into one subject token),
// and the stream republishes each stored message on the core subject
// P.rt.e.<topic>, in stream order: that is the fan-out every instance
// subscribes to. JetStream numbers a stream's messages, not a topic's, so
// the topic's offset and epoch travel in headers: Publish writes offset
// n+1 expecting the subject's last stream sequence to be that of offset n
// (Nats-Expected-Last-Subject-Sequence) and retries on conflict, which
// gives gap-free per-topic offsets across instances without a lock. A
// topic's first message (or, for a topic read before any publish, an
// empty marker at offset 0) picks a random epoch that later messages
// carry on; when the stream loses the topic's messages (they all age out
// after MaxAge, or the stream is purged) the next message starts a new
// epoch.
//
// The stream keeps at most MaxHistory messages per topic and none older
// than MaxAge; the history size and TTL of each publish travel in headers
// too and are applied when the history is read.
//
// Presence is a JetStream key-value bucket of topic.instance.client →
// member, and a second bucket where each instance renews its liveness
// every PresenceTTL/3; members of an instance that stopped (crashed) are
// left out of Members at once, and removed, with leave events, by the next
// live instance's heartbeat. Close removes the instance's own members
// likewise.
//
// The zero value is not usable; call NewNATSBroker or OpenBroker. Safe
// for concurrent use.
type NATSBroker struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	stream    jetstream.Stream
	members   jetstream.KeyValue
	instances jetstream.KeyValue
	prefix    string
	instance  string
	ttl       time.Duration
	log       *slog.Logger
	fan       *fanout

	subMu sync.Mutex
	subs  map[string]*nats.Subscription

	lastMu sync.Mutex
	last   map[string]natsLast // topic → what this instance last published

	lifecycle
	lastPurge time.Time // of the presence buckets' delete markers (beat)
}

// NATSOptions configures a NATSBroker. The zero value is usable.
type NATSOptions struct {
	// Prefix names the broker's subjects (Prefix.rt.…), stream and
	// buckets (Prefix_rt, Prefix_rt_members, Prefix_rt_instances): ASCII
	// letters, digits, - and _. Brokers with the same prefix share
	// topics. Default "anode".
	Prefix string
	// MaxHistory caps the messages kept per topic, whatever a topic's
	// rule asks. Default 1000.
	MaxHistory int
	// MaxAge is how long the stream keeps a message: it caps every
	// topic's HistoryTTL, and a topic silent for longer starts a new
	// epoch. Default 24h.
	MaxAge time.Duration
	// PresenceTTL bounds how long the members of an instance that stopped
	// without leaving stay listed; the instance heartbeats every third of
	// it. Default 15s.
	PresenceTTL time.Duration
	// Logger receives the broker's logs. Nil: slog.Default().
	Logger *slog.Logger
}

// natsLast is a topic's newest message: its stream sequence, offset and
// epoch.
type natsLast struct {
	seq    uint64
	offset uint64
	epoch  string
}

// Headers of stored messages and presence events.
const (
	hdrEpoch   = "Anode-Epoch"
	hdrOffset  = "Anode-Offset"
	hdrHistory = "Anode-History" // history size asked by the publish
	hdrExpires = "Anode-Expires" // unix ms the message leaves the history; 0 never
	hdrTime    = "Anode-Time"    // unix ms of the publish
	hdrKind    = "Anode-Kind"    // presence events: join, leave
)

var (
	_ Broker   = (*NATSBroker)(nil)
	_ Presence = (*NATSBroker)(nil)
)

// NewNATSBroker returns a NATSBroker over nc, which it owns from then on
// (Close closes it), creating or updating its stream and buckets within
// ctx. The server must have JetStream enabled.
func NewNATSBroker(ctx context.Context, nc *nats.Conn, opts NATSOptions) (*NATSBroker, error) {
	if opts.Prefix == "" {
		opts.Prefix = "anode"
	}
	if !validNATSPrefix(opts.Prefix) {
		return nil, fmt.Errorf("realtime: nats broker: prefix %q: want ASCII letters, digits, - and _", opts.Prefix)
	}
	if opts.MaxHistory <= 0 {
		opts.MaxHistory = 1000
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 24 * time.Hour
	}
	if opts.PresenceTTL <= 0 {
		opts.PresenceTTL = 15 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("realtime: nats broker: %w", err)
	}
	p := opts.Prefix
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              p + "_rt",
		Description:       "anode realtime topic history",
		Subjects:          []string{p + ".rt.h.*"},
		MaxMsgsPerSubject: int64(opts.MaxHistory) + 1, // + the epoch marker
		MaxAge:            opts.MaxAge,
		Discard:           jetstream.DiscardOld,
		Storage:           jetstream.FileStorage,
		AllowDirect:       true,
		RePublish:         &jetstream.RePublish{Source: p + ".rt.h.*", Destination: p + ".rt.e.{{wildcard(1)}}"},
	})
	if err != nil {
		return nil, fmt.Errorf("realtime: nats broker: stream %s_rt: %w", p, err)
	}
	members, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: p + "_rt_members", Description: "anode realtime presence", Storage: jetstream.FileStorage})
	if err != nil {
		return nil, fmt.Errorf("realtime: nats broker: bucket %s_rt_members: %w", p, err)
	}
	instances, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: p + "_rt_instances", Description: "anode realtime instance liveness", Storage: jetstream.FileStorage})
	if err != nil {
		return nil, fmt.Errorf("realtime: nats broker: bucket %s_rt_instances: %w", p, err)
	}
	b := &NATSBroker{nc: nc, js: js, stream: stream, members: members, instances: instances, prefix: p,
		instance: newEpoch() + newEpoch(), ttl: opts.PresenceTTL, log: opts.Logger,
		subs: map[string]*nats.Subscription{}, last: map[string]natsLast{}}
	b.fan = newFanout(b.History)
	b.begin()
	b.lastPurge = time.Now()
	if err := b.heartbeat(ctx); err != nil {
		return nil, fmt.Errorf("realtime: nats broker: %w", err)
	}
	// After a reconnection nats.go resubscribes; what was published
	// meanwhile comes from the history.
	nc.SetReconnectHandler(func(*nats.Conn) {
		for _, topic := range b.fan.names() {
			b.fan.catchUp(topic)
		}
	})
	b.every(b.ttl/3, b.log, "nats broker: heartbeat", b.beat)
	return b, nil
}

func validNATSPrefix(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return p != ""
}

// natsToken escapes s into one subject token and key-value key part:
// ASCII letters, digits, - and _ stay, any other byte becomes =XX.
func natsToken(s string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			out = append(out, c)
			continue
		}
		out = append(out, '=', hex[c>>4], hex[c&15])
	}
	return string(out)
}

// natsUntoken reverses natsToken.
func natsUntoken(s string) (string, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		out = append(out, byte(v))
		i += 2
	}
	return string(out), true
}

func (b *NATSBroker) historySubject(topic string) string {
	return b.prefix + ".rt.h." + natsToken(topic)
}
func (b *NATSBroker) eventSubject(topic string) string { return b.prefix + ".rt.e." + natsToken(topic) }

// readLast returns topic's newest stored message (zero when none).
func (b *NATSBroker) readLast(ctx context.Context, topic string) (natsLast, error) {
	m, err := b.stream.GetLastMsgForSubject(ctx, b.historySubject(topic))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return natsLast{}, nil
	}
	if err != nil {
		return natsLast{}, err
	}
	off, _ := strconv.ParseUint(m.Header.Get(hdrOffset), 10, 64)
	return natsLast{seq: m.Sequence, offset: off, epoch: m.Header.Get(hdrEpoch)}, nil
}

func wrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) &&
		(apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// maxCASAttempts bounds a publish's retries under contention.
const maxCASAttempts = 200

// append stores the message after last on topic's subject, expecting
// last to be the subject's newest (see NATSBroker). ok false: another
// publish came first.
func (b *NATSBroker) append(ctx context.Context, topic string, last natsLast, data []byte, opts PublishOptions, now time.Time) (natsLast, bool, error) {
	next := natsLast{offset: last.offset + 1, epoch: last.epoch}
	if last.seq == 0 {
		next.epoch = newEpoch()
		if data == nil {
			next.offset = 0 // the epoch marker
		}
	}
	var expires int64
	if opts.HistoryTTL > 0 {
		expires = now.Add(opts.HistoryTTL).UnixMilli()
	}
	msg := &nats.Msg{Subject: b.historySubject(topic), Data: data, Header: nats.Header{}}
	msg.Header.Set(hdrEpoch, next.epoch)
	msg.Header.Set(hdrOffset, strconv.FormatUint(next.offset, 10))
	msg.Header.Set(hdrHistory, strconv.Itoa(max(opts.History, 0)))
	msg.Header.Set(hdrExpires, strconv.FormatInt(expires, 10))
	msg.Header.Set(hdrTime, strconv.FormatInt(now.UnixMilli(), 10))
	ack, err := b.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequencePerSubject(last.seq))
	if wrongLastSequence(err) {
		return natsLast{}, false, nil
	}
	if err != nil {
		return natsLast{}, false, err
	}
	next.seq = ack.Sequence
	return next, true, nil
}

// backoff waits a little, more after each failed attempt, within ctx.
func backoff(ctx context.Context, attempt int) error {
	if attempt < 2 {
		return ctx.Err()
	}
	d := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(time.Millisecond)) + 1)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Publish implements Broker.
func (b *NATSBroker) Publish(ctx context.Context, topic string, data json.RawMessage, opts PublishOptions) (Message, error) {
	if b.isClosed() {
		return Message{}, ErrClosed
	}
	if topic == "" {
		return Message{}, errors.New("realtime: publish: empty topic")
	}
	if data == nil {
		data = json.RawMessage("null")
	}
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		b.lastMu.Lock()
		last, ok := b.last[topic]
		b.lastMu.Unlock()
		if !ok {
			var err error
			if last, err = b.readLast(ctx, topic); err != nil {
				return Message{}, fmt.Errorf("realtime: nats publish to %q: %w", topic, err)
			}
		}
		now := time.Now()
		next, ok, err := b.append(ctx, topic, last, data, opts, now)
		if err != nil {
			b.forget(topic)
			return Message{}, fmt.Errorf("realtime: nats publish to %q: %w", topic, err)
		}
		if !ok {
			b.forget(topic)
			if err := backoff(ctx, attempt); err != nil {
				return Message{}, fmt.Errorf("realtime: nats publish to %q: %w", topic, err)
			}
			continue
		}
		b.lastMu.Lock()
		if len(b.last) >= 10000 {
			clear(b.last) // a cache: bounded, rebuilt on demand
		}
		b.last[topic] = next
		b.lastMu.Unlock()
		return Message{Topic: topic, Epoch: next.epoch, Offset: next.offset, Data: data, Time: now}, nil
	}
	return Message{}, fmt.Errorf("realtime: nats publish to %q: still conflicting after %d attempts", topic, maxCASAttempts)
}

func (b *NATSBroker) forget(topic string) {
	b.lastMu.Lock()
	delete(b.last, topic)
	b.lastMu.Unlock()
}

// History implements Broker. A topic with no stored message gets an
// epoch marker first, so that the position returned is the one its first
// message continues.
func (b *NATSBroker) History(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error) {
	if b.isClosed() {
		return HistoryResult{}, ErrClosed
	}
	var last natsLast
	for attempt := 0; ; attempt++ {
		var err error
		if last, err = b.readLast(ctx, topic); err != nil {
			return HistoryResult{}, fmt.Errorf("realtime: nats history of %q: %w", topic, err)
		}
		if last.seq != 0 {
			break
		}
		if attempt == maxCASAttempts {
			return HistoryResult{}, fmt.Errorf("realtime: nats history of %q: still conflicting after %d attempts", topic, attempt)
		}
		if _, _, err := b.append(ctx, topic, natsLast{}, nil, PublishOptions{}, time.Now()); err != nil {
			return HistoryResult{}, fmt.Errorf("realtime: nats history of %q: %w", topic, err)
		}
	}
	res := HistoryResult{Latest: Position{Epoch: last.epoch, Offset: last.offset}}
	if limit <= 0 || last.offset <= after {
		return res, nil
	}
	stored, err := b.readStored(ctx, topic, last.seq)
	if err != nil {
		return HistoryResult{}, fmt.Errorf("realtime: nats history of %q: %w", topic, err)
	}
	res.Messages = retained(stored, last.epoch, after, limit, time.Now())
	return res, nil
}

// storedMsg is a stored message with the history options of its publish.
type storedMsg struct {
	Message
	history int
	expires int64
}

// readStored reads topic's stored messages up to stream sequence upto,
// oldest first.
func (b *NATSBroker) readStored(ctx context.Context, topic string, upto uint64) ([]storedMsg, error) {
	cons, err := b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{b.historySubject(topic)},
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: 5 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	var out []storedMsg
	for round := 0; round < 64; round++ {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return nil, err
			}
			if md.Sequence.Stream > upto {
				return out, nil
			}
			h := m.Headers()
			s := storedMsg{Message: Message{Topic: topic, Epoch: h.Get(hdrEpoch), Data: json.RawMessage(m.Data())}}
			s.Offset, _ = strconv.ParseUint(h.Get(hdrOffset), 10, 64)
			ms, _ := strconv.ParseInt(h.Get(hdrTime), 10, 64)
			s.Time = time.UnixMilli(ms)
			s.history, _ = strconv.Atoi(h.Get(hdrHistory))
			s.expires, _ = strconv.ParseInt(h.Get(hdrExpires), 10, 64)
			out = append(out, s)
			if md.Sequence.Stream == upto {
				return out, nil
			}
		}
		if err := batch.Error(); err != nil {
			return nil, err
		}
		if n == 0 {
			return out, nil // upto aged out meanwhile
		}
	}
	return out, nil
}

// retained applies the history options each publish carried: a message
// is kept if its publish asked for history, it has not expired, and no
// later publish's history size pushed it out. It returns up to limit
// messages of epoch after offset after, oldest first.
func retained(stored []storedMsg, epoch string, after uint64, limit int, now time.Time) []Message {
	keep := make([]bool, len(stored))
	var floor uint64 // offsets at or below it were pushed out by a later publish
	for i := len(stored) - 1; i >= 0; i-- {
		s := stored[i]
		if s.Epoch != epoch {
			break
		}
		if s.Offset > floor && s.history > 0 && (s.expires == 0 || now.UnixMilli() < s.expires) {
			keep[i] = true
		}
		if s.history > 0 && s.Offset > uint64(s.history) {
			floor = max(floor, s.Offset-uint64(s.history))
		}
	}
	var out []Message
	for i, s := range stored {
		if keep[i] && s.Offset > after && s.Offset > 0 {
			if len(out) == limit {
				break
			}
			out = append(out, s.Message)
		}
	}
	return out
}
