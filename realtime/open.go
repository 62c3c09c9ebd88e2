package realtime

import (
	"fmt"
	"net/url"
)

// OpenBroker returns the Broker that a URL (ANODE_BROKER_URL) names:
// "" or "memory://" is a new MemoryBroker. The Redis and NATS brokers
// (redis://, rediss://, nats://) are not built yet: their URLs fail with
// an error that says so, so that a deployment expecting several instances
// to share messages never starts on a broker that cannot.
func OpenBroker(rawURL string) (Broker, error) {
	if rawURL == "" {
		return NewMemoryBroker(MemoryOptions{}), nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("realtime: broker URL: %v", err)
	}
	switch u.Scheme {
	case "memory":
		if u.Host != "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("realtime: broker URL %q: the memory broker takes no host or path (memory://)", rawURL)
		}
		return NewMemoryBroker(MemoryOptions{}), nil
	case "redis", "rediss", "nats":
		return nil, fmt.Errorf("realtime: broker URL %q: the %s broker is not built yet; use memory:// (one instance) until it is", rawURL, u.Scheme)
	default:
		return nil, fmt.Errorf("realtime: broker URL %q: unknown scheme %q (want memory://)", rawURL, u.Scheme)
	}
}
