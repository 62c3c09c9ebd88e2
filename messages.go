package anode

import (
	"net/http"

	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/messages"
)

// messagesMiddleware wraps the router with the messages (flash) middleware:
// a cookie store signed with a key derived from SecretKey for messages
// alone. It sits inside App.Use and module middleware, so a session
// middleware installed by a module can later hold the messages instead.
func (a *App) messagesMiddleware(next http.Handler) http.Handler {
	store := messages.NewCookieStore(signing.DeriveKey(a.cfg.SecretKey, "anode.messages.cookie"))
	store.Logger = a.logger
	return messages.Middleware(messages.Options{Store: store, Logger: a.logger})(next)
}
