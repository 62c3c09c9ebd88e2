package realtime

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Close codes the server sends (WebSocket close frames; SSE clients get
// them in a final "close" frame).
const (
	// CloseNormal ends a connection the server closed on purpose.
	CloseNormal = 1000
	// CloseGoingAway is sent to every client on graceful shutdown:
	// reconnect (to another instance) and recover.
	CloseGoingAway = 1001
	// CloseMessageTooBig: a client frame exceeded Options.MaxMessageBytes.
	CloseMessageTooBig = 1009
	// CloseProtocolError: a client sent a binary frame.
	CloseProtocolError = 4000
	// CloseSignedOut: the connection's user signed out
	// (Hub.DisconnectUser); reconnecting identifies the client afresh.
	CloseSignedOut = 4001
	// CloseSlowConsumer: the client did not read fast enough and its send
	// queue filled up.
	CloseSlowConsumer = 4008
	// CloseIdleTimeout: the client did not answer a ping in time.
	CloseIdleTimeout = 4010
	// CloseRateLimited: the client kept sending past its rate limit.
	CloseRateLimited = 4029
)

// Client is one connection (a WebSocket or an SSE stream with its send
// endpoint). Policies and event handlers receive it; its methods are
// safe for concurrent use.
type Client struct {
	hub       *Hub
	id        string
	token     string // authorizes SSE sends
	ident     Identity
	transport string
	ctx       context.Context
	cancel    context.CancelFunc

	q         queue
	done      chan struct{} // closed by close
	closeOnce sync.Once
	code      int
	reason    string

	mu      sync.Mutex
	subs    map[string]*subscription
	userSub *subscription // the user's internal topic (DisconnectUser)
	values  map[any]any

	inflight chan struct{} // emit handler slots

	rmu      sync.Mutex // rate limit
	tokens   float64
	refilled time.Time
	refused  int // refusals in a row
}

// subscription is one topic of one client.
type subscription struct {
	presence   bool
	recovering bool      // live events queue in pending until the ack is out
	pending    []pending // bounded by SendQueue
	last       uint64    // offset of the last message sent
}

type pending struct {
	offset uint64 // 0: a presence event
	frame  []byte
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return lowerBase32.EncodeToString(b[:])
}

func (h *Hub) newClient(parent context.Context, ident Identity, transport string) *Client {
	ctx, cancel := context.WithCancel(parent)
	c := &Client{hub: h, id: newID(), ident: ident, transport: transport, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), subs: map[string]*subscription{},
		inflight: make(chan struct{}, h.opts.MaxInflight), tokens: float64(h.opts.RateBurst), refilled: time.Now()}
	c.q.init(h.opts.SendQueue, h.opts.SendQueueBytes)
	if transport == "sse" {
		c.token = newID()
	}
	return c
}

// ID returns the connection's unique ID (also its presence ClientID).
func (c *Client) ID() string { return c.id }

// Identity returns who the connection belongs to, as decided at the
// handshake.
func (c *Client) Identity() Identity { return c.ident }

// Transport returns "websocket" or "sse".
func (c *Client) Transport() string { return c.transport }

// Context returns the connection's context: it carries the handshake
// request's values (the session, the user) and is cancelled when the
// connection ends, not when the handshake request does.
func (c *Client) Context() context.Context { return c.ctx }

// Set stores per-connection metadata under key, for later policies and
// handlers; Value reads it back.
func (c *Client) Set(key, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		c.values = map[any]any{}
	}
	c.values[key] = value
}

// Value returns the metadata stored under key, or nil.
func (c *Client) Value(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// Emit sends event with data (encoded as JSON) to this client alone, as
// an "emit" frame. It fails when data does not encode or the client is
// gone; it never blocks.
func (c *Client) Emit(event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("realtime: emit %q: %w", event, err)
	}
	if !c.enqueue(encode(inFrame{Type: typeEmit, Event: event, Data: b})) {
		return fmt.Errorf("realtime: emit %q: %w", event, ErrClosed)
	}
	return nil
}

// Close disconnects the client with CloseNormal.
func (c *Client) Close() { c.close(CloseNormal, "closed by the server") }

// close ends the connection with code; the transport's writer sends it.
// Only the first call counts.
func (c *Client) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *Client) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// enqueue queues frame for the writer, or disconnects a client whose
// queue is full. It never blocks.
func (c *Client) enqueue(frame []byte) bool {
	if c.closed() {
		return false
	}
	if !c.q.push(frame) {
		c.hub.log.Warn("realtime: slow consumer disconnected", "client", c.id, "queued", c.q.max)
		c.close(CloseSlowConsumer, "slow consumer")
		return false
	}
	return true
}

// deliver queues a topic event for c (called by Hub.deliver).
func (c *Client) deliver(sub *subscription, offset uint64, frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sub.recovering {
		if len(sub.pending) >= c.hub.opts.SendQueue {
			c.close(CloseSlowConsumer, "slow consumer")
			return
		}
		sub.pending = append(sub.pending, pending{offset, frame})
		return
	}
	if offset != 0 {
		if offset <= sub.last {
			return // already sent (recovered)
		}
		sub.last = offset
	}
	c.enqueue(frame)
}

