package realtime_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/realtime"
)

// brokerKit opens instances of one kind of broker that share their topics
// (several processes of one application), for the conformance tests.
type brokerKit struct {
	name string
	// open returns a new instance; every instance of one kit shares the
	// topics. Instances are closed when the test ends.
	open func(t *testing.T) realtime.Broker
	// advance lets d pass for the broker's history TTLs.
	advance func(d time.Duration)
	// lose makes the broker lose topic's history, as a restart or an
	// expiry would.
	lose func(t *testing.T, topic string)
	// instances: open returns separate instances (one can crash).
	instances bool
	// url is the kit's broker URL (ANODE_BROKER_URL), "" for memory.
	url string
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// memoryKit is one MemoryBroker on a fake clock.
func memoryKit(t *testing.T) brokerKit {
	clk := &clock{t: time.Unix(1e9, 0)}
	b := realtime.NewMemoryBroker(realtime.MemoryOptions{Now: clk.now, IdleTTL: time.Minute})
	t.Cleanup(func() { b.Close() })
	return brokerKit{
		name:    "memory",
		open:    func(*testing.T) realtime.Broker { return b },
		advance: clk.add,
		lose: func(t *testing.T, topic string) {
			// Idle past IdleTTL with no subscriber or member: the next
			// call sweeps the topic.
			clk.add(2 * time.Minute)
			b.Publish(context.Background(), "sweep-"+randomName(), []byte(`1`), realtime.PublishOptions{})
		},
	}
}

// openKitBroker opens url, closing the broker when the test ends.
func openKitBroker(t *testing.T, url string) realtime.Broker {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := realtime.OpenBroker(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// withQuery adds options to a URL.
func withQuery(url, q string) string {
	if strings.Contains(url, "?") {
		return url + "&" + q
	}
	return url + "?" + q
}

// redisKit shares a Redis server under a prefix of its own, deleted when
// the test ends.
func redisKit(t *testing.T) brokerKit {
	base := anodetest.Service(t, "ANODE_TEST_REDIS")
	prefix := "anodetest:rt:" + randomName() + ":"
	opt, err := redis.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	dropRedisPrefix(t, base, prefix)
	url := withQuery(base, "prefix="+prefix+"&presence_ttl=900ms")
	return brokerKit{
		name:      "redis",
		open:      func(t *testing.T) realtime.Broker { return openKitBroker(t, url) },
		advance:   time.Sleep,
		instances: true,
		url:       url,
		lose: func(t *testing.T, topic string) {
			if err := rdb.Del(context.Background(), prefix+"t:"+topic, prefix+"h:"+topic).Err(); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// natsKit shares a NATS server under a prefix of its own, whose stream
// and buckets are deleted when the test ends.
func natsKit(t *testing.T) brokerKit {
	base := anodetest.Service(t, "ANODE_TEST_NATS")
	prefix := "anodetest_" + randomName()
	nc, err := nats.Connect(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	dropNATSPrefix(t, base, prefix)
	url := withQuery(base, "prefix="+prefix+"&presence_ttl=900ms")
	return brokerKit{
		name:      "nats",
		open:      func(t *testing.T) realtime.Broker { return openKitBroker(t, url) },
		advance:   time.Sleep,
		instances: true,
		url:       url,
		lose: func(t *testing.T, topic string) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := js.Stream(ctx, prefix+"_rt")
			if err != nil {
				t.Fatal(err)
			}
			subj := prefix + ".rt.h." + natsTokenForTest(topic)
			if err := s.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// natsTokenForTest is the NATSBroker's topic escape, for tests that reach
// into the stream: ASCII letters, digits, - and _ stay, other bytes =XX.
func natsTokenForTest(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("=" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// forEachBroker runs fn as a subtest per broker kind; Redis and NATS run
// when their ANODE_TEST_* variable is set.
func forEachBroker(t *testing.T, fn func(t *testing.T, kit brokerKit)) {
	for _, mk := range []struct {
		name string
		kit  func(t *testing.T) brokerKit
	}{{"memory", memoryKit}, {"redis", redisKit}, {"nats", natsKit}} {
		t.Run(mk.name, func(t *testing.T) {
			t.Parallel()
			fn(t, mk.kit(t))
		})
	}
}

// dropRedisPrefix deletes the keys under prefix when the test ends.
func dropRedisPrefix(tb testing.TB, url, prefix string) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for n := 0; iter.Next(ctx) && n < 100000; n++ {
			rdb.Del(ctx, iter.Val())
		}
	})
}

// dropNATSPrefix deletes the stream and buckets of prefix when the test
// ends.
func dropNATSPrefix(tb testing.TB, url, prefix string) {
	tb.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			tb.Error(err)
			return
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			tb.Error(err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		js.DeleteStream(ctx, prefix+"_rt")
		js.DeleteKeyValue(ctx, prefix+"_rt_members")
		js.DeleteKeyValue(ctx, prefix+"_rt_instances")
	})
}
