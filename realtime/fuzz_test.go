package realtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
)

// FuzzHandle feeds arbitrary client frames to a connection: whatever
// arrives, the server answers with frames that are valid JSON and never
// panics.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"type":"subscribe","id":1,"topic":"t"}`,
		`{"type":"subscribe","id":1,"topic":"t","recover":{"epoch":"x","offset":18446744073709551615}}`,
		`{"type":"publish","id":2,"topic":"t","data":{"a":[1,2,{"b":null}]}}`,
		`{"type":"unsubscribe","id":3,"topic":"t"}`,
		`{"type":"presence","id":4,"topic":"t"}`,
		`{"type":"emit","id":5,"event":"echo","data":"x"}`,
		`{"type":"emit","id":6,"event":"nope"}`,
		`{"type":"subscribe","id":-1,"topic":"` + string(make([]byte, 300)) + `"}`,
		`{"type":null}`, `[]`, `{`, ``, `"\u0000"`, `{"type":"publish","topic":"t","data":}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		h := New(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimit: 1e9, RateBurst: 1e9})
		defer h.Close()
		h.Topic("t", Rule{Subscribe: Anyone, Publish: Anyone, Presence: true})
		h.Handle("echo", func(ctx context.Context, c *Client, data json.RawMessage) (any, error) { return data, nil })
		c := h.newClient(context.Background(), Identity{UserID: "u"}, "websocket")
		c.handle(frame)
		c.handle(frame)             // twice: subscribe twice, unsubscribe after subscribe
		for range cap(c.inflight) { // wait for emit handlers
			c.inflight <- struct{}{}
		}
		for _, out := range c.q.take(nil) {
			if !json.Valid(out) {
				t.Fatalf("invalid JSON frame %q for input %q", out, frame)
			}
		}
		c.cleanup()
	})
}
