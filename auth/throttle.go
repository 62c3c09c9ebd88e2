package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/security"
)

// ErrThrottled is matched (errors.Is) by the *ThrottledError Authenticate
// returns when a username or client address has failed to log in too
// often: the password was not checked.
var ErrThrottled = errors.New("auth: too many failed login attempts")

// ThrottledError is a refusal by login or password-reset throttling. It
// renders as 429 Too Many Requests with its public message.
type ThrottledError struct {
	// RetryAfter is when the client may try again.
	RetryAfter time.Duration
	// What names the action: "login" or "password reset".
	What string
}

func (e *ThrottledError) Error() string {
	if e.What == "password reset" {
		return "auth: too many password reset requests"
	}
	return ErrThrottled.Error()
}

// Is makes errors.Is(err, ErrThrottled) true for a login refusal.
func (e *ThrottledError) Is(target error) bool {
	return target == ErrThrottled && e.What != "password reset"
}

// HTTPStatus is 429.
func (e *ThrottledError) HTTPStatus() int { return http.StatusTooManyRequests }

// PublicMessage says what to do, shown on the form.
func (e *ThrottledError) PublicMessage() string {
	wait := security.RetryAfterText(e.RetryAfter)
	if e.What == "password reset" {
		return "Too many password reset requests. Please try again in " + wait + "."
	}
	return "Too many failed login attempts. Please try again in " + wait + "."
}

// throttle holds the auth module's limiters, built at Init over the App's
// rate-limit store (App.RateLimitStore: memory, or Redis shared by every
// instance when ANODE_RATELIMIT_URL is set). All are token buckets: a
// burst of attempts, then one more every window/attempts (a backoff).
type throttle struct {
	enabled         bool
	attempts, perIP int
	window          time.Duration
	resetPerEmail   int                   // password reset requests per email address …
	resetPerIP      int                   // … and per client address …
	resetWindow     time.Duration         // … over this time
	loginUser       *security.RateLimiter // failed logins per username and client address
	loginIP         *security.RateLimiter // login attempts per client address
	resetEmail      *security.RateLimiter // reset requests per email address
	resetIP         *security.RateLimiter // reset requests per client address
}

// settings are the throttling's ANODE_* settings.
func (th *throttle) settings() []anode.Setting {
	return []anode.Setting{
		anode.Var(&th.enabled, "ANODE_LOGIN_THROTTLE", true, "throttle failed logins and password reset requests (429 with Retry-After)"),
		anode.Var(&th.attempts, "ANODE_LOGIN_ATTEMPTS", 5, "failed logins allowed per username and client address in a burst; they come back over ANODE_LOGIN_ATTEMPTS_WINDOW"),
		anode.Var(&th.perIP, "ANODE_LOGIN_ATTEMPTS_PER_IP", 100, "login attempts allowed per client address in a burst, whatever the username"),
		anode.Var(&th.window, "ANODE_LOGIN_ATTEMPTS_WINDOW", 15*time.Minute, "the time over which spent login attempts come back"),
		anode.Var(&th.resetPerEmail, "ANODE_PASSWORD_RESET_ATTEMPTS", 5, "password reset requests allowed per email address in a burst; they come back over ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW"),
		anode.Var(&th.resetPerIP, "ANODE_PASSWORD_RESET_ATTEMPTS_PER_IP", 20, "password reset requests allowed per client address in a burst, whatever the address asked for"),
		anode.Var(&th.resetWindow, "ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW", time.Hour, "the time over which spent password reset requests come back"),
	}
}

// validate refuses counts under 1 and windows under a second, naming the
// variable: a zero limit would lock everyone out, and a negative window
// is meaningless. It runs at start-up (the module's Init).
func (th *throttle) validate() error {
	if !th.enabled {
		return nil
	}
	for _, n := range []struct {
		name string
		v    int
	}{
		{"ANODE_LOGIN_ATTEMPTS", th.attempts},
		{"ANODE_LOGIN_ATTEMPTS_PER_IP", th.perIP},
		{"ANODE_PASSWORD_RESET_ATTEMPTS", th.resetPerEmail},
		{"ANODE_PASSWORD_RESET_ATTEMPTS_PER_IP", th.resetPerIP},
	} {
		if n.v < 1 {
			return &anode.ConfigError{Var: n.name, Value: strconv.Itoa(n.v), Reason: "want at least 1 (ANODE_LOGIN_THROTTLE=false turns throttling off)"}
		}
	}
	for _, w := range []struct {
		name string
		v    time.Duration
	}{
		{"ANODE_LOGIN_ATTEMPTS_WINDOW", th.window},
		{"ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW", th.resetWindow},
	} {
		if w.v < time.Second {
			return &anode.ConfigError{Var: w.name, Value: w.v.String(), Reason: "want a duration of at least 1s"}
		}
	}
	return nil
}

