package security

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// RateLimiter limits how often a key (by default the client's IP address)
// may be seen: as middleware (Handler) it answers requests over the limit
// with 429 Too Many Requests and a Retry-After header, rendered by the
// App's error renderer; Allow and Reset serve callers that count events
// themselves (the auth module counts failed logins).
//
// The zero value allows 60 requests a minute per client IP, sliding window,
// in a MemoryLimitStore of its own, failing open. Set the fields before
// first use and do not change them afterwards. A RateLimiter is safe for
// concurrent use.
//
//	api := &security.RateLimiter{
//		Policy: security.Policy{Algorithm: security.TokenBucket, Limit: 10, Window: time.Second, Burst: 20},
//		Store:  app.RateLimitStore(), // Redis when ANODE_RATELIMIT_URL is set
//		Name:   "api",
//	}
//	r.With(api.Handler).Get("/api/search", search)
type RateLimiter struct {
	Policy Policy
	// Key returns the key a request is counted under; "" exempts the
	// request. Nil means KeyByIP. auth.KeyByUser keys signed-in users by
	// user ID.
	Key func(r *http.Request) string
	// Store keeps the counts. Nil means a MemoryLimitStore of the default
	// capacity, owned by this limiter.
	Store LimitStore
	// Name separates limiters that share a store: keys are stored as
	// Name + ":" + key. Default: derived from Policy, so two unnamed
	// limiters with the same policy share their counts.
	Name string
	// FailClosed answers 503 Service Unavailable (with Retry-After: 1)
	// when the store fails, instead of letting the request through.
	FailClosed bool
	// HideHeaders leaves out the RateLimit-Limit, RateLimit-Remaining and
	// RateLimit-Reset headers (Retry-After is always sent with a refusal).
	HideHeaders bool
	// OnLimit writes the response for a refused request, with the headers
	// already set; err is a *RateLimitError. Nil means the App's error
	// renderer (anode.RenderError) or, outside an App, plain text.
	OnLimit func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives store failures, at most one line per LogInterval.
	// Nil means the App's logger (slog.Default() outside an App).
	Logger *slog.Logger
	// LogInterval is the least time between two logged store failures.
	// Default one minute.
	LogInterval time.Duration
	// Now is the clock. Nil means time.Now; tests inject one.
	Now func() time.Time

	once      sync.Once
	prefix    string
	limitN    int          // the limit a decision reports (Burst for TokenBucket)
	limitText string       // limitN, formatted once
	lastLog   atomic.Int64 // Unix nanoseconds of the last logged store failure
}

// RateLimitError is the error a RateLimiter renders: 429 for a refused
// request, 503 when the store failed and the limiter fails closed. It
// implements anode's StatusError and PublicError interfaces.
type RateLimitError struct {
	// Status is 429 or 503.
	Status int
	// RetryAfter is when the client may try again.
	RetryAfter time.Duration
	// Err is the store's error (503 only); it is never shown to clients.
	Err error
}

// ErrRateLimited matches every *RateLimitError with status 429 under
// errors.Is.
var ErrRateLimited = errors.New("security: rate limit exceeded")

func (e *RateLimitError) Error() string {
	if e.Status == http.StatusServiceUnavailable {
		return "security: rate limit store unavailable"
	}
	return ErrRateLimited.Error()
}

// Is makes errors.Is(err, ErrRateLimited) true for a refusal.
func (e *RateLimitError) Is(target error) bool {
	return target == ErrRateLimited && e.Status == http.StatusTooManyRequests
}

// Unwrap returns the store's error, if any.
func (e *RateLimitError) Unwrap() error { return e.Err }

// HTTPStatus returns Status.
func (e *RateLimitError) HTTPStatus() int { return e.Status }

// PublicMessage says what happened and when to come back.
func (e *RateLimitError) PublicMessage() string {
	if e.Status == http.StatusServiceUnavailable {
		return "The service is temporarily unavailable. Please try again shortly."
	}
	return "Too many requests. Please try again in " + RetryAfterText(e.RetryAfter) + "."
}

// RetryAfterSeconds is d in whole seconds, rounded up, at least 1: the value
// of a Retry-After header.
func RetryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// RetryAfterText writes a wait for people, as RetryAfterSeconds rounds
// it, in minutes past two minutes: "1 second", "45 seconds", "3 minutes".
// The 429 pages of the rate limiter and of auth's login throttling use it.
func RetryAfterText(d time.Duration) string {
	s := RetryAfterSeconds(d)
	switch {
	case s == 1:
		return "1 second"
	case s < 120:
		return strconv.FormatInt(s, 10) + " seconds"
	}
	return strconv.FormatInt((s+59)/60, 10) + " minutes"
}

