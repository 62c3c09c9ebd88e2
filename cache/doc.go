// Package cache is Anode's cache framework, after Django's: one API over
// in-process memory, Redis and Memcached, per-view and per-site page
// caching, conditional GET, and invalidation from models. The App opens
// its caches from ANODE_CACHE_URL (and ANODE_CACHE_<NAME>_URL); handlers
// reach them with anode.FromContext(r.Context()).Cache(). docs/cache.md is
// the guide.
//
// # Values
//
// A [Cache] stores bytes in a [Store]; the generic helpers [Get], [Set],
// [Add], [GetMany], [SetMany] and [GetOrSet] encode values: []byte and
// strings as they are, numbers and booleans as decimal text, anything else
// as JSON. [GetOrSet] fills a cold key once per process however many
// callers wait for it.
//
// # Stores
//
// [Open] selects a store by URL: memory:// ([MemoryStore], bounded in
// bytes), redis:// ([RedisStore]), memcached:// ([MemcachedStore], several
// servers, long or unsafe keys hashed) and dummy:// ([DummyStore]). Keys
// are "prefix:version:key"; changing the version invalidates everything.
// [Cache.Namespace] groups keys so that one Clear invalidates them on any
// store, Memcached included.
//
// # Failures
//
// A Cache is lenient: when Redis or Memcached is down or slower than
// Options.Timeout (200 ms), reads are misses and writes are dropped, the
// failure is counted ([Cache.Stats]) and logged at most once per
// Options.LogInterval, and the store is skipped for Options.RetryAfter
// before it is tried again. [Cache.Strict] returns a view that reports
// errors instead, for callers that must fail closed.
//
// # HTTP
//
// [Page] caches whole GET and HEAD responses (never ones that set cookies,
// are private, or depend on the session unless asked); [ConditionalGet] and
// [CheckNotModified] answer 304 Not Modified; [NeverCache], [MaxAge],
// [Private] and [PatchCacheControl] set Cache-Control. Template fragments
// are cached by render's Page.Cache, which the App wires to its cache.
//
// # Models
//
// [DeleteOn] and [ClearOn] delete keys and clear namespaces after a model's
// create, update or delete commits.
package cache
