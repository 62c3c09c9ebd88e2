package realtime

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
)

// OpenBroker returns the Broker that a URL (ANODE_BROKER_URL) names, and
// checks within ctx that its server answers:
//
//   - "" or "memory://": a new MemoryBroker (one instance);
//   - "redis://[user:password@]host:port/db" or "rediss://…" (TLS): a
//     RedisBroker, with go-redis's URL options (dial_timeout=…) and ours:
//     prefix (RedisOptions.Prefix), presence_ttl and idle_ttl (durations,
//     "15s");
//   - "nats://[user:password@]host:port[,nats://host2:port…]": a
//     NATSBroker, with options prefix, max_history, max_age and
//     presence_ttl.
//
// Errors never show the URL's password.
func OpenBroker(ctx context.Context, rawURL string) (Broker, error) {
	if rawURL == "" {
		return NewMemoryBroker(MemoryOptions{}), nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("realtime: broker URL: not a URL (want memory://, redis://host:port/db or nats://host:port; the value is not shown: it may hold a password)")
	}
	shown := u.Redacted()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("realtime: broker URL %q: %s", shown, fmt.Sprintf(format, args...))
	}
	switch u.Scheme {
	case "memory":
		if u.Host != "" || (u.Path != "" && u.Path != "/") {
			return nil, bad("the memory broker takes no host or path (memory://)")
		}
		return NewMemoryBroker(MemoryOptions{}), nil
	case "redis", "rediss":
		q := u.Query()
		var opts RedisOptions
		opts.Prefix = q.Get("prefix")
		if opts.PresenceTTL, err = durationOption(q, "presence_ttl"); err != nil {
			return nil, bad("%v", err)
		}
		if opts.IdleTTL, err = durationOption(q, "idle_ttl"); err != nil {
			return nil, bad("%v", err)
		}
		for _, k := range []string{"prefix", "presence_ttl", "idle_ttl"} {
			q.Del(k)
		}
		u.RawQuery = q.Encode()
		ro, err := redis.ParseURL(u.String())
		if err != nil {
			return nil, bad("%v", err)
		}
		b, err := NewRedisBroker(ctx, redis.NewClient(ro), opts)
		if err != nil {
			return nil, bad("cannot reach the server: %v", err)
		}
		return b, nil
	case "nats":
		q := u.Query()
		var opts NATSOptions
		opts.Prefix = q.Get("prefix")
		if opts.Prefix != "" && !validNATSPrefix(opts.Prefix) {
			return nil, bad("prefix %q: want ASCII letters, digits, - and _", opts.Prefix)
		}
		if opts.PresenceTTL, err = durationOption(q, "presence_ttl"); err != nil {
			return nil, bad("%v", err)
		}
		if opts.MaxAge, err = durationOption(q, "max_age"); err != nil {
			return nil, bad("%v", err)
		}
		if s := q.Get("max_history"); s != "" {
			if opts.MaxHistory, err = strconv.Atoi(s); err != nil || opts.MaxHistory <= 0 {
				return nil, bad("max_history=%q: want a positive number of messages", s)
			}
		}
		for k := range q {
			switch k {
			case "prefix", "presence_ttl", "max_age", "max_history":
			default:
				return nil, bad("unknown option %q (want prefix, max_history, max_age, presence_ttl)", k)
			}
		}
		if u.Host == "" {
			return nil, bad("no host (want nats://host:port)")
		}
		u.RawQuery = ""
		timeout := 5 * time.Second
		if d, ok := ctx.Deadline(); ok {
			timeout = max(time.Until(d), time.Millisecond)
		}
		nc, err := nats.Connect(u.String(), nats.Name("anode-realtime"), nats.Timeout(timeout),
			nats.MaxReconnects(-1), nats.ReconnectWait(500*time.Millisecond),
			// No buffering while disconnected: a publish that fails must
			// not go out later behind the caller's back.
			nats.ReconnectBufSize(-1))
		if err != nil {
			return nil, bad("cannot reach the server: %v", err)
		}
		b, err := NewNATSBroker(ctx, nc, opts)
		if err != nil {
			nc.Close()
			return nil, bad("%v", err)
		}
		return b, nil
	default:
		return nil, bad("unknown scheme %q (want memory://, redis://, rediss:// or nats://)", u.Scheme)
	}
}

// durationOption reads a positive duration from a URL option ("" if
// absent: 0).
func durationOption(q url.Values, name string) (time.Duration, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 15s", name, s)
	}
	return d, nil
}
