package anode

import (
	"context"
	"net/http"
	"net/netip"
)

// requestState is what the App learns about a request before any handler runs.
// One value per request, stored under a single context key.
type requestState struct {
	app      *App
	id       string
	clientIP netip.Addr
	rw       responseWriter // the App's wrapper around the ResponseWriter
}

type stateKey struct{}

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
	if st := stateFrom(r.Context()); st != nil {
		return st.clientIP
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// FromContext returns the App serving the request whose context is ctx, or nil.
func FromContext(ctx context.Context) *App {
	if st := stateFrom(ctx); st != nil {
		return st.app
	}
	return nil
}
