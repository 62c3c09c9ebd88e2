package anode

import (
	"github.com/anode-go/anode/messages"
)

// newMessages configures messages (flash): a cookie store signed with a key
// derived from SecretKey for messages alone. The App keeps no middleware
// for them: a request's messages are made the first time Add or
// FromRequest looks for them in its context (requestState.Value), and the
// App's response writer saves them before the headers go out, so requests
// that never use messages cost nothing.
func (a *App) newMessages() *messages.Manager {
	key, fallbacks := a.signingKeys("anode.messages.cookie")
	store := messages.NewCookieStore(key, fallbacks...)
	store.Logger = a.logger
	return messages.NewManager(messages.Options{Store: store, Logger: a.logger})
}