// init builds the limiters over store (the module's Init); now is the
// clock (nil: time.Now).
func (th *throttle) init(store security.LimitStore, now func() time.Time, logger *slog.Logger) {
	if !th.enabled {
		return
	}
	bucket := func(name string, n int, window time.Duration) *security.RateLimiter {
		return &security.RateLimiter{
			Name:   name,
			Store:  store,
			Policy: security.Policy{Algorithm: security.TokenBucket, Limit: n, Burst: n, Window: window},
			Now:    now,
			Logger: logger,
		}
	}
	th.loginUser = bucket("auth-login-user", th.attempts, th.window)
	th.loginIP = bucket("auth-login-ip", th.perIP, th.window)
	th.resetEmail = bucket("auth-reset-email", th.resetPerEmail, th.resetWindow)
	th.resetIP = bucket("auth-reset-ip", th.resetPerIP, th.resetWindow)
}

// hashed is a fixed-length key for a user-supplied string, folded to
// lower case so "Ada" and "ada" share one count (whatever the database's
// collation makes of them).
func hashed(s string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(s)))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// take counts one event on a and on b and returns their decisions, and a
// *ThrottledError (for the longer wait) if either refused. A store
// failure lets the event through (fail-open: an unreachable Redis must not
// lock every user out) and is logged at most once a minute per limiter.
func take(ctx context.Context, what string, a *security.RateLimiter, aKey string, b *security.RateLimiter, bKey string) (da, db security.Decision, err error) {
	var refused *ThrottledError
	one := func(l *security.RateLimiter, key string) security.Decision {
		d, err := l.Allow(ctx, key)
		if err != nil {
			l.StoreFailed(ctx, err)
			return security.Decision{Allowed: true, Remaining: 1}
		}
		if !d.Allowed && (refused == nil || d.RetryAfter > refused.RetryAfter) {
			refused = &ThrottledError{RetryAfter: d.RetryAfter, What: what}
		}
		return d
	}
	da, db = one(a, aKey), one(b, bKey)
	if refused != nil {
		return da, db, refused
	}
	return da, db, nil
}

// loginAttempt is one throttled Authenticate call.
type loginAttempt struct {
	c                *config
	r                *http.Request
	username         string
	userKey, ipKey   string
	userLeft, ipLeft int
}

// startLogin counts a login attempt by username from the request whose
// context is ctx, before the password is looked at. It returns nil, nil
// when nothing throttles (outside a request, or throttling is off), and a
// *ThrottledError when the attempt is refused.
func startLogin(ctx context.Context, username string) (*loginAttempt, error) {
	h := holderFrom(ctx)
	if h == nil || h.req == nil || h.c.throttle.loginUser == nil {
		return nil, nil
	}
	th := &h.c.throttle
	ip := security.KeyByIP(h.req)
	a := &loginAttempt{c: h.c, r: h.req, username: username, userKey: hashed(username) + ":" + ip, ipKey: ip}
	du, di, err := take(ctx, "login", th.loginUser, a.userKey, th.loginIP, a.ipKey)
	a.userLeft, a.ipLeft = du.Remaining, di.Remaining
	return a, err
}

// done records the attempt's outcome: the right password clears the
// username's failures from this address; a failure that spent the last
// attempt starts a lockout, which is logged.
func (a *loginAttempt) done(ctx context.Context, err error) {
	if a == nil {
		return
	}
	if err == nil || errors.Is(err, ErrInactive) {
		if rerr := a.c.throttle.loginUser.Reset(ctx, a.userKey); rerr != nil {
			a.c.throttle.loginUser.StoreFailed(ctx, rerr)
		}
		return
	}
	if !errors.Is(err, ErrInvalidCredentials) || a.c.app == nil {
		return
	}
	user := a.username
	if len(user) > 150 {
		user = user[:150]
	}
	if a.userLeft == 0 {
		a.c.app.Logger().WarnContext(ctx, "auth: login locked out: too many failed attempts for this username from this address", "username", user, "client", a.ipKey)
	} else if a.ipLeft == 0 {
		a.c.app.Logger().WarnContext(ctx, "auth: login locked out: too many login attempts from this address", "client", a.ipKey)
	}
}

// throttleReset counts a password reset request for email from r.
func (c *config) throttleReset(r *http.Request, email string) error {
	th := &c.throttle
	if th.resetEmail == nil {
		return nil
	}
	ip := security.KeyByIP(r)
	_, _, err := take(r.Context(), "password reset", th.resetEmail, hashed(email), th.resetIP, ip)
	return err
}

// KeyByUser is a security.RateLimiter key function that counts a signed-in
// user's requests under their user ID, wherever they come from, and an
// anonymous visitor's under its client address (security.KeyByIP). It
// loads the request's user (one query, shared with the rest of the
// request); use it behind the auth module's middleware.
//
//	perUser := &security.RateLimiter{Key: auth.KeyByUser, Store: app.RateLimitStore(), Name: "api"}
func KeyByUser(r *http.Request) string {
	if u := UserFromRequest(r); u != nil {
		return "user:" + strconv.FormatInt(u.ID, 10)
	}
	return security.KeyByIP(r)
}
