package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkFanout measures the hub's side of a broadcast: one Publish
// through the memory broker to n local subscribers' queues (no sockets).
// ns/op divided by n is the cost of one delivery.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			h := New(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SendQueue: 1 << 20, SendQueueBytes: 1 << 30})
			defer h.Close()
			h.Topic("t", Rule{Subscribe: Anyone})
			clients := make([]*Client, n)
			for i := range clients {
				c := h.newClient(context.Background(), Identity{}, "websocket")
				c.handle([]byte(`{"type":"subscribe","id":1,"topic":"t"}`))
				c.q.take(nil)
				clients[i] = c
			}
			payload := json.RawMessage(`{"text":"hello, world","n":12345}`)
			ctx := context.Background()
			var buf [][]byte
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := h.Publish(ctx, "t", payload); err != nil {
					b.Fatal(err)
				}
				if i++; i%512 == 0 {
					for _, c := range clients {
						buf = c.q.take(buf)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
		})
	}
}
