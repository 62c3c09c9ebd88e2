package realtime_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

// BenchmarkBrokerPublish measures one Publish (history kept) and its
// delivery to a subscriber on another instance of the same broker, one
// message at a time: the round trip a server-side publish costs. Redis
// and NATS run when ANODE_TEST_REDIS and ANODE_TEST_NATS are set.
func BenchmarkBrokerPublish(b *testing.B) {
	kits := map[string]string{"memory": "memory://", "redis": os.Getenv("ANODE_TEST_REDIS"), "nats": os.Getenv("ANODE_TEST_NATS")}
	for _, name := range []string{"memory", "redis", "nats"} {
		b.Run(name, func(b *testing.B) {
			url := kits[name]
			if url == "" {
				b.Skipf("set ANODE_TEST_%s", map[string]string{"redis": "REDIS", "nats": "NATS"}[name])
			}
			prefix := "anodebench" + randomName()
			switch name {
			case "redis":
				dropRedisPrefix(b, url, prefix+":")
				url = withQuery(url, "prefix="+prefix+":&idle_ttl=1m")
			case "nats":
				dropNATSPrefix(b, url, prefix)
				url = withQuery(url, "prefix="+prefix+"&max_age=1m")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pub, err := realtime.OpenBroker(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			sub := pub
			if name != "memory" {
				if sub, err = realtime.OpenBroker(ctx, url); err != nil {
					b.Fatal(err)
				}
				defer sub.Close()
			}
			got := make(chan struct{}, 1)
			stop, err := sub.Subscribe(ctx, "bench", func(e realtime.Event) { got <- struct{}{} })
			if err != nil {
				b.Fatal(err)
			}
			defer stop()
			data := json.RawMessage(`{"text":"hello, world","n":12345}`)
			opts := realtime.PublishOptions{History: 100, HistoryTTL: time.Minute}
			for b.Loop() {
				if _, err := pub.Publish(context.Background(), "bench", data, opts); err != nil {
					b.Fatal(err)
				}
				<-got
			}
		})
	}
}
