package cache

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anode-go/anode/internal/bytesize"
	"github.com/bradfitz/gomemcache/memcache"
	"github.com/redis/go-redis/v9"
)

// URLError reports a cache URL that cannot be used. URL is shown without
// its password.
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string { return fmt.Sprintf("cache: URL %q: %s", e.URL, e.Reason) }

// DefaultURL is the cache an empty URL selects.
const DefaultURL = "memory://"

// Open returns a Cache over the store rawURL selects ("" is DefaultURL):
//
//	memory://?size=64MB                     in this process, bounded in bytes (default 64 MiB)
//	redis://[user:password@]host:6379/0     Redis (rediss:// for TLS; go-redis URL options apply)
//	memcached://host1:11211,host2:11211     one or more memcached servers
//	dummy://  none://                       caches nothing
//
// Every scheme also takes prefix=, version=, ttl= (the default TTL, a Go
// duration or seconds) and timeout= (per operation, default 200ms) in the
// query, which set the matching fields of o. Nothing connects until the
// first operation, but memcached host names are resolved by Open (gomemcache
// keeps addresses), so an unknown host is an error here. A bad URL is a
// *URLError.
func Open(rawURL string, o Options) (*Cache, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	shown := redact(rawURL)
	fail := func(format string, args ...any) (*Cache, error) {
		return nil, &URLError{URL: shown, Reason: fmt.Sprintf(format, args...)}
	}
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return fail("want scheme://..., e.g. memory://, redis://host:6379/0, memcached://host:11211")
	}
	rest, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return fail("bad query: %v", err)
	}
	take := func(name string) (string, bool) {
		v, ok := q[name]
		delete(q, name)
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	}
	if v, ok := take("prefix"); ok {
		o.Prefix = v
	}
	if v, ok := take("version"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fail("version=%q: want a positive whole number", v)
		}
		o.Version = n
	}
	if v, ok := take("ttl"); ok {
		d, err := parseDuration(v)
		if err != nil {
			return fail("ttl=%q: want a Go duration (\"5m\") or seconds; \"none\" for no expiry", v)
		}
		o.TTL = d
	}
	if v, ok := take("timeout"); ok {
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			return fail("timeout=%q: want a positive Go duration such as \"200ms\"", v)
		}
		o.Timeout = d
	}
	if o.Timeout == 0 {
		o.Timeout = 200 * time.Millisecond
	}
	var store Store
	switch scheme {
	case "memory", "locmem":
		size := int64(DefaultMemorySize)
		if v, ok := take("size"); ok {
			if size, err = bytesize.Parse(v, 1<<50); err != nil {
				return fail("size=%q: want a size such as 64MB, 512KiB or 1048576", v)
			}
		}
		if len(q) > 0 {
			return fail("unknown option %q (memory:// takes size, prefix, version, ttl, timeout)", firstKey(q))
		}
		if strings.Trim(rest, "/") != "" {
			return fail("memory:// takes no host or path")
		}
		store = NewMemoryStore(size)
	case "dummy", "none":
		if len(q) > 0 {
			return fail("unknown option %q", firstKey(q))
		}
		store = DummyStore{}
	case "redis", "rediss", "unix":
		u := scheme + "://" + rest
		if enc := q.Encode(); enc != "" {
			u += "?" + enc
		}
		opts, err := redis.ParseURL(u)
		if err != nil {
			return fail("%v", err)
		}
		if opts.DialTimeout == 0 { // not in the URL: bound it by the cache's timeout, not go-redis's 5 s
			opts.DialTimeout = o.Timeout
		}
		opts.ContextTimeoutEnabled = true
		opts.MaxRetries = -1 // a failed operation is a miss; retrying would exceed the timeout
		store = NewRedisStore(redis.NewClient(opts))
	case "memcached", "memcache", "pymemcache":
		if len(q) > 0 {
			return fail("unknown option %q (memcached:// takes prefix, version, ttl, timeout)", firstKey(q))
		}
		var servers []string
		for _, s := range strings.Split(strings.TrimSuffix(rest, "/"), ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if _, _, err := net.SplitHostPort(s); err != nil {
				s = net.JoinHostPort(s, "11211")
			}
			servers = append(servers, s)
		}
		if len(servers) == 0 {
			return fail("memcached:// needs at least one server: memcached://host1:11211,host2:11211")
		}
		var sl memcache.ServerList
		if err := sl.SetServers(servers...); err != nil {
			return fail("%v", err)
		}
		client := memcache.NewFromSelector(&sl)
		client.Timeout = o.Timeout
		client.MaxIdleConns = 64
		store = NewMemcachedStore(client)
	default:
		return fail("unknown scheme %q: want memory, redis, rediss, memcached, dummy or none", scheme)
	}
	return New(store, o), nil
}

func firstKey(q url.Values) string {
	for k := range q {
		return k
	}
	return ""
}

// redact hides a password in a URL.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return raw
}

func parseDuration(s string) (time.Duration, error) {
	if s == "none" {
		return NoExpiry, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}
