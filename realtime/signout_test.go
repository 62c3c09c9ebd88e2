package realtime_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

// DisconnectUser on one instance closes the user's connections on every
// instance sharing the broker, and no one else's.
func TestDisconnectUser(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		byHeader := func(r *http.Request) (realtime.Identity, error) {
			return realtime.Identity{UserID: r.Header.Get("X-User")}, nil
		}
		configure := func(h *realtime.Hub) { h.Topic("t", openRule()) }
		hubA, _ := newHub(t, realtime.Options{Broker: kit.open(t), Identify: byHeader}, configure)
		_, srvB := newHub(t, realtime.Options{Broker: kit.open(t), Identify: byHeader}, configure)
		ada1 := dial(t, srvB, http.Header{"X-User": {"ada"}})
		ada2 := dial(t, srvB, http.Header{"X-User": {"ada"}})
		bob := dial(t, srvB, http.Header{"X-User": {"bob"}})
		anon := dial(t, srvB, nil)

		if err := hubA.DisconnectUser(context.Background(), "ada"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*wsClient{ada1, ada2} {
			if code := c.closeCode(10 * time.Second); code != realtime.CloseSignedOut {
				t.Errorf("ada's connection closed with %d, want %d", code, realtime.CloseSignedOut)
			}
		}
		for _, c := range []*wsClient{bob, anon} {
			c.subscribe("t", nil) // still served
		}
		if err := hubA.DisconnectUser(context.Background(), ""); err != nil {
			t.Errorf("anonymous: %v", err)
		}
	})
}
