package cache

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// TTL values with a meaning of their own, accepted wherever a Cache method
// takes a ttl.
const (
	// DefaultTTL (0) uses the Cache's Options.TTL.
	DefaultTTL time.Duration = 0
	// NoExpiry keeps the value until it is deleted or evicted.
	NoExpiry time.Duration = -1
)

// Options configures a Cache. The zero value is valid: no prefix, version
// 1, a 5-minute default TTL, 200 ms operation timeouts for network stores,
// logging to slog.Default.
type Options struct {
	// Prefix starts every key, so several apps can share one server
	// (Django's KEY_PREFIX).
	Prefix string
	// Version is part of every key; changing it (a deploy) makes every
	// earlier value unreachable (Django's VERSION). Default 1.
	Version int
	// TTL is the expiry of values set with DefaultTTL. Default 5 minutes
	// (Django's TIMEOUT); NoExpiry keeps them until evicted.
	TTL time.Duration
	// Timeout bounds each operation on a network store (Redis,
	// Memcached). Default 200 ms; stores in memory are never bounded.
	Timeout time.Duration
	// RetryAfter is how long a Cache that is not strict skips a store after
	// a backend failure, answering misses at once instead of waiting for a
	// timeout on every request; the next operation after it tries the
	// store again. Default 1 s.
	RetryAfter time.Duration
	// LogInterval is the least time between two log lines about backend
	// failures; the next line says how many were not logged. Default 10 s.
	LogInterval time.Duration
	// Logger receives the failure lines. Default slog.Default().
	Logger *slog.Logger
}

// Stats are a Cache's counters since it was made. Reads count a hit or a
// miss (a failed read counts a miss and an error); Errors also counts
// failed writes and operations skipped while the store was down.
type Stats struct {
	Hits, Misses, Sets, Deletes, Errors uint64
}

// Cache is the API over a [Store]: typed values (see [Get], [Set],
// [GetOrSet]), key prefix and version, default TTL, counters, and fault
// tolerance. It is safe for concurrent use.
//
// A Cache is lenient by default: when the store fails (down, slow past
// Options.Timeout), a read is a miss, a write is dropped, the failure is
// counted and logged at most once per Options.LogInterval, and the method
// returns no error, so a request served from the database still succeeds.
// [Cache.Strict] returns a view of the same cache whose methods return
// errors instead, for callers that must fail closed (rate limits, session
// stores).
type Cache struct {
	c      *core
	strict bool
	ns     string // namespace name ("" for none): see Namespace
}

// core is what the views of one cache share.
type core struct {
	store   Store
	prefix  string // Prefix + ":" + Version + ":"
	ttl     time.Duration
	timeout time.Duration
	retry   time.Duration
	logIvl  time.Duration
	logger  *slog.Logger
	flight  singleflight.Group

	hits, misses, sets, deletes, errs atomic.Uint64
	downUntil                         atomic.Int64 // unix nanos: skip the store until then
	lastLog                           atomic.Int64 // unix nanos of the last failure line
	unlogged                          atomic.Uint64
	closed                            atomic.Bool
	closeOnce                         sync.Once
	closeErr                          error
}

// New returns a Cache over store.
func New(store Store, o Options) *Cache {
	if o.Version == 0 {
		o.Version = 1
	}
	if o.TTL == 0 {
		o.TTL = 5 * time.Minute
	}
	if o.Timeout == 0 {
		o.Timeout = 200 * time.Millisecond
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = time.Second
	}
	if o.LogInterval == 0 {
		o.LogInterval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &core{
		store:  store,
		prefix: o.Prefix + ":" + strconv.Itoa(o.Version) + ":",
		ttl:    o.TTL,
		retry:  o.RetryAfter,
		logIvl: o.LogInterval,
		logger: o.Logger,
	}
	if _, local := store.(localStore); !local && o.Timeout > 0 {
		c.timeout = o.Timeout
	}
	return &Cache{c: c}
}

// Store returns the store under c.
func (c *Cache) Store() Store { return c.c.store }

// Strict returns a view of c whose methods return errors: a miss is
// ErrNotFound from [Cache.Bytes] and [Get], and a backend failure is
// returned instead of being turned into a miss. Counters, the store and
// single-flight are shared with c.
func (c *Cache) Strict() *Cache { return &Cache{c: c.c, strict: true, ns: c.ns} }

// Lenient returns a view of c that turns failures into misses (the
// default; see Cache).
func (c *Cache) Lenient() *Cache {
	if !c.strict {
		return c
	}
	return &Cache{c: c.c, ns: c.ns}
}

// IsStrict reports whether c returns errors (see Strict).
func (c *Cache) IsStrict() bool { return c.strict }

// Stats returns c's counters (shared by every view of the cache).
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.c.hits.Load(), Misses: c.c.misses.Load(), Sets: c.c.sets.Load(),
		Deletes: c.c.deletes.Load(), Errors: c.c.errs.Load()}
}

