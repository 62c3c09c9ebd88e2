package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode/realtime"
)

// OpenBroker picks the broker from ANODE_BROKER_URL; every instance of an
// application that shares a Redis or NATS broker serves every topic.
func ExampleOpenBroker() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := realtime.OpenBroker(ctx, "memory://") // or redis://host:6379/0, nats://host:4222
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	m, _ := b.Publish(ctx, "chat:lobby", json.RawMessage(`"hi"`), realtime.PublishOptions{History: 100})
	h, _ := b.History(ctx, "chat:lobby", 0, 10)
	fmt.Println(m.Offset, len(h.Messages), string(h.Messages[0].Data))
	// Output: 1 1 "hi"
}

// A Hub over a Redis broker with options of its own; with the App,
// ANODE_BROKER_URL=redis://host:6379/0?prefix=myapp:rt: does the same.
func ExampleNewRedisBroker() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := realtime.NewRedisBroker(ctx, redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"}),
		realtime.RedisOptions{Prefix: "myapp:rt:", PresenceTTL: 10 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	hub := realtime.New(realtime.Options{Broker: b})
	defer b.Close() // after the hub: the hub does not close a broker it was given
	defer hub.Close()
}
