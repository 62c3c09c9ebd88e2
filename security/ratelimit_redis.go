package security

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisLimitStore is a LimitStore in Redis, so a limit holds across every
// instance sharing the server. Each decision is one Lua script run by the
// server (atomic, one round trip, one key: Redis Cluster works). Keys
// expire when their state is back to "never seen". It is safe for
// concurrent use.
//
// By default the script reads the Redis server's clock (TIME), so
// instances whose clocks disagree still share one timeline; the now
// passed to Take is then ignored. RedisLimitOptions.ClientClock uses the
// caller's clock instead (tests inject one).
type RedisLimitStore struct {
	client      redis.UniversalClient
	prefix      string
	clientClock bool
	timeout     time.Duration
}

var _ LimitStore = (*RedisLimitStore)(nil)

// RedisLimitOptions configures a RedisLimitStore; the zero value is usable.
type RedisLimitOptions struct {
	// Prefix starts every key. Default "anode:ratelimit:".
	Prefix string
	// ClientClock makes the script use the now passed to Take rather than
	// the server's clock.
	ClientClock bool
	// Timeout bounds each Take and Reset (on top of the caller's context),
	// so an unreachable or slow server fails fast and the limiter's
	// fail-open or fail-closed policy applies. Default 500ms; negative: none.
	Timeout time.Duration
}

// NewRedisLimitStore returns a store over client.
func NewRedisLimitStore(client redis.UniversalClient, opts RedisLimitOptions) *RedisLimitStore {
	if opts.Prefix == "" {
		opts.Prefix = "anode:ratelimit:"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	return &RedisLimitStore{client: client, prefix: opts.Prefix, clientClock: opts.ClientClock, timeout: opts.Timeout}
}

// OpenRedisLimitStore connects to the Redis server at url
// ("redis://host:6379/0") and returns a store over it, with dial and I/O
// timeouts short enough for a request path (1s dial, 500ms read/write, one
// dial attempt per command).
// Close closes the client.
func OpenRedisLimitStore(url string, opts RedisLimitOptions) (*RedisLimitStore, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("security: rate limit redis URL: %w", err)
	}
	ro.DialTimeout = time.Second
	ro.ReadTimeout = 500 * time.Millisecond
	ro.WriteTimeout = 500 * time.Millisecond
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = 1
	ro.DialerRetries = 1 // a refused connection fails the request at once
	return NewRedisLimitStore(redis.NewClient(ro), opts), nil
}

// Close closes the Redis client.
func (s *RedisLimitStore) Close() error { return s.client.Close() }

// limitScript decides one request. KEYS[1] is the key; ARGV are the
// algorithm (0 sliding window, 1 token bucket), limit, window (µs), burst
// and now (µs since the epoch; 0: the server's TIME). It returns allowed
// (0/1), remaining, retry-after (µs) and reset (µs): the arithmetic of gcra
// and slide in ratelimit_policy.go. Numbers are stored with %.0f so Lua's
// 14-digit number formatting never rounds a timestamp.
var limitScript = redis.NewScript(`
local key = KEYS[1]
local alg = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
if alg == 1 then
  local t = math.max(math.floor(win / limit), 1)
  local tau = t * burst
  local tat = tonumber(redis.call('GET', key) or '0') or 0
  if tat < now then tat = now end
  local nxt = tat + t
  local diff = nxt - now
  if diff > tau then
    return {0, 0, diff - tau, tat - now}
  end
  redis.call('SET', key, string.format('%.0f', nxt), 'PX', string.format('%.0f', math.ceil(diff / 1000)))
  return {1, math.floor((tau - diff) / t), 0, diff}
end
local start = now - (now % win)
local v = redis.call('HMGET', key, 's', 'c', 'p')
local s, cur, prev = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
if s ~= start then
  if s == start - win then prev = cur else prev = 0 end
  s, cur = start, 0
end
local elapsed = now - start
local est = prev * (win - elapsed) / win + cur
if est + 1 > limit then
  local retry
  local room = limit - cur - 1
  if room >= 0 and prev > 0 then
    retry = math.max(win - math.floor(room * win / prev) - elapsed, 1)
  else
    local at = 0
    if cur > limit - 1 then at = win - math.floor((limit - 1) * win / cur) end
    retry = win - elapsed + at
  end
  return {0, 0, retry, win - elapsed}
end
cur = cur + 1
redis.call('HSET', key, 's', string.format('%.0f', s), 'c', cur, 'p', prev)
redis.call('PEXPIRE', key, string.format('%.0f', math.ceil((s + 2 * win - now) / 1000)))
return {1, math.floor(limit - est - 1), 0, win - elapsed}
`)

// Take counts a request for key.
func (s *RedisLimitStore) Take(ctx context.Context, key string, p Policy, now time.Time) (Decision, error) {
	p = p.normalized()
	var nowUS int64
	if s.clientClock {
		nowUS = now.UnixMicro()
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	alg := 0
	if p.Algorithm == TokenBucket {
		alg = 1
	}
	res, err := limitScript.Run(ctx, s.client, []string{s.prefix + key}, alg, p.Limit, p.Window.Microseconds(), p.Burst, nowUS).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("security: rate limit redis: %w", err)
	}
	if len(res) != 4 {
		return Decision{}, fmt.Errorf("security: rate limit redis: script returned %d values, want 4", len(res))
	}
	limit := p.Limit
	if p.Algorithm == TokenBucket {
		limit = p.Burst
	}
	return Decision{Allowed: res[0] == 1, Limit: limit, Remaining: int(max(res[1], 0)), RetryAfter: micros(res[2]), Reset: micros(res[3])}, nil
}

// Reset deletes key.
func (s *RedisLimitStore) Reset(ctx context.Context, key string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.client.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("security: rate limit redis: %w", err)
	}
	return nil
}

func (s *RedisLimitStore) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}
