package security

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
)

// RequestInfo is what the application serving a request knows and a
// middleware in this package cannot work out alone: the client's address
// behind trusted proxies, and how the application renders errors and
// logs. An anode.App answers the context key recognised by
// IsRequestInfoKey with one, for every request it serves; this package
// never imports the App.
type RequestInfo interface {
	// ClientIP is the client's address (anode.ClientIP).
	ClientIP() netip.Addr
	// RenderError writes err as the application's error page or JSON
	// (anode.RenderError).
	RenderError(w http.ResponseWriter, r *http.Request, err error)
	// Logger is the application's logger.
	Logger() *slog.Logger
}

type requestInfoKey struct{}

// IsRequestInfoKey reports whether key is the context key under which this
// package looks up the request's RequestInfo. A host (anode.App) answers
// it from its request context's Value method.
func IsRequestInfoKey(key any) bool {
	_, ok := key.(requestInfoKey)
	return ok
}

// requestInfo returns the host's RequestInfo for ctx, or nil outside one.
func requestInfo(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return ri
}

// clientIP is the host's client address for r, or r's peer address.
func clientIP(r *http.Request) netip.Addr {
	if ri := requestInfo(r.Context()); ri != nil {
		return ri.ClientIP()
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap()
}

// renderError writes err through the host's renderer, or as plain text
// outside a host.
func renderError(w http.ResponseWriter, r *http.Request, err error) {
	if ri := requestInfo(r.Context()); ri != nil {
		ri.RenderError(w, r, err)
		return
	}
	status := http.StatusInternalServerError
	msg := http.StatusText(status)
	if e, ok := err.(*RateLimitError); ok {
		status, msg = e.HTTPStatus(), e.PublicMessage()
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}