// Close closes the store (when it has a Close method). Operations after
// Close fail with ErrClosed (strict) or are misses. Close is idempotent.
func (c *Cache) Close() error {
	c.c.closeOnce.Do(func() {
		c.c.closed.Store(true)
		if cl, ok := c.c.store.(io.Closer); ok {
			c.c.closeErr = cl.Close()
		}
	})
	return c.c.closeErr
}

// ttl turns a caller's TTL into a store's: DefaultTTL is the Cache's,
// NoExpiry (or any negative value) is 0.
func (c *core) storeTTL(ttl time.Duration) time.Duration {
	if ttl == DefaultTTL {
		ttl = c.ttl
	}
	if ttl < 0 {
		return 0
	}
	return ttl
}

// errSkipped is returned for operations not tried while the store is down.
var errSkipped = errors.New("cache: store unavailable, retrying later")

// run calls fn with a bounded context, unless the cache is closed or, for a
// lenient call, the store failed recently. A backend failure is counted and
// logged, and marks the store down for RetryAfter.
func (c *Cache) run(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	k := c.c
	if k.closed.Load() {
		k.errs.Add(1)
		return ErrClosed
	}
	if !c.strict {
		if until := k.downUntil.Load(); until != 0 && time.Now().UnixNano() < until {
			k.errs.Add(1)
			return errSkipped
		}
	}
	var err error
	if k.timeout > 0 {
		tctx, cancel := context.WithTimeout(ctx, k.timeout)
		err = fn(tctx)
		cancel()
	} else {
		err = fn(ctx)
	}
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotInteger) {
		if err == nil && k.downUntil.Load() != 0 {
			k.downUntil.Store(0)
		}
		return err
	}
	k.errs.Add(1)
	if ctx.Err() != nil {
		// The caller gave up (its request ended): not the store's fault.
		return err
	}
	now := time.Now().UnixNano()
	k.downUntil.Store(now + int64(k.retry))
	last := k.lastLog.Load()
	if now-last >= int64(k.logIvl) && k.lastLog.CompareAndSwap(last, now) {
		k.logger.Warn("cache: store failed; reads are misses and writes are dropped until it recovers",
			"op", op, "error", err, "not_logged", k.unlogged.Swap(0))
	} else {
		k.unlogged.Add(1)
	}
	return err
}

// lenient turns err into nil unless c is strict.
func (c *Cache) result(err error) error {
	if c.strict {
		return err
	}
	return nil
}

// key returns the store key of k: prefix, version, namespace generation.
func (c *Cache) key(ctx context.Context, k string) (string, error) {
	if c.ns == "" {
		return c.c.prefix + k, nil
	}
	gen, err := c.generation(ctx)
	if err != nil {
		return "", err
	}
	return c.c.prefix + c.ns + "#" + gen + ":" + k, nil
}

// Bytes returns the raw value under key and whether there was one. The
// returned slice must not be modified. A lenient cache returns a miss and
// no error when the store fails; a strict one returns ErrNotFound on a
// miss and the store's error on a failure.
func (c *Cache) Bytes(ctx context.Context, key string) ([]byte, bool, error) {
	sk, err := c.key(ctx, key)
	if err != nil {
		c.c.misses.Add(1)
		return nil, false, c.result(err)
	}
	var v []byte
	err = c.run(ctx, "get", func(ctx context.Context) (err error) {
		v, err = c.c.store.Get(ctx, sk)
		return err
	})
	if err != nil {
		c.c.misses.Add(1)
		return nil, false, c.result(err)
	}
	c.c.hits.Add(1)
	return v, true, nil
}

// SetBytes stores value under key for ttl (DefaultTTL: the Cache's).
func (c *Cache) SetBytes(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	sk, err := c.key(ctx, key)
	if err != nil {
		return c.result(err)
	}
	c.c.sets.Add(1)
	return c.result(c.run(ctx, "set", func(ctx context.Context) error {
		return c.c.store.Set(ctx, sk, value, c.c.storeTTL(ttl))
	}))
}

// AddBytes stores value under key only if the key holds no live value,
// and reports whether it did. A lenient cache reports false, nil when the
// store fails.
func (c *Cache) AddBytes(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	sk, err := c.key(ctx, key)
	if err != nil {
		return false, c.result(err)
	}
	var added bool
	err = c.run(ctx, "add", func(ctx context.Context) (err error) {
		added, err = c.c.store.Add(ctx, sk, value, c.c.storeTTL(ttl))
		return err
	})
	if added {
		c.c.sets.Add(1)
	}
	return added, c.result(err)
}

// Delete removes key; a missing key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	sk, err := c.key(ctx, key)
	if err != nil {
		return c.result(err)
	}
	c.c.deletes.Add(1)
	return c.result(c.run(ctx, "delete", func(ctx context.Context) error { return c.c.store.Delete(ctx, sk) }))
}

