package anode

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode/security"
)

// limitState is the App's rate-limit store (ANODE_RATELIMIT_URL).
type limitState struct {
	url       string
	prefix    string
	once      sync.Once
	store     security.LimitStore
	closeOnce sync.Once
	close     func() error // the Redis client's Close, if one was opened
}

// configureRateLimit reads ANODE_RATELIMIT_URL (New). Unset, it follows
// ANODE_CACHE_URL when that is a Redis URL, as the session store does.
func (a *App) configureRateLimit() {
	for _, s := range []Setting{
		Var(&a.limits.url, "ANODE_RATELIMIT_URL", "", "the Redis server rate limits and login throttling count in, shared by every instance (default ANODE_CACHE_URL when it is a redis:// URL; else each process counts in memory)"),
		Var(&a.limits.prefix, "ANODE_RATELIMIT_PREFIX", "anode:ratelimit:", "the prefix of the rate limits' Redis keys (give each app sharing a Redis server its own)"),
	} {
		if err := s.apply(&a.cfg); err != nil {
			a.cfg.errs = append(a.cfg.errs, err)
		}
	}
	switch u := a.limits.url; {
	case u == "" && isRedisURL(a.cfg.CacheURL):
		a.limits.url = a.cfg.CacheURL
	case u == "" || u == "memory://":
		a.limits.url = ""
	case !isRedisURL(u):
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_RATELIMIT_URL", Reason: "want a redis:// or rediss:// URL, or memory:// (the value is not shown: it may hold a password)"})
	default:
		if _, err := redis.ParseURL(u); err != nil {
			// The parser's message quotes the URL, password and all.
			a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_RATELIMIT_URL", Reason: "not a valid Redis URL: want redis://[user:password@]host:port/db (the value is not shown: it may hold a password)"})
		}
	}
}

func isRedisURL(u string) bool {
	return strings.HasPrefix(u, "redis://") || strings.HasPrefix(u, "rediss://") || strings.HasPrefix(u, "unix://")
}

// RateLimitStore returns the App's store for rate limits: in Redis when
// ANODE_RATELIMIT_URL (or a redis:// ANODE_CACHE_URL) is set, so limits
// hold across instances; otherwise in this process's memory. The auth
// module's login throttling counts in it; give it to a
// security.RateLimiter to do the same. It is made on first use and closed
// at shutdown.
func (a *App) RateLimitStore() security.LimitStore {
	a.limits.once.Do(func() {
		if a.limits.url != "" {
			s, err := security.OpenRedisLimitStore(a.limits.url, security.RedisLimitOptions{Prefix: a.limits.prefix})
			if err == nil {
				a.limits.store, a.limits.close = s, s.Close
				a.OnShutdown(func(context.Context) error { return a.closeRateLimitStore() })
				return
			}
			a.logger.Error("rate limits: opening ANODE_RATELIMIT_URL failed; counting in memory", "error", err)
		}
		a.limits.store = security.NewMemoryLimitStore(0)
	})
	return a.limits.store
}

// limitHost is the request state as package security sees it
// (security.RequestInfo): the client IP and the error renderer.
type limitHost requestState

func (h *limitHost) ClientIP() netip.Addr {
	if h.ipKnown {
		return h.clientIP
	}
	return remoteAddr(h.req)
}

func (h *limitHost) Logger() *slog.Logger { return h.app.logger }

func (h *limitHost) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	h.app.errors.render(w, r, err)
}

// closeRateLimitStore closes the Redis client of the rate-limit store, once
// (at shutdown, or by App.Close).
func (a *App) closeRateLimitStore() error {
	var err error
	a.limits.closeOnce.Do(func() {
		if a.limits.close != nil {
			err = a.limits.close()
		}
	})
	return err
}
