package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Options configures a Hub. The zero value is usable: the memory broker,
// anonymous clients, same-origin browsers only, and the defaults below.
type Options struct {
	// Broker carries messages between instances and keeps history. Nil:
	// a new MemoryBroker, closed by Hub.Close.
	Broker Broker
	// Presence keeps topic members. Nil: Broker, if it implements
	// Presence; else presence is unavailable.
	Presence Presence
	// Identify identifies a client at the handshake. Nil: every client is
	// anonymous.
	Identify IdentityFunc
	// AllowedHosts are host names (Config.AllowedHosts) whose pages may
	// connect: "example.com" exactly, ".example.com" the domain and its
	// subdomains, on any port. "*" allows no origin: a browser page may
	// still connect to the host that served it (its Origin equals the
	// request's Host).
	AllowedHosts []string
	// TrustedOrigins are further origins whose pages may connect, as
	// "scheme://host[:port]" (https://app.example.com).
	TrustedOrigins []string
	// Logger receives the hub's logs. Nil: slog.Default().
	Logger *slog.Logger

	// MaxMessageBytes caps a client frame; a larger one closes a
	// WebSocket with 1009 and fails an SSE send with 413. Default 64 KiB.
	MaxMessageBytes int64
	// SendQueue caps the frames waiting to be written to one connection;
	// a client that lets more pile up is disconnected (CloseSlowConsumer).
	// Default 1024.
	SendQueue int
	// SendQueueBytes caps the bytes waiting likewise. Default 8 MiB.
	SendQueueBytes int
	// RateLimit is how many frames per second a client may send on
	// average, with bursts of RateBurst. Frames over the limit are
	// refused with a "rate_limited" error; a client that goes on past
	// RateBurst refusals in a row is disconnected (CloseRateLimited).
	// Defaults 20 and 40.
	RateLimit float64
	RateBurst int
	// MaxSubscriptions caps the topics one connection subscribes to.
	// Default 100.
	MaxSubscriptions int
	// MaxInflight caps a connection's emit handlers running at once;
	// beyond it, emits are refused with "busy". Default 8.
	MaxInflight int
	// PingInterval is how often the server pings (a WebSocket ping, an
	// SSE comment). Default 25s.
	PingInterval time.Duration
	// PongTimeout is how long a WebSocket client has to answer a ping
	// before it is disconnected as idle (CloseIdleTimeout). Default 10s.
	PongTimeout time.Duration
	// WriteTimeout bounds writing one frame. Default 10s.
	WriteTimeout time.Duration
	// Compression turns on permessage-deflate for WebSocket clients that
	// offer it. It costs memory and CPU per connection; off by default.
	Compression bool
	// HistorySize and HistoryTTL are the default history of a topic (see
	// Rule). Defaults 100 messages and 5 minutes.
	HistorySize int
	HistoryTTL  time.Duration
	// MaxRecover caps the messages a subscribe recovers; a client that
	// missed more gets recovered:false. Default 500 (and less than
	// SendQueue).
	MaxRecover int
}