// Incr adds delta to the integer under key and returns the new value; a
// missing key starts at 0 and expires after ttl (DefaultTTL: the Cache's),
// an existing one keeps its expiry. Counters are stored as decimal text, so
// Get[int64] reads them. On Memcached a counter cannot go below 0 (a
// decrement past it gives 0). A value that is not an integer is
// ErrNotInteger, strict or not; a lenient cache returns 0, nil when the
// store fails, so a caller that must not under-count (a rate limit) uses
// Strict.
func (c *Cache) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	sk, err := c.key(ctx, key)
	if err != nil {
		return 0, c.result(err)
	}
	var n int64
	err = c.run(ctx, "incr", func(ctx context.Context) (err error) {
		n, err = c.c.store.Incr(ctx, sk, delta, c.c.storeTTL(ttl))
		return err
	})
	if errors.Is(err, ErrNotInteger) {
		return 0, err
	}
	return n, c.result(err)
}

// Decr is Incr with -delta.
func (c *Cache) Decr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	return c.Incr(ctx, key, -delta, ttl)
}

// Touch sets key's expiry to ttl from now and reports whether the key
// exists. Stores without a native touch read and write the value again.
func (c *Cache) Touch(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	sk, err := c.key(ctx, key)
	if err != nil {
		return false, c.result(err)
	}
	var ok bool
	err = c.run(ctx, "touch", func(ctx context.Context) (err error) {
		ttl := c.c.storeTTL(ttl)
		if t, is := c.c.store.(Toucher); is {
			ok, err = t.Touch(ctx, sk, ttl)
			return err
		}
		v, err := c.c.store.Get(ctx, sk)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return c.c.store.Set(ctx, sk, v, ttl)
	})
	return ok, c.result(err)
}

// Clear removes every value of this cache: on Redis and in memory the keys
// under its prefix and version (the whole cache when there is no prefix),
// on Memcached everything on its servers (memcached cannot select keys; a
// shared server is better invalidated by changing Options.Version). On a
// Namespace view it clears the namespace only, on every store, by moving
// to a new generation.
func (c *Cache) Clear(ctx context.Context) error {
	if c.ns != "" {
		return c.result(c.run(ctx, "clear", func(ctx context.Context) error {
			_, err := c.c.store.Incr(ctx, c.genKey(), 1, 0)
			return err
		}))
	}
	return c.result(c.run(ctx, "clear", func(ctx context.Context) error { return c.c.store.Clear(ctx, c.c.prefix) }))
}

// GetMany returns the raw values of the keys that hold one. The slices must
// not be modified. Stores without native batches are read key by key.
func (c *Cache) GetMany(ctx context.Context, keys ...string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	sks := make([]string, len(keys))
	for i, k := range keys {
		sk, err := c.key(ctx, k)
		if err != nil {
			c.c.misses.Add(uint64(len(keys)))
			return out, c.result(err)
		}
		sks[i] = sk
	}
	err := c.run(ctx, "get_many", func(ctx context.Context) error {
		if b, ok := c.c.store.(BatchStore); ok {
			m, err := b.GetMany(ctx, sks)
			if err != nil {
				return err
			}
			for i, sk := range sks {
				if v, ok := m[sk]; ok {
					out[keys[i]] = v
				}
			}
			return nil
		}
		for i, sk := range sks {
			v, err := c.c.store.Get(ctx, sk)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out[keys[i]] = v
		}
		return nil
	})
	c.c.hits.Add(uint64(len(out)))
	c.c.misses.Add(uint64(len(keys) - len(out)))
	if err != nil {
		return map[string][]byte{}, c.result(err)
	}
	return out, nil
}

// SetManyBytes stores every item for ttl.
func (c *Cache) SetManyBytes(ctx context.Context, items map[string][]byte, ttl time.Duration) error {
	if len(items) == 0 {
		return nil
	}
	m := make(map[string][]byte, len(items))
	for k, v := range items {
		sk, err := c.key(ctx, k)
		if err != nil {
			return c.result(err)
		}
		m[sk] = v
	}
	c.c.sets.Add(uint64(len(items)))
	return c.result(c.run(ctx, "set_many", func(ctx context.Context) error {
		ttl := c.c.storeTTL(ttl)
		if b, ok := c.c.store.(BatchStore); ok {
			return b.SetMany(ctx, m, ttl)
		}
		for k, v := range m {
			if err := c.c.store.Set(ctx, k, v, ttl); err != nil {
				return err
			}
		}
		return nil
	}))
}

// DeleteMany removes keys.
func (c *Cache) DeleteMany(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	sks := make([]string, len(keys))
	for i, k := range keys {
		sk, err := c.key(ctx, k)
		if err != nil {
			return c.result(err)
		}
		sks[i] = sk
	}
	c.c.deletes.Add(uint64(len(keys)))
	return c.result(c.run(ctx, "delete_many", func(ctx context.Context) error {
		if b, ok := c.c.store.(BatchStore); ok {
			return b.DeleteMany(ctx, sks)
		}
		for _, k := range sks {
			if err := c.c.store.Delete(ctx, k); err != nil {
				return err
			}
		}
		return nil
	}))
}
