package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// userTopicPrefix starts the internal topic of each signed-in user, over
// which DisconnectUser reaches every instance. "$" is not a topic
// character (ValidTopic), so neither clients nor Hub.Publish can use it.
const userTopicPrefix = "$user:"

// DisconnectUser closes every connection of the user with userID, on every
// instance that shares the Hub's broker, with CloseSignedOut: after the
// user signs out, a socket opened while signed in must not go on acting as
// them. A client that reconnects is identified afresh (anode.js does so at
// once), so the user's other devices, still signed in, come back as the
// user and recover what they missed. This instance's connections are
// closed even when the broker fails; the error says the others may not
// have been reached.
func (h *Hub) DisconnectUser(ctx context.Context, userID string) error {
	if userID == "" {
		return nil
	}
	h.mu.RLock()
	for _, c := range h.clients {
		if c.ident.UserID == userID {
			c.close(CloseSignedOut, "signed out")
		}
	}
	h.mu.RUnlock()
	if _, err := h.broker.Publish(ctx, userTopicPrefix+userID, json.RawMessage(`true`), PublishOptions{}); err != nil {
		return fmt.Errorf("realtime: disconnect user %q: %w", userID, err)
	}
	return nil
}

// watchUser subscribes c to its user's internal topic (see
// DisconnectUser). A broker failure is logged: the connection works, but
// a sign-out on another instance will not reach it.
func (h *Hub) watchUser(c *Client) {
	if c.ident.UserID == "" {
		return
	}
	sub := &subscription{}
	if err := h.attach(c.ctx, c, userTopicPrefix+c.ident.UserID, sub); err != nil {
		h.log.WarnContext(c.ctx, "realtime: watching the user's sign-outs", "client", c.id, "error", err)
		return
	}
	c.mu.Lock()
	c.userSub = sub
	c.mu.Unlock()
}

// unwatchUser undoes watchUser when the connection ends.
func (h *Hub) unwatchUser(c *Client) {
	c.mu.Lock()
	sub := c.userSub
	c.userSub = nil
	c.mu.Unlock()
	if sub != nil {
		h.detach(c, userTopicPrefix+c.ident.UserID, sub)
	}
}

// deliverControl handles an event of an internal topic (h.mu held): a
// message on a user's topic closes that user's connections.
func deliverControl(topic string, lt *localTopic, e Event) bool {
	if !strings.HasPrefix(topic, userTopicPrefix) {
		return false
	}
	if e.Kind == EventMessage {
		for c := range lt.subs {
			c.close(CloseSignedOut, "signed out")
		}
	}
	return true
}
