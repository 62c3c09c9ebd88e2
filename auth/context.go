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
	obj    any // the user model value holding user (a *T of ModuleFor), when loaded with it
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
			h.user, h.obj, h.err = h.c.userForToken(ctx, h.bearer)
		} else {
			h.user, h.obj, h.err = h.c.load(ctx)
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
	h.user, h.obj, h.err, h.loaded = u, nil, nil, true
	h.mu.Unlock()
}

// load reads the session's user from the database; nil when the session
// has none, names no active user, or was signed in with another password.
func (c *config) load(ctx context.Context) (*User, any, error) {
	s := session.FromContext(ctx)
	uid := s.UserID()
	if uid == "" || c.app == nil || c.app.DB() == nil {
		return nil, nil, nil
	}
	id, err := strconv.ParseInt(uid, 10, 64)
	if err != nil {
		return nil, nil, nil
	}
	u, obj, err := c.users.get(ctx, c.app.DB(), "id", id)
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.IsActive {
		return nil, nil, nil
	}
	if h, _ := session.Get[string](s, sessionHashKey); !c.hashMatches(h, u.Password) {
		// The password changed since this session signed in (or the
		// session was tampered with): sign it out, as Django does.
		return nil, nil, s.Flush(ctx)
	}
	u.perms = &permCache{}
	return u, obj, nil
}

// UserAs returns the signed-in user of the request whose context is ctx
// as the application's user model T (see ModuleFor), or nil when the
// visitor is anonymous or the installed user model is not T. It is
// UserFromContext with the model's own fields: the same user, loaded once
// per request. With the default module, UserAs[auth.User] is
// UserFromContext.
//
//	m := auth.UserAs[accounts.User](r.Context()) // m.Bio, m.Username, m.HasPerm(…)
func UserAs[T any, PT UserModel[T]](ctx context.Context) *T {
	u, _ := current(ctx)
	if u == nil {
		return nil
	}
	h := holderFrom(ctx)
	h.mu.Lock()
	obj := h.obj
	h.mu.Unlock()
	if p, ok := obj.(PT); ok {
		return (*T)(p)
	}
	if obj != nil || h.c.app == nil {
		return nil // another model is installed
	}
	// Login set the *User without its model value: read the row once.
	_, obj, err := h.c.users.get(ctx, h.c.app.DB(), "id", u.ID)
	p, ok := obj.(PT)
	if err != nil || !ok {
		return nil
	}
	*p.AuthUser() = *u // keep the request's user (its permission cache)
	h.mu.Lock()
	if h.user == u {
		h.obj = obj
	}
	h.mu.Unlock()
	return (*T)(p)
}
