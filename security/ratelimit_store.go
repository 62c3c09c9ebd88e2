package security

import (
	"context"
	"time"
)

// LimitStore keeps rate-limit state. Take counts one request for key under
// policy p and says whether it is allowed, atomically: concurrent Takes for
// one key, from any number of processes sharing the store, never admit
// more than the policy allows. now is the caller's clock; a store may use
// its own instead (RedisLimitStore uses the Redis server's by default).
// Keys are opaque; the store may prefix them. Implementations are safe for
// concurrent use.
type LimitStore interface {
	Take(ctx context.Context, key string, p Policy, now time.Time) (Decision, error)
	// Reset forgets key, as if it had never been seen.
	Reset(ctx context.Context, key string) error
}