func (o *Options) defaults() {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 10
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 1024
	}
	if o.SendQueueBytes <= 0 {
		o.SendQueueBytes = 8 << 20
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 20
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 40
	}
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = 100
	}
	if o.MaxInflight <= 0 {
		o.MaxInflight = 8
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 25 * time.Second
	}
	if o.PongTimeout <= 0 {
		o.PongTimeout = 10 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.HistorySize == 0 {
		o.HistorySize = 100
	}
	if o.HistoryTTL == 0 {
		o.HistoryTTL = 5 * time.Minute
	}
	if o.MaxRecover <= 0 {
		o.MaxRecover = 500
	}
	if o.MaxRecover > o.SendQueue-2 {
		o.MaxRecover = max(o.SendQueue-2, 0)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// EventHandler answers a client's emit of one event: its result, encoded
// as JSON, is the acknowledgement's data; an error is sent as an error
// frame (see Error). Handlers run on their own goroutine, at most
// Options.MaxInflight at once per connection; ctx ends when the
// connection does.
type EventHandler func(ctx context.Context, c *Client, data json.RawMessage) (any, error)

// Hub connects clients to topics: it serves the WebSocket and SSE
// endpoints, checks each client frame against the topic rules, and fans
// out what the Broker delivers. Publish works from anywhere: handlers,
// hooks, commands.
//
// Configure a Hub (Topic, Handle) before it serves; serving and Publish
// are safe for concurrent use.
type Hub struct {
	opts     Options
	broker   Broker
	presence Presence
	ownsBkr  bool
	log      *slog.Logger

	cfgMu    sync.RWMutex
	rules    []*rule
	handlers map[string]EventHandler

	subMu   sync.Mutex // serializes broker subscriptions (attach, detach)
	mu      sync.RWMutex
	topics  map[string]*localTopic
	clients map[string]*Client
	closing bool
	conns   sync.WaitGroup
}

// localTopic is one topic this instance's clients subscribe to.
type localTopic struct {
	subs   map[*Client]*subscription
	cancel func()
}

// New returns a Hub.
func New(opts Options) *Hub {
	opts.defaults()
	h := &Hub{opts: opts, broker: opts.Broker, presence: opts.Presence, log: opts.Logger,
		handlers: map[string]EventHandler{}, topics: map[string]*localTopic{}, clients: map[string]*Client{}}
	if h.broker == nil {
		h.broker = NewMemoryBroker(MemoryOptions{})
		h.ownsBkr = true
	}
	if h.presence == nil {
		h.presence, _ = h.broker.(Presence)
	}
	return h
}

// Topic sets the rule for topics matching pattern: a topic name
// ("chat:lobby"), or a prefix ending in "*" ("chat:*" for the chat
// namespace, "*" for every topic). An exact pattern wins over "*"
// patterns, a longer "*" pattern over a shorter one. Topics no pattern
// matches get the zero Rule: clients may neither subscribe nor publish.
// An invalid or repeated pattern panics.
func (h *Hub) Topic(pattern string, r Rule) {
	if err := checkPattern(pattern); err != nil {
		panic(err.Error())
	}
	h.cfgMu.Lock()
	defer h.cfgMu.Unlock()
	for _, old := range h.rules {
		if old.full == pattern {
			panic(fmt.Sprintf("realtime: topic pattern %q has a rule already", pattern))
		}
	}
	name, prefix := pattern, false
	if pattern[len(pattern)-1] == '*' {
		name, prefix = pattern[:len(pattern)-1], true
	}
	h.rules = append(h.rules, &rule{pattern: name, full: pattern, prefix: prefix, Rule: r})
}

// Handle registers fn for client emits of event. Registering an event
// twice, or a nil fn, panics.
func (h *Hub) Handle(event string, fn EventHandler) {
	if event == "" || fn == nil {
		panic("realtime: Handle needs an event name and a handler")
	}
	h.cfgMu.Lock()
	defer h.cfgMu.Unlock()
	if _, dup := h.handlers[event]; dup {
		panic(fmt.Sprintf("realtime: event %q has a handler already", event))
	}
	h.handlers[event] = fn
}

// Identify sets the function that identifies clients at the handshake,
// replacing Options.Identify: with the auth module,
// hub.Identify(auth.RealtimeIdentity). Call it before the Hub serves.
func (h *Hub) Identify(fn IdentityFunc) {
	h.cfgMu.Lock()
	defer h.cfgMu.Unlock()
	h.opts.Identify = fn
}

func (h *Hub) rule(topic string) *rule {
	h.cfgMu.RLock()
	defer h.cfgMu.RUnlock()
	return matchRule(h.rules, topic)
}

func (h *Hub) handler(event string) EventHandler {
	h.cfgMu.RLock()
	defer h.cfgMu.RUnlock()
	return h.handlers[event]
}

// publishOptions is the history of topic under its rule r (nil: none).
func (h *Hub) publishOptions(r *rule) PublishOptions {
	o := PublishOptions{History: h.opts.HistorySize, HistoryTTL: h.opts.HistoryTTL}
	if r != nil {
		if r.History != 0 {
			o.History = r.History
		}
		if r.HistoryTTL != 0 {
			o.HistoryTTL = r.HistoryTTL
		}
	}
	o.History = max(o.History, 0)
	o.HistoryTTL = max(o.HistoryTTL, 0)
	return o
}

// Publish sends payload to every subscriber of topic, on every instance,
// and keeps it in the topic's history. payload is encoded as JSON unless
// it is a json.RawMessage (sent as is, after a validity check). The
// server may publish to any valid topic, whatever its Rule. It returns
// the message's position.
func (h *Hub) Publish(ctx context.Context, topic string, payload any) (Position, error) {
	if !ValidTopic(topic) {
		return Position{}, fmt.Errorf("realtime: publish: invalid topic %q", topic)
	}
	var data json.RawMessage
	if raw, ok := payload.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return Position{}, fmt.Errorf("realtime: publish to %q: payload is not valid JSON", topic)
		}
		data = raw
	} else {
		b, err := json.Marshal(payload)
		if err != nil {
			return Position{}, fmt.Errorf("realtime: publish to %q: %w", topic, err)
		}
		data = b
	}
	return h.publish(ctx, topic, data, h.rule(topic))
}

func (h *Hub) publish(ctx context.Context, topic string, data json.RawMessage, r *rule) (Position, error) {
	m, err := h.broker.Publish(ctx, topic, data, h.publishOptions(r))
	if err != nil {
		return Position{}, fmt.Errorf("realtime: publish to %q: %w", topic, err)
	}
	return Position{Epoch: m.Epoch, Offset: m.Offset}, nil
}

