package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBroker is a Broker and Presence over Redis, for several instances
// of an application: any instance can serve any client.
//
// Each publish is one Lua script, so a topic's offsets are assigned, its
// history appended and trimmed, and the message published on the topic's
// channel in one atomic step: offsets and delivery order agree on every
// instance. A topic's epoch and offset live in a hash, its history in a
// sorted set scored by offset; both expire IdleTTL after the last publish,
// and the next publish then starts a new epoch. Each instance subscribes
// to a topic's channel once, on one connection; messages published while
// that connection is down are read back from the history when it returns.
//
// Presence is a hash per topic (client ID → instance and member). Each
// instance refreshes its liveness in a sorted set every PresenceTTL/3;
// members of an instance that stopped (crashed) are left out of Members at
// once, and removed, with leave events, by the next live instance's
// heartbeat. Close removes the instance's own members likewise.
//
// Scripts touch keys they compute, so the broker needs one Redis server
// (or a primary with replicas), not Redis Cluster. The zero value is not
// usable; call NewRedisBroker or OpenBroker. Safe for concurrent use.
type RedisBroker struct {
	rdb      *redis.Client
	ps       *redis.PubSub
	prefix   string
	instance string
	ttl      time.Duration
	idle     time.Duration
	log      *slog.Logger
	fan      *fanout

	subMu   sync.Mutex // serializes SUBSCRIBE/UNSUBSCRIBE
	waitMu  sync.Mutex
	waiters map[string][]chan struct{} // channel → subscribe confirmations awaited

	lifecycle
}

// RedisOptions configures a RedisBroker. The zero value is usable.
type RedisOptions struct {
	// Prefix starts every key and channel name the broker uses; brokers
	// with the same prefix share topics. Default "anode:rt:".
	Prefix string
	// PresenceTTL bounds how long the members of an instance that stopped
	// without leaving stay listed; the instance heartbeats every third of
	// it. Default 15s.
	PresenceTTL time.Duration
	// IdleTTL is how long a topic's epoch, offset and history outlive its
	// last publish. It should exceed every topic's HistoryTTL. Default 24h.
	IdleTTL time.Duration
	// Logger receives the broker's logs. Nil: slog.Default().
	Logger *slog.Logger
}

var (
	_ Broker   = (*RedisBroker)(nil)
	_ Presence = (*RedisBroker)(nil)
)

// NewRedisBroker returns a RedisBroker over client, which it owns from
// then on (Close closes it). It checks that the server answers within
// ctx.
func NewRedisBroker(ctx context.Context, client *redis.Client, opts RedisOptions) (*RedisBroker, error) {
	if opts.Prefix == "" {
		opts.Prefix = "anode:rt:"
	}
	if opts.PresenceTTL <= 0 {
		opts.PresenceTTL = 15 * time.Second
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = 24 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := client.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("realtime: redis broker: %w", err)
	}
	b := &RedisBroker{rdb: client, prefix: opts.Prefix, instance: newEpoch() + newEpoch(), ttl: opts.PresenceTTL,
		idle: opts.IdleTTL, log: opts.Logger, waiters: map[string][]chan struct{}{}}
	b.fan = newFanout(b.History)
	b.begin()
	b.ps = client.Subscribe(b.ctx)
	if err := b.heartbeat(ctx); err != nil {
		b.ps.Close()
		return nil, fmt.Errorf("realtime: redis broker: %w", err)
	}
	b.wg.Add(1)
	go b.receive()
	b.every(b.ttl/3, b.log, "redis broker: heartbeat", b.beat)
	return b, nil
}

func (b *RedisBroker) key(kind, topic string) string { return b.prefix + kind + topic }

// luaNow sets now to the server's time in milliseconds, so that expiry
// does not depend on the instances' clocks.
const luaNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// luaExpireFront drops expired entries from the front of the history
// KEYS[2] (entries are "offset expiry-ms time-ms data"; expiry 0: none).
// Expiries grow with offsets under one rule, so the first live entry
// ends the scan.
const luaExpireFront = `
for i = 1, 1000 do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #first == 0 then break end
  local e = tonumber(string.match(first[1], '^%d+ (%d+) '))
  if e == 0 or e > now then break end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, 0)
end
`

