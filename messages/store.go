package messages

import (
	"context"
	"net/http"
)

// Store keeps a client's messages between requests. Middleware calls Load at
// most once per request, when messages are first needed, and Save at most
// once, before the response headers are written, with the messages that
// remain (none: clear the store). The request's context is passed as ctx.
//
// CookieStore is the built-in implementation; a session-backed store keeps
// the messages in the session instead, which has no size limit. An
// implementation must be safe for concurrent use by many requests.
type Store interface {
	// Load returns the messages stored for r's client. An error means the
	// stored data could not be read; the middleware logs it at debug level
	// and treats it as no messages.
	Load(ctx context.Context, r *http.Request) ([]Message, error)
	// Save replaces the client's messages with msgs. It may set headers on
	// w but must not write the response.
	Save(ctx context.Context, w http.ResponseWriter, r *http.Request, msgs []Message) error
}