// Members returns the members present in topic. It fails when the Hub
// keeps no presence.
func (h *Hub) Members(ctx context.Context, topic string) ([]Member, error) {
	if h.presence == nil {
		return nil, fmt.Errorf("realtime: the hub keeps no presence")
	}
	return h.presence.Members(ctx, topic)
}

// attach subscribes c to topic on this instance, subscribing the instance
// to the broker for its first client.
func (h *Hub) attach(ctx context.Context, c *Client, topic string, sub *subscription) error {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	h.mu.Lock()
	lt := h.topics[topic]
	fresh := lt == nil
	if fresh {
		lt = &localTopic{subs: map[*Client]*subscription{}}
		h.topics[topic] = lt
	}
	lt.subs[c] = sub
	h.mu.Unlock()
	if !fresh {
		return nil
	}
	cancel, err := h.broker.Subscribe(ctx, topic, func(e Event) { h.deliver(topic, e) })
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		delete(h.topics, topic)
		return err
	}
	lt.cancel = cancel
	return nil
}

// detach removes c's subscription sub from topic, unsubscribing the
// instance from the broker after its last client.
func (h *Hub) detach(c *Client, topic string, sub *subscription) {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	h.mu.Lock()
	lt := h.topics[topic]
	var cancel func()
	if lt != nil && lt.subs[c] == sub {
		delete(lt.subs, c)
		if len(lt.subs) == 0 {
			delete(h.topics, topic)
			cancel = lt.cancel
		}
	}
	h.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// deliver fans an event out to this instance's subscribers of topic. It
// only queues: it never waits for a client.
func (h *Hub) deliver(topic string, e Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	lt := h.topics[topic]
	if lt == nil || len(lt.subs) == 0 || deliverControl(topic, lt, e) {
		return
	}
	var frame []byte
	var offset uint64
	switch e.Kind {
	case EventMessage:
		m := e.Message
		frame = encode(messageFrame{Type: typeMessage, Topic: topic, Epoch: m.Epoch, Offset: m.Offset, Data: m.Data})
		offset = m.Offset
	case EventJoin, EventLeave:
		t := typeJoin
		if e.Kind == EventLeave {
			t = typeLeave
		}
		frame = encode(presenceFrame{Type: t, Topic: topic, Member: e.Member})
	default:
		return
	}
	for c, sub := range lt.subs {
		if offset == 0 && !sub.presence {
			continue
		}
		c.deliver(sub, offset, frame)
	}
}

// register adds a connected client; false while shutting down.
func (h *Hub) register(c *Client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.clients[c.id] = c
	h.conns.Add(1)
	return true
}

func (h *Hub) unregister(c *Client) {
	h.mu.Lock()
	delete(h.clients, c.id)
	h.mu.Unlock()
	h.conns.Done()
}

func (h *Hub) client(id string) *Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.clients[id]
}

// Clients returns how many clients are connected to this instance.
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// Shutdown refuses new connections and closes every client with 1001
// (going away), so they reconnect elsewhere and recover what they miss;
// it returns when every connection has ended or ctx is done. The App runs
// it as a shutdown hook.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	clients := make([]*Client, 0, len(h.clients))
	for _, c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	for _, c := range clients {
		c.close(CloseGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() { h.conns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("realtime: shutdown: %d connections still open: %w", h.Clients(), ctx.Err())
	}
}

// Close shuts the Hub down at once (Shutdown with a 5-second bound) and
// closes the broker it made itself.
func (h *Hub) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.Shutdown(ctx)
	if h.ownsBkr {
		h.broker.Close()
	}
	return err
}

// refuse writes a handshake refusal.
func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// handshake checks a connection request: shutdown, Origin, identity. It
// writes the refusal itself and returns ok=false.
func (h *Hub) handshake(w http.ResponseWriter, r *http.Request) (Identity, bool) {
	h.mu.RLock()
	closing := h.closing
	h.mu.RUnlock()
	if closing {
		w.Header().Set("Retry-After", "1")
		refuse(w, http.StatusServiceUnavailable, "realtime: server shutting down")
		return Identity{}, false
	}
	if err := h.checkOrigin(r); err != nil {
		h.log.WarnContext(r.Context(), "realtime: connection refused", "error", err)
		refuse(w, http.StatusForbidden, "realtime: origin not allowed")
		return Identity{}, false
	}
	h.cfgMu.RLock()
	identify := h.opts.Identify
	h.cfgMu.RUnlock()
	if identify == nil {
		return Identity{}, true
	}
	id, err := identify(r)
	if err != nil {
		e, ok := asError(err)
		if !ok {
			h.log.ErrorContext(r.Context(), "realtime: identifying a client", "error", err)
			e = ErrForbidden
		}
		status := http.StatusForbidden
		if e.Code == ErrUnauthorized.Code {
			status = http.StatusUnauthorized
		}
		refuse(w, status, "realtime: "+e.Message)
		return Identity{}, false
	}
	return id, true
}