// publishScript assigns the next offset, keeps the history and publishes.
// KEYS: topic hash, history; ARGV: epoch if new, data, history size,
// history TTL (ms), idle TTL (ms), channel.
var publishScript = redis.NewScript(luaNow + `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', ARGV[1], 'o', 0)
end
local epoch = redis.call('HGET', KEYS[1], 'e')
local off = redis.call('HINCRBY', KEYS[1], 'o', 1)
local n, ttl, idle = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if n > 0 then
  local exp = 0
  if ttl > 0 then exp = now + ttl end
  redis.call('ZADD', KEYS[2], off, off .. ' ' .. exp .. ' ' .. now .. ' ' .. ARGV[2])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(n + 1))
end
` + luaExpireFront + `
local keep = math.max(idle, ttl)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PUBLISH', ARGV[6], 'm ' .. epoch .. ' ' .. off .. ' ' .. now .. ' ' .. ARGV[2])
return {epoch, off, now}
`)

// historyScript returns a topic's position and, up to a limit, its
// retained messages after an offset, creating the topic's epoch if it has
// none. KEYS: topic hash, history; ARGV: epoch if new, after, limit, idle
// TTL (ms).
var historyScript = redis.NewScript(luaNow + `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', ARGV[1], 'o', 0)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
end
local h = redis.call('HMGET', KEYS[1], 'e', 'o')
` + luaExpireFront + `
local msgs = {}
local limit = tonumber(ARGV[3])
if limit > 0 then
  msgs = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf', 'LIMIT', 0, limit)
end
return {h[1], h[2], msgs}
`)

// Publish implements Broker.
func (b *RedisBroker) Publish(ctx context.Context, topic string, data json.RawMessage, opts PublishOptions) (Message, error) {
	if b.isClosed() {
		return Message{}, ErrClosed
	}
	if topic == "" {
		return Message{}, errors.New("realtime: publish: empty topic")
	}
	keys := []string{b.key("t:", topic), b.key("h:", topic)}
	res, err := publishScript.Run(ctx, b.rdb, keys, newEpoch(), []byte(data), max(opts.History, 0),
		max(opts.HistoryTTL, 0).Milliseconds(), b.idle.Milliseconds(), b.key("c:", topic)).Slice()
	if err != nil {
		return Message{}, fmt.Errorf("realtime: redis publish: %w", err)
	}
	if len(res) != 3 {
		return Message{}, fmt.Errorf("realtime: redis publish: unexpected reply %v", res)
	}
	epoch, _ := res[0].(string)
	off, _ := res[1].(int64)
	ms, _ := res[2].(int64)
	return Message{Topic: topic, Epoch: epoch, Offset: uint64(off), Data: data, Time: time.UnixMilli(ms)}, nil
}

// History implements Broker.
func (b *RedisBroker) History(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error) {
	if b.isClosed() {
		return HistoryResult{}, ErrClosed
	}
	keys := []string{b.key("t:", topic), b.key("h:", topic)}
	res, err := historyScript.Run(ctx, b.rdb, keys, newEpoch(), after, max(limit, 0), b.idle.Milliseconds()).Slice()
	if err != nil {
		return HistoryResult{}, fmt.Errorf("realtime: redis history: %w", err)
	}
	if len(res) != 3 {
		return HistoryResult{}, fmt.Errorf("realtime: redis history: unexpected reply %v", res)
	}
	epoch, _ := res[0].(string)
	offStr, _ := res[1].(string)
	off, _ := strconv.ParseUint(offStr, 10, 64)
	out := HistoryResult{Latest: Position{Epoch: epoch, Offset: off}}
	items, _ := res[2].([]any)
	for _, it := range items {
		s, _ := it.(string)
		m, ok := parseStored(s)
		if !ok {
			return HistoryResult{}, fmt.Errorf("realtime: redis history of %q: a malformed entry", topic)
		}
		m.Topic, m.Epoch = topic, epoch
		out.Messages = append(out.Messages, m)
	}
	return out, nil
}

// parseStored decodes a history entry: "offset expiry-ms time-ms data".
func parseStored(s string) (Message, bool) {
	off, rest, ok1 := strings.Cut(s, " ")
	_, rest, ok2 := strings.Cut(rest, " ")
	ms, data, ok3 := strings.Cut(rest, " ")
	o, err1 := strconv.ParseUint(off, 10, 64)
	t, err2 := strconv.ParseInt(ms, 10, 64)
	if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil {
		return Message{}, false
	}
	return Message{Offset: o, Time: time.UnixMilli(t), Data: json.RawMessage(data)}, true
}

