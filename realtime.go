package anode

import (
	"context"
	"fmt"
	"time"

	"github.com/anode-go/anode/realtime"
)

// realtimeState is the App's realtime hub and its settings.
type realtimeState struct {
	hub         *realtime.Hub
	broker      realtime.Broker // closed by App.Close
	compression bool
}

// RealtimeModuleName is the name of the module App.Realtime installs.
const RealtimeModuleName = "realtime"

// Realtime returns the App's realtime hub (see package realtime and
// docs/realtime.md), building it on the first call: its broker comes
// from ANODE_BROKER_URL (memory:// by default), its allowed origins from
// ANODE_ALLOWED_HOSTS and ANODE_CSRF_TRUSTED_ORIGINS, and a module
// "realtime" mounts the WebSocket endpoint at /realtime/ws (route
// "realtime-ws") and the SSE endpoint at /realtime/sse ("realtime-sse")
// as streaming routes; on graceful shutdown every client is closed with
// 1001. The JavaScript client is at /static/anode.js in every App.
//
// Call it first before the App starts (in main, or a module's Init) to
// configure topics and handlers; later calls return the same Hub, from
// any goroutine (FromContext(ctx).Realtime() in a handler). A first call
// after the App has started panics. A bad ANODE_BROKER_URL, or a broker
// server that does not answer within 10 seconds, stops start-up with a
// ConfigError naming ANODE_BROKER_URL. App.Close closes the broker.
func (a *App) Realtime() *realtime.Hub {
	if h := a.rt.hub; h != nil {
		return h
	}
	if a.handler != nil {
		panic(fmt.Sprintf("anode: App.Realtime first called at %s after the app started; call it before Start, Run or Handler", callSite()))
	}
	rs := &a.rt
	settings := []Setting{
		Var(&rs.compression, "ANODE_REALTIME_COMPRESSION", false, "offer permessage-deflate to WebSocket clients (more memory and CPU per connection)"),
	}
	for _, s := range settings {
		if err := s.apply(&a.cfg); err != nil {
			a.cfg.errs = append(a.cfg.errs, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	broker, err := realtime.OpenBroker(ctx, a.cfg.BrokerURL)
	cancel()
	if err != nil {
		// The value is not repeated: it may hold a password (the error
		// shows the URL without it).
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_BROKER_URL", Reason: err.Error()})
		broker = realtime.NewMemoryBroker(realtime.MemoryOptions{}) // start-up fails anyway
	}
	rs.broker = broker
	h := realtime.New(realtime.Options{
		Broker:         broker,
		AllowedHosts:   a.cfg.AllowedHosts,
		TrustedOrigins: a.cfg.CSRFTrustedOrigins,
		Compression:    rs.compression,
		Logger:         a.logger,
	})
	rs.hub = h
	a.OnShutdown(h.Shutdown)
	a.Install(Module{
		Name:     RealtimeModuleName,
		Settings: settings,
		Routes: func(r *Router) {
			r.Handle("/realtime/ws", h.WebSocket()).Name("realtime-ws").Stream()
			sse := h.SSE()
			r.Handle("GET /realtime/sse", sse).Name("realtime-sse").Stream()
			// Client frames over SSE carry the connection's X-Realtime-Token,
			// a secret only the page that opened the stream has read, sent
			// in a custom header no other site can set without a CORS
			// preflight: it is this route's CSRF token.
			r.Handle("POST /realtime/sse", sse).CSRFExempt()
		},
	})
	return h
}

// closeRealtime closes the realtime broker, if the App made one.
func (a *App) closeRealtime() error {
	if a.rt.broker == nil {
		return nil
	}
	return a.rt.broker.Close()
}

// DisconnectRealtimeUser closes the realtime connections of the user with
// userID on every instance sharing the broker
// (realtime.Hub.DisconnectUser); it does nothing when the App has no
// realtime hub. auth.Logout calls it, so that a socket opened while
// signed in does not outlive the sign-out.
func (a *App) DisconnectRealtimeUser(ctx context.Context, userID string) error {
	if a.rt.hub == nil {
		return nil
	}
	return a.rt.hub.DisconnectUser(ctx, userID)
}
