package anode

import (
	"context"
	"net/http"
	"net/netip"
	"sync/atomic"

	"github.com/anode-go/anode/messages"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// requestState is what the App learns about a request before any handler runs.
// It is also the request's context (its parent's values plus itself under
// stateKey), which saves the allocation of a separate context.WithValue.
type requestState struct {
	context.Context
	app        *App
	idHeader   [1]string // the X-Request-ID header value, allocated with the state
	varyHeader [1]string // a Vary value added by the compressor
	idBuf      [24]byte  // holds a generated request ID (8-char prefix, "-", base-36 counter)
	id         string
	clientIP   netip.Addr
	ipKnown    bool           // clientIP was computed (trusted proxies); else it is the peer
	rw         responseWriter // the App's wrapper around the ResponseWriter
	req        *http.Request  // the request as handlers get it, for its cookies

	// msgs is the request's messages, made on first use: requests that
	// never touch messages pay nothing for them.
	msgs atomic.Pointer[messages.State]
	// sess is the request's session, likewise made on first use (sessions.go).
	sess atomic.Pointer[session.Session]
}

type stateKey struct{}

// Value returns the state itself for stateKey and defers to the parent
// context for every other key.
func (st *requestState) Value(key any) any {
	if key == (stateKey{}) {
		return st
	}
	if messages.IsContextKey(key) {
		return st.messages()
	}
	if session.IsContextKey(key) {
		return st.session()
	}
	if security.IsRequestInfoKey(key) {
		return (*limitHost)(st) // ratelimit.go
	}
	return st.Context.Value(key)
}

// messages returns the request's messages, making them on first use; the
// response writer commits them before the headers go out.
func (st *requestState) messages() *messages.State {
	if m := st.msgs.Load(); m != nil {
		return m
	}
	m := st.app.msgs.NewState(st, st.req, &st.rw)
	if st.msgs.CompareAndSwap(nil, m) {
		return m
	}
	return st.msgs.Load()
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// RequestID returns the ID of the request being served in ctx ("" outside an App).
// The same ID is in the X-Request-ID response header and in every log line the
// App writes for the request.
func RequestID(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.id
	}
	return ""
}

// ClientIP returns the client's address for the request: the connection's peer,
// or, when the peer is a trusted proxy (ANODE_TRUSTED_PROXIES), the nearest
// untrusted address in X-Forwarded-For. The zero Addr outside an App.
func ClientIP(r *http.Request) netip.Addr {
	if st := stateFrom(r.Context()); st != nil && st.ipKnown {
		return st.clientIP
	}
	return remoteAddr(r)
}

// FromContext returns the App serving the request whose context is ctx, or nil.
func FromContext(ctx context.Context) *App {
	if st := stateFrom(ctx); st != nil {
		return st.app
	}
	return nil
}
