package auth

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/session"
)

type ctxKey struct{}

// requestUser is a request's user, loaded from its session on first use.
type requestUser struct {
	c      *config
	req    *http.Request // the request as the middleware saw it (client address)
	bearer string        // the Authorization: Bearer token, if any
	mu     sync.Mutex
	loaded bool
	user   *User
	err    error
}

// middleware puts the request's (not yet loaded) user into its context,
// and with ANODE_LOGIN_REQUIRED sends anonymous visitors of routes not
// marked Public to the login page, as RequireLogin does.
func (c *config) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), ctxKey{}, &requestUser{c: c, req: r, bearer: bearerToken(r)})
		r = r.WithContext(ctx)
		if c.loginRequired && !c.public(r) {
			RequireLogin(next).ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func holderFrom(ctx context.Context) *requestUser {
	h, _ := ctx.Value(ctxKey{}).(*requestUser)
	return h
}

// UserFromContext returns the signed-in user of the request whose context
// is ctx, or nil for an anonymous visitor, outside the auth module's
// middleware, or when the user cannot be loaded (the error is logged). The
// first call loads the user from the session (one query); later calls
// return the same *User. A request with an "Authorization: Bearer" header
// is made as the user of that API token (see CreateToken), and is
// anonymous if the token is unknown, revoked or expired; its session is
// not consulted. A user who was deactivated, deleted, or whose
// password changed since the session signed in is anonymous.
func UserFromContext(ctx context.Context) *User {
	u, _ := current(ctx)
	return u
}

// UserFromRequest returns the signed-in user of r (see UserFromContext).
func UserFromRequest(r *http.Request) *User { return UserFromContext(r.Context()) }

// current returns the request's user, loading it once, and the error that
// prevented loading it.
func current(ctx context.Context) (*User, error) {
	h := holderFrom(ctx)
	if h == nil {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.loaded {
		if h.bearer != "" {
			h.user, h.err = h.c.userForToken(ctx, h.bearer)
		} else {
			h.user, h.err = h.c.load(ctx)
		}
		h.loaded = true
		if h.err != nil && h.c.app != nil {
			h.c.app.Logger().ErrorContext(ctx, "auth: loading the request's user", "error", h.err)
		}
	}
	return h.user, h.err
}

// set replaces the request's user after Login or Logout.
func (h *requestUser) set(u *User) {
	h.mu.Lock()
	h.user, h.err, h.loaded = u, nil, true
	h.mu.Unlock()
}

// load reads the session's user from the database; nil when the session
// has none, names no active user, or was signed in with another password.
func (c *config) load(ctx context.Context) (*User, error) {
	s := session.FromContext(ctx)
	uid := s.UserID()
	if uid == "" || c.app == nil || c.app.DB() == nil {
		return nil, nil
	}
	id, err := strconv.ParseInt(uid, 10, 64)
	if err != nil {
		return nil, nil
	}
	u, err := orm.From[User](c.app.DB()).Filter("id", id).Get(ctx)
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, nil
	}
	if h, _ := session.Get[string](s, sessionHashKey); !c.hashMatches(h, u.Password) {
		// The password changed since this session signed in (or the
		// session was tampered with): sign it out, as Django does.
		return nil, s.Flush(ctx)
	}
	u.perms = &permCache{}
	return &u, nil
}