// Subscribe implements Broker. The channel subscription is confirmed by
// the server before it returns, so nothing published afterwards is
// missed.
func (b *RedisBroker) Subscribe(ctx context.Context, topic string, deliver func(Event)) (func(), error) {
	if b.isClosed() {
		return nil, ErrClosed
	}
	b.subMu.Lock()
	defer b.subMu.Unlock()
	id, first := b.fan.add(topic, deliver)
	if first {
		ch := b.key("c:", topic)
		wait := make(chan struct{})
		b.waitMu.Lock()
		b.waiters[ch] = append(b.waiters[ch], wait)
		b.waitMu.Unlock()
		err := b.ps.Subscribe(ctx, ch)
		if err == nil {
			select {
			case <-wait:
			case <-ctx.Done():
				err = ctx.Err()
			case <-time.After(10 * time.Second):
				err = errors.New("no confirmation from the server")
			}
		}
		if err != nil {
			b.fan.remove(topic, id)
			b.ps.Unsubscribe(context.Background(), ch)
			return nil, fmt.Errorf("realtime: redis subscribe to %q: %w", topic, err)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.subMu.Lock()
			defer b.subMu.Unlock()
			if b.fan.remove(topic, id) && !b.isClosed() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				b.ps.Unsubscribe(ctx, b.key("c:", topic))
			}
		})
	}, nil
}

// receive reads the pub/sub connection until Close. go-redis reconnects
// and resubscribes by itself after an error; the confirmations that follow
// trigger a catch-up from history.
func (b *RedisBroker) receive() {
	defer b.wg.Done()
	chPrefix := b.key("c:", "")
	errors := 0
	for {
		msg, err := b.ps.Receive(b.ctx)
		if err != nil {
			if b.ctx.Err() != nil {
				return
			}
			errors++
			if errors == 1 || errors%100 == 0 {
				b.log.Warn("realtime: redis broker: pub/sub connection", "error", err)
			}
			select {
			case <-b.ctx.Done():
				return
			case <-time.After(min(time.Duration(errors)*100*time.Millisecond, 5*time.Second)):
			}
			continue
		}
		reconnected := errors > 0
		errors = 0
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			b.waitMu.Lock()
			ws := b.waiters[m.Channel]
			delete(b.waiters, m.Channel)
			b.waitMu.Unlock()
			for _, w := range ws {
				close(w)
			}
			if len(ws) == 0 || reconnected {
				b.fan.catchUp(strings.TrimPrefix(m.Channel, chPrefix))
			}
		case *redis.Message:
			topic, ok := strings.CutPrefix(m.Channel, chPrefix)
			if !ok {
				continue
			}
			if e, ok := parseRedisEvent(topic, m.Payload); ok {
				b.fan.deliver(topic, e)
			}
		}
	}
}

// parseRedisEvent decodes a channel payload: "m epoch offset time-ms
// data", "j member" or "l member".
func parseRedisEvent(topic, p string) (Event, bool) {
	kind, rest, ok := strings.Cut(p, " ")
	if !ok {
		return Event{}, false
	}
	switch kind {
	case "m":
		epoch, rest, ok1 := strings.Cut(rest, " ")
		off, rest, ok2 := strings.Cut(rest, " ")
		ms, data, ok3 := strings.Cut(rest, " ")
		o, err1 := strconv.ParseUint(off, 10, 64)
		t, err2 := strconv.ParseInt(ms, 10, 64)
		if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil {
			return Event{}, false
		}
		return Event{Kind: EventMessage, Message: Message{Topic: topic, Epoch: epoch, Offset: o, Data: json.RawMessage(data), Time: time.UnixMilli(t)}}, true
	case "j", "l":
		var m Member
		if json.Unmarshal([]byte(rest), &m) != nil {
			return Event{}, false
		}
		k := EventJoin
		if kind == "l" {
			k = EventLeave
		}
		return Event{Kind: k, Member: m}, true
	}
	return Event{}, false
}

// Close implements Broker: it stops the heartbeat, removes this
// instance's members (with leave events) and closes the client.
func (b *RedisBroker) Close() error {
	return b.shut(true)
}

// shut closes the broker; reap false leaves its members for others to
// expire, as a crash would (tests).
func (b *RedisBroker) shut(reap bool) error {
	if !b.end() {
		return nil
	}
	var err error
	if reap {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = b.reap(ctx, b.instance)
		cancel()
	}
	err = errors.Join(err, b.ps.Close())
	b.wg.Wait()
	return errors.Join(err, b.rdb.Close())
}