// KeyByIP keys a request by its client's address (anode.ClientIP inside an
// App: X-Forwarded-For is believed only from ANODE_TRUSTED_PROXIES). An
// IPv6 client is keyed by its /64 network, which one subscriber usually
// holds whole; an unknown address by "ip:unknown".
func KeyByIP(r *http.Request) string {
	ip := clientIP(r)
	switch {
	case !ip.IsValid():
		return "ip:unknown"
	case ip.Is6():
		p, _ := ip.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + ip.String()
}

func (l *RateLimiter) init() {
	l.once.Do(func() {
		l.Policy = l.Policy.normalized()
		if l.Store == nil {
			l.Store = NewMemoryLimitStore(0)
		}
		if l.Key == nil {
			l.Key = KeyByIP
		}
		if l.LogInterval <= 0 {
			l.LogInterval = time.Minute
		}
		if l.Now == nil {
			l.Now = time.Now
		}
		name := l.Name
		if name == "" {
			p := l.Policy
			name = p.Algorithm.String() + "/" + strconv.Itoa(p.Limit) + "/" + p.Window.String()
			if p.Algorithm == TokenBucket {
				name += "/" + strconv.Itoa(p.Burst)
			}
		}
		l.prefix = name + ":"
		l.limitN = l.Policy.Limit
		if l.Policy.Algorithm == TokenBucket {
			l.limitN = l.Policy.Burst
		}
		l.limitText = strconv.Itoa(l.limitN)
	})
}

// Allow counts one event for key and returns the store's decision. A store
// error is returned as is (wrapped); the caller picks fail-open or closed.
func (l *RateLimiter) Allow(ctx context.Context, key string) (Decision, error) {
	l.init()
	return l.Store.Take(ctx, l.prefix+key, l.Policy, l.Now())
}

// Reset forgets key (the auth module resets a username's failed logins
// when the right password arrives).
func (l *RateLimiter) Reset(ctx context.Context, key string) error {
	l.init()
	return l.Store.Reset(ctx, l.prefix+key)
}

// Handler returns next limited by l: usable as anode.Middleware
// (app.Use(limiter.Handler), r.With(limiter.Handler)).
func (l *RateLimiter) Handler(next http.Handler) http.Handler {
	l.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := l.Key(r)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		d, err := l.Allow(r.Context(), key)
		if err != nil {
			l.StoreFailed(r.Context(), err)
			if !l.FailClosed {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Retry-After", "1")
			l.refuse(w, r, &RateLimitError{Status: http.StatusServiceUnavailable, RetryAfter: time.Second, Err: err})
			return
		}
		if !l.HideHeaders {
			limit := ""
			if d.Limit == l.limitN {
				limit = l.limitText
			}
			setRateLimitHeaders(w.Header(), d, limit)
		}
		if !d.Allowed {
			w.Header().Set("Retry-After", strconv.FormatInt(RetryAfterSeconds(d.RetryAfter), 10))
			l.refuse(w, r, &RateLimitError{Status: http.StatusTooManyRequests, RetryAfter: d.RetryAfter})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (l *RateLimiter) refuse(w http.ResponseWriter, r *http.Request, err *RateLimitError) {
	if l.OnLimit != nil {
		l.OnLimit(w, r, err)
		return
	}
	renderError(w, r, err)
}

// StoreFailed logs a store error at most once per LogInterval, so an
// outage of the store does not flood the log. Handler calls it; callers of
// Allow may too.
func (l *RateLimiter) StoreFailed(ctx context.Context, err error) {
	l.init()
	now := time.Now().UnixNano()
	last := l.lastLog.Load()
	if now-last < int64(l.LogInterval) || !l.lastLog.CompareAndSwap(last, now) {
		return
	}
	mode := "failing open: requests are let through"
	if l.FailClosed {
		mode = "failing closed: requests are refused with 503"
	}
	logger := l.Logger
	if logger == nil {
		if ri := requestInfo(ctx); ri != nil {
			logger = ri.Logger()
		} else {
			logger = slog.Default()
		}
	}
	logger.ErrorContext(ctx, "security: rate limit store unavailable; "+mode, "limiter", l.prefix[:len(l.prefix)-1], "error", err)
}

// SetRateLimitHeaders sets the RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset (seconds, rounded up) headers of the IETF httpapi
// working group's draft (the separate-fields form of its drafts up to
// -07, which most clients and proxies read).
func SetRateLimitHeaders(h http.Header, d Decision) {
	setRateLimitHeaders(h, d, "")
}

// setRateLimitHeaders is SetRateLimitHeaders with the limit's text when
// the caller has it, in one allocation for the three values.
func setRateLimitHeaders(h http.Header, d Decision, limit string) {
	if limit == "" {
		limit = strconv.Itoa(d.Limit)
	}
	reset := int64(0)
	if d.Reset > 0 {
		reset = RetryAfterSeconds(d.Reset)
	}
	v := &[3]string{limit, strconv.Itoa(d.Remaining), strconv.FormatInt(reset, 10)}
	h["Ratelimit-Limit"] = v[0:1:1]
	h["Ratelimit-Remaining"] = v[1:2:2]
	h["Ratelimit-Reset"] = v[2:3:3]
}
