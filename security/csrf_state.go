package security

import (
	"context"
	"net/http"
	"sync"

	"github.com/anode-go/anode/internal/vary"
	"github.com/anode-go/anode/session"
)

// sessionKey is the session value holding the secret with UseSessions.
const sessionKey = "_csrf_secret"

// CSRFState is one request's CSRF secret, read from the cookie (or the
// session) only when a token is asked for or an unsafe request is
// checked. Its methods are safe for concurrent use by the goroutines
// serving one request.
type CSRFState struct {
	c   *CSRF
	ctx context.Context
	r   *http.Request
	w   http.ResponseWriter

	mu        sync.Mutex
	loaded    bool
	secret    []byte // the current secret; nil when none (yet)
	had       bool   // the request carried a secret
	changed   bool   // made or discarded in this request: the cookie must follow
	issued    bool   // a token was handed out: the response varies by cookie
	committed bool
}

// NewState makes the CSRF state of one request served without
// Middleware: ctx is the request's context (where the session is found
// with UseSessions), r the request (whose cookie is read on first use)
// and w the writer the cookie is set on. The host answers
// IsCSRFContextKey keys with it and calls Commit before the response's
// headers go out.
func (c *CSRF) NewState(ctx context.Context, r *http.Request, w http.ResponseWriter) *CSRFState {
	return &CSRFState{c: c, ctx: ctx, r: r, w: w}
}

// secure reports whether the cookie is a Secure, __Host- one for r: on
// HTTPS, also when a trusted proxy terminated it (X-Forwarded-Proto).
func (st *CSRFState) secure() bool { return st.c.opts.Secure || IsSecure(st.r) }

func (st *CSRFState) cookieName() string {
	if st.secure() {
		return "__Host-" + st.c.opts.CookieName
	}
	return st.c.opts.CookieName
}

// load reads the request's secret once (st.mu held).
func (st *CSRFState) load() {
	if st.loaded {
		return
	}
	st.loaded = true
	var text string
	if st.c.opts.UseSessions {
		text, _ = session.Get[string](session.FromContext(st.ctx), sessionKey)
	} else if ck, err := st.r.Cookie(st.cookieName()); err == nil {
		text = ck.Value
	}
	if s, ok := decodeSecret(text); ok {
		st.secret, st.had = s, true
	}
}

// requestSecret returns the secret the request's tokens must match, nil
// when it carried none.
func (st *CSRFState) requestSecret() []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.load()
	return st.secret
}

// Token returns a new token for the request's secret, making the secret
// first when there is none (see the package function Token).
func (st *CSRFState) Token() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.load()
	if st.secret == nil {
		st.secret, st.changed = newSecret(), true
		if st.c.opts.UseSessions {
			// Never fails: a string always encodes.
			_ = session.Set(session.FromContext(st.ctx), sessionKey, encodeSecret(st.secret))
		}
	}
	st.issued = true
	return maskSecret(st.secret)
}

// Rotate discards the secret (see the package function Rotate).
func (st *CSRFState) Rotate() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.load()
	if st.secret == nil && !st.had {
		return // nothing to forget: no cookie to set for a visitor without one
	}
	st.changed = true
	if st.c.opts.UseSessions {
		// The next token makes a new secret; until then the session (often
		// just flushed by a logout) is not written for it.
		st.secret = nil
		session.FromContext(st.ctx).Delete(sessionKey)
		return
	}
	// A new cookie at once, as Django does: the browser holds a valid
	// secret whatever page comes next.
	st.secret = newSecret()
}

// Commit sets or clears the cookie when the secret was made or discarded
// during the request, and adds "Vary: Cookie" when a token was handed
// out (the page differs per browser). It runs once, before the response's
// headers are written; later calls do nothing.
func (st *CSRFState) Commit() {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed {
		return
	}
	st.committed = true
	if st.w == nil {
		return
	}
	if st.issued {
		vary.Add(st.w.Header(), "Cookie")
	}
	if !st.changed || st.c.opts.UseSessions {
		return
	}
	ck := &http.Cookie{
		Name: st.cookieName(), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: st.secure(),
	}
	switch {
	case st.secret != nil:
		ck.Value, ck.MaxAge = encodeSecret(st.secret), int(st.c.opts.CookieMaxAge.Seconds())
	case st.had:
		ck.MaxAge = -1
	default:
		return
	}
	http.SetCookie(st.w, ck)
}