// allow takes one token from the client's rate limit.
func (c *Client) allow() bool {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	o := &c.hub.opts
	now := time.Now()
	c.tokens = min(float64(o.RateBurst), c.tokens+now.Sub(c.refilled).Seconds()*o.RateLimit)
	c.refilled = now
	if c.tokens >= 1 {
		c.tokens--
		c.refused = 0
		return true
	}
	c.refused++
	if c.refused > o.RateBurst {
		c.close(CloseRateLimited, "rate limit exceeded")
	}
	return false
}

// handle processes one client frame. Replies (ack or error) are queued.
// It returns false when the frame was refused by the rate limit.
func (c *Client) handle(raw []byte) bool {
	if !c.allow() {
		var f inFrame
		json.Unmarshal(raw, &f) // only for the id; a bad frame gets id 0
		c.enqueue(encodeError(f.ID, "", errRateLimited))
		return false
	}
	var f inFrame
	if err := json.Unmarshal(raw, &f); err != nil {
		c.enqueue(encodeError(0, "", errBadRequest))
		return true
	}
	switch f.Type {
	case typeSubscribe:
		c.subscribe(f)
	case typeUnsubscribe:
		c.unsubscribe(f)
	case typePublish:
		c.publish(f)
	case typePresence:
		c.members(f)
	case typeEmit:
		c.emit(f)
	default:
		c.enqueue(encodeError(f.ID, "", errBadRequest))
	}
	return true
}

// fail queues err for frame f, logging errors that are not *Error.
func (c *Client) fail(f inFrame, err error, fallback *Error) {
	e, ok := asError(err)
	if !ok {
		c.hub.log.ErrorContext(c.ctx, "realtime: "+f.Type+" failed", "client", c.id, "topic", f.Topic, "event", f.Event, "error", err)
		e = fallback
	}
	c.enqueue(encodeError(f.ID, f.Topic, e))
}

func (c *Client) ack(a ackFrame) {
	a.Type = typeAck
	c.enqueue(encode(a))
}

// checkTopic finds f's rule and runs the policy pol picks from it.
func (c *Client) checkTopic(f inFrame, pol func(*rule) Policy) (*rule, bool) {
	if !ValidTopic(f.Topic) {
		c.fail(f, errBadTopic, errBadTopic)
		return nil, false
	}
	r := c.hub.rule(f.Topic)
	if r == nil || pol(r) == nil {
		c.fail(f, ErrForbidden, ErrForbidden)
		return nil, false
	}
	if err := pol(r)(c.ctx, c, f.Topic); err != nil {
		c.fail(f, err, ErrForbidden)
		return nil, false
	}
	return r, true
}

func (c *Client) subscribe(f inFrame) {
	r, ok := c.checkTopic(f, func(r *rule) Policy { return r.Subscribe })
	if !ok {
		return
	}
	c.mu.Lock()
	if old := c.subs[f.Topic]; old != nil {
		c.mu.Unlock()
		c.fail(f, &Error{Code: "already_subscribed", Message: "already subscribed to this topic"}, nil)
		return
	}
	if len(c.subs) >= c.hub.opts.MaxSubscriptions {
		c.mu.Unlock()
		c.fail(f, errTooMany, nil)
		return
	}
	sub := &subscription{recovering: true, presence: r.Presence && c.hub.presence != nil}
	c.subs[f.Topic] = sub
	c.mu.Unlock()

	if err := c.hub.attach(c.ctx, c, f.Topic, sub); err != nil {
		c.dropSub(f.Topic, sub)
		c.fail(f, err, errInternal)
		return
	}
	// Live events now queue in sub.pending; read the history after
	// subscribing so that nothing falls between the two.
	var after uint64
	limit := 0
	if f.Recover != nil {
		after, limit = f.Recover.Offset, c.hub.opts.MaxRecover+1
	}
	hist, err := c.hub.broker.History(c.ctx, f.Topic, after, limit)
	if err != nil {
		c.hub.detach(c, f.Topic, sub)
		c.dropSub(f.Topic, sub)
		c.fail(f, err, errInternal)
		return
	}
	latest := hist.Latest
	var missed []Message
	var recovered *bool
	if rec := f.Recover; rec != nil {
		ok := false
		if rec.Epoch == latest.Epoch && rec.Offset <= latest.Offset {
			want := latest.Offset - rec.Offset
			switch {
			case want == 0:
				ok = true
			case want <= uint64(c.hub.opts.MaxRecover) && uint64(len(hist.Messages)) == want && hist.Messages[0].Offset == rec.Offset+1:
				ok, missed = true, hist.Messages
			}
		}
		recovered = &ok
	}

	c.mu.Lock()
	if c.subs[f.Topic] != sub { // unsubscribed or disconnected meanwhile
		c.mu.Unlock()
		c.hub.detach(c, f.Topic, sub)
		return
	}
	c.ack(ackFrame{ID: f.ID, Topic: f.Topic, Epoch: latest.Epoch, Offset: latest.Offset, Recovered: recovered, Missed: len(missed)})
	for _, m := range missed {
		c.enqueue(encode(messageFrame{Type: typeMessage, Topic: f.Topic, Epoch: m.Epoch, Offset: m.Offset, Data: m.Data}))
	}
	sub.last = latest.Offset
	for _, p := range sub.pending {
		if p.offset != 0 {
			if p.offset <= sub.last {
				continue
			}
			sub.last = p.offset
		}
		c.enqueue(p.frame)
	}
	sub.pending, sub.recovering = nil, false
	c.mu.Unlock()

	if sub.presence {
		if err := c.hub.presence.Join(c.ctx, f.Topic, c.member()); err != nil {
			c.hub.log.ErrorContext(c.ctx, "realtime: presence join failed", "client", c.id, "topic", f.Topic, "error", err)
		}
		c.mu.Lock()
		gone := c.subs[f.Topic] != sub
		c.mu.Unlock()
		if gone { // left while joining (an SSE stream ending): undo
			c.leave(f.Topic, sub)
		}
	}
}

