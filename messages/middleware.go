package messages

import (
	"context"
	"github.com/anode-go/anode/internal/commitwriter"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
)

// Options configure Middleware.
type Options struct {
	// Store keeps messages between requests. Required.
	Store Store
	// Level is the minimum level kept: messages below it are dropped when
	// added. Zero means LevelInfo, Django's default; LevelDebug keeps debug
	// messages too.
	Level Level
	// Tags renames levels' tags or names those of other levels
	// ({LevelError: "danger"} for Bootstrap); the rest keep their defaults.
	Tags map[Level]string
	// Logger receives debug lines (an unreadable store, messages added too
	// late); nil discards them.
	Logger *slog.Logger
}

// Middleware returns middleware that makes messages work for the requests it
// wraps: Add and FromRequest find the request's messages through its
// context, the Store is read the first time they are needed, and it is
// written, when they changed, just before the response's headers go out
// (or when the handler returns without writing).
//
// It panics if opts.Store is nil.
func Middleware(opts Options) func(http.Handler) http.Handler {
	return NewManager(opts).Middleware
}

// Manager is the configuration of messages, shared by the requests it
// serves: Middleware wraps every request, and a framework that keeps its
// own per-request state (the Anode App) makes a State only for the
// requests that use messages (NewState).
type Manager struct {
	cfg *config
}

// NewManager returns a Manager for opts. It panics if opts.Store is nil.
func NewManager(opts Options) *Manager {
	if opts.Store == nil {
		panic("messages: Middleware needs Options.Store")
	}
	cfg := &config{store: opts.Store, level: opts.Level, logger: opts.Logger, tags: map[Level]string{}}
	if cfg.level == 0 {
		cfg.level = LevelInfo
	}
	for l, t := range defaultTags {
		cfg.tags[l] = t
	}
	for l, t := range opts.Tags {
		cfg.tags[l] = t
	}
	return &Manager{cfg: cfg}
}

// Middleware is the messages middleware of m (see the Middleware function).
func (m *Manager) Middleware(next http.Handler) http.Handler {
	cfg := m.cfg
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &State{Context: r.Context(), cfg: cfg, level: cfg.level}
		st.rw = commitwriter.Writer{ResponseWriter: w, C: st}
		st.r = r.WithContext(st)
		// ServeMux records the matched pattern on the request it is
		// given, our copy; outer layers (the access log) read theirs.
		defer func() { r.Pattern = st.r.Pattern }()
		next.ServeHTTP(&st.rw, st.r)
		st.Commit()
	})
}

// NewState makes the messages of one request served without Middleware:
// ctx is the request's context, r the request (its cookies are read on
// first use) and w the response writer the store sets its cookie on. The
// host must answer IsContextKey keys of the request's context with the
// State, so that Add and FromRequest find it, and call Commit before the
// response's headers go out and when the handler returns.
func (m *Manager) NewState(ctx context.Context, r *http.Request, w http.ResponseWriter) *State {
	st := &State{Context: ctx, cfg: m.cfg, level: m.cfg.level, r: r}
	st.rw.ResponseWriter = w
	return st
}

// IsContextKey reports whether key is the context key under which Add and
// FromRequest look for a request's State.
func IsContextKey(key any) bool {
	_, ok := key.(stateKey)
	return ok
}

type config struct {
	store  Store
	level  Level
	tags   map[Level]string
	logger *slog.Logger
}

type stateKey struct{}

// State holds one request's messages. Under Middleware it is also the
// request's context (the parent's values plus itself), and holds the
// response writer wrapper, so the middleware allocates one object per
// request. Its methods are safe for concurrent use.
type State struct {
	context.Context
	cfg *config
	r   *http.Request
	rw  commitwriter.Writer

	mu        sync.Mutex
	level     Level
	loaded    bool
	stored    []Message // read from the store, not yet shown
	queued    []Message // added during this request, not yet shown
	changed   bool      // the store must be written
	committed atomic.Bool
}

// Value returns the state for stateKey and defers to the parent otherwise.
func (st *State) Value(key any) any {
	if key == (stateKey{}) {
		return st
	}
	return st.Context.Value(key)
}

func stateFrom(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// load reads the store once; st.mu is held.
func (st *State) load(ctx context.Context) {
	if st.loaded {
		return
	}
	st.loaded = true
	msgs, err := st.cfg.store.Load(ctx, st.r)
	if err != nil {
		st.debug(ctx, "messages: stored messages ignored", "error", err)
		st.changed = true // replace what could not be read
		return
	}
	st.stored = msgs
}

func (st *State) add(m Message) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if m.Level < st.level {
		return
	}
	if st.committed.Load() {
		st.debug(st, "messages: message added after the response started; it is lost", "text", m.Text)
		return
	}
	st.queued = append(st.queued, m)
	st.changed = true
}

func (st *State) consume() []Message {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.load(st)
	n := len(st.stored) + len(st.queued)
	if n == 0 {
		return nil
	}
	out := make([]Message, 0, n)
	out = append(append(out, st.stored...), st.queued...)
	for i := range out {
		out[i].levelTag = st.cfg.tags[out[i].Level]
	}
	st.stored, st.queued = nil, nil
	if st.committed.Load() {
		st.debug(st, "messages: messages read after the response started; they will show again", "count", n)
	} else {
		st.changed = true
	}
	return out
}

// Commit writes the store if the messages changed. It runs once, before
// the response's headers are written; later calls do nothing.
func (st *State) Commit() {
	if st.committed.Load() {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed.Swap(true) || !st.changed {
		return
	}
	st.load(st)
	keep := append(st.stored[:len(st.stored):len(st.stored)], st.queued...)
	if err := st.cfg.store.Save(st, st.rw.ResponseWriter, st.r, keep); err != nil {
		st.debug(st, "messages: saving messages failed", "error", err)
	}
}

func (st *State) debug(ctx context.Context, msg string, args ...any) {
	if st.cfg.logger != nil {
		st.cfg.logger.DebugContext(ctx, msg, args...)
	}
}
