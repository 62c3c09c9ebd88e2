package anode

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/anode-go/anode/cache"
)

// cacheState holds the App's caches, opened by New from the Config.
type cacheState struct {
	byName map[string]*cache.Cache // "default" and the named caches
}

// DefaultCache is the name of the cache ANODE_CACHE_URL configures.
const DefaultCache = "default"

// cacheVar returns the environment variable that configures the named cache.
func cacheVar(name string) string {
	if name == DefaultCache {
		return "ANODE_CACHE_URL"
	}
	return "ANODE_CACHE_" + strings.ToUpper(name) + "_URL"
}

// namedCacheURLs reads ANODE_CACHE_<NAME>_URL variables: each configures
// the cache <name> (lower case).
func namedCacheURLs(env map[string]string) map[string]string {
	var out map[string]string
	for k, v := range env {
		name, ok := strings.CutPrefix(k, "ANODE_CACHE_")
		if !ok {
			continue
		}
		if name, ok = strings.CutSuffix(name, "_URL"); !ok || name == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[strings.ToLower(name)] = strings.TrimSpace(v)
	}
	return out
}

// openCaches opens every configured cache (New); a bad URL is a
// ConfigError naming its variable, and the cache is a dummy one meanwhile.
func (a *App) openCaches() {
	urls := map[string]string{DefaultCache: a.cfg.CacheURL}
	for name, u := range a.cfg.Caches {
		if name != DefaultCache {
			urls[name] = u
		}
	}
	a.caches.byName = make(map[string]*cache.Cache, len(urls))
	names := make([]string, 0, len(urls))
	for name := range urls {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c, err := cache.Open(urls[name], cache.Options{Logger: a.logger.With("cache", name)})
		if err != nil {
			ce := &ConfigError{Var: cacheVar(name), Reason: err.Error()}
			var ue *cache.URLError
			if errors.As(err, &ue) {
				ce.Value, ce.Reason = ue.URL, ue.Reason
			}
			a.cfg.errs = append(a.cfg.errs, ce)
			c = cache.New(cache.DummyStore{}, cache.Options{})
		}
		a.caches.byName[name] = c
	}
}

// Cache returns the App's default cache: the store ANODE_CACHE_URL selects
// (memory://?size=64MB when unset; see docs/cache.md). It is opened by New
// and closed by Close, and is safe for concurrent use. Handlers reach it
// with anode.FromContext(r.Context()).Cache().
func (a *App) Cache() *cache.Cache { return a.caches.byName[DefaultCache] }

// NamedCache returns the cache configured by ANODE_CACHE_<NAME>_URL (name
// in lower case, e.g. "sessions" for ANODE_CACHE_SESSIONS_URL) or
// Config.Caches, like Django's caches["name"]; "default" is Cache(). It
// returns nil for a name that is not configured.
func (a *App) NamedCache(name string) *cache.Cache { return a.caches.byName[name] }

// closeCaches closes every cache (Close).
func (a *App) closeCaches() error {
	var errs []error
	for _, c := range a.caches.byName {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// fragmentCache is the cache of template fragments: "template_fragments"
// when configured, else the default cache (Django's choice).
func (a *App) fragmentCache() *cache.Cache {
	if c := a.NamedCache("template_fragments"); c != nil {
		return c
	}
	return a.Cache()
}

// cacheFragments adapts a cache to render.FragmentCache, so render does
// not import cache.
type cacheFragments struct{ c *cache.Cache }

// Fragment returns the HTML cached under key, or renders, stores and
// returns it.
func (f cacheFragments) Fragment(ctx context.Context, key string, ttl time.Duration, fill func() (string, error)) (string, error) {
	return cache.GetOrSet(ctx, f.c, key, ttl, func(context.Context) (string, error) { return fill() })
}