func (c *Client) member() Member {
	return Member{ClientID: c.id, UserID: c.ident.UserID, Info: c.ident.Info}
}

// dropSub forgets sub if it is still c's subscription to topic.
func (c *Client) dropSub(topic string, sub *subscription) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs[topic] != sub {
		return false
	}
	delete(c.subs, topic)
	return true
}

func (c *Client) unsubscribe(f inFrame) {
	c.mu.Lock()
	sub := c.subs[f.Topic]
	c.mu.Unlock()
	if sub == nil {
		c.fail(f, errNotSub, nil)
		return
	}
	if c.dropSub(f.Topic, sub) {
		c.leave(f.Topic, sub)
	}
	c.ack(ackFrame{ID: f.ID, Topic: f.Topic})
}

// leave detaches c from topic and removes its presence.
func (c *Client) leave(topic string, sub *subscription) {
	c.hub.detach(c, topic, sub)
	if sub.presence {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
		defer cancel()
		if err := c.hub.presence.Leave(ctx, topic, c.id); err != nil {
			c.hub.log.Error("realtime: presence leave failed", "client", c.id, "topic", topic, "error", err)
		}
	}
}

// cleanup removes every subscription when the connection has ended.
func (c *Client) cleanup() {
	c.cancel()
	c.hub.unwatchUser(c)
	c.mu.Lock()
	subs := c.subs
	c.subs = map[string]*subscription{}
	c.mu.Unlock()
	for topic, sub := range subs {
		c.leave(topic, sub)
	}
}

func (c *Client) publish(f inFrame) {
	r, ok := c.checkTopic(f, func(r *rule) Policy { return r.Publish })
	if !ok {
		return
	}
	if len(f.Data) == 0 {
		c.fail(f, &Error{Code: "bad_request", Message: "publish needs data"}, nil)
		return
	}
	pos, err := c.hub.publish(c.ctx, f.Topic, f.Data, r)
	if err != nil {
		c.fail(f, err, errInternal)
		return
	}
	c.ack(ackFrame{ID: f.ID, Topic: f.Topic, Epoch: pos.Epoch, Offset: pos.Offset})
}

func (c *Client) members(f inFrame) {
	r, ok := c.checkTopic(f, func(r *rule) Policy { return r.Subscribe })
	if !ok {
		return
	}
	if !r.Presence || c.hub.presence == nil {
		c.fail(f, errNoPresence, nil)
		return
	}
	ms, err := c.hub.presence.Members(c.ctx, f.Topic)
	if err != nil {
		c.fail(f, err, errInternal)
		return
	}
	data, _ := json.Marshal(struct {
		Members []Member `json:"members"`
	}{ms})
	c.ack(ackFrame{ID: f.ID, Topic: f.Topic, Data: data})
}

func (c *Client) emit(f inFrame) {
	fn := c.hub.handler(f.Event)
	if fn == nil {
		c.fail(f, errUnknownEvent, nil)
		return
	}
	select {
	case c.inflight <- struct{}{}:
	default:
		c.fail(f, errBusy, nil)
		return
	}
	go func() {
		defer func() { <-c.inflight }()
		defer func() {
			if p := recover(); p != nil {
				c.hub.log.ErrorContext(c.ctx, "realtime: event handler panicked", "event", f.Event, "client", c.id, "panic", fmt.Sprint(p))
				c.enqueue(encodeError(f.ID, "", errInternal))
			}
		}()
		res, err := fn(c.ctx, c, f.Data)
		if err != nil {
			c.fail(f, err, errInternal)
			return
		}
		var data json.RawMessage
		if res != nil {
			if data, err = json.Marshal(res); err != nil {
				c.fail(f, fmt.Errorf("encoding the result of event %q: %w", f.Event, err), errInternal)
				return
			}
		}
		c.ack(ackFrame{ID: f.ID, Data: data})
	}()
}
