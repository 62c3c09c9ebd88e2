package realtime

import (
	"encoding/json"
	"net/http"
)

// Identity is who a connection belongs to, decided once at the handshake.
type Identity struct {
	// UserID identifies the user ("" for an anonymous connection). It is
	// what presence lists and SignedIn checks.
	UserID string
	// Info is public data about the user shown to other members in
	// presence (a display name, say); nil for none. Keep it small.
	Info json.RawMessage
	// Claims is private data for the server's policies and handlers
	// (permissions, a tenant); it is never sent to clients.
	Claims map[string]any
}

// IdentityFunc identifies the client of a handshake request (WebSocket
// upgrade or SSE stream). An error refuses the connection: an *Error with
// code "unauthorized" as 401, any other as 403. A zero Identity and nil
// error admit an anonymous client.
//
// The request has passed through the App's middleware, so the session and
// the signed-in user are available: with the auth module,
//
//	func(r *http.Request) (realtime.Identity, error) {
//		if u := auth.UserFromRequest(r); u != nil {
//			return realtime.Identity{UserID: strconv.FormatInt(u.ID, 10)}, nil
//		}
//		return realtime.Identity{}, nil
//	}
//
// (auth.RealtimeIdentity is that function.) UserFromRequest also accepts
// an "Authorization: Bearer" API token, for clients that are not browsers.
type IdentityFunc func(r *http.Request) (Identity, error)
