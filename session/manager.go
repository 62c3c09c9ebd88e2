package session

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/anode-go/anode/internal/commitwriter"
	"github.com/anode-go/anode/internal/requestinfo"
	"github.com/anode-go/anode/internal/vary"
)

// Options configure a Manager. Only Store is required.
type Options struct {
	// Store keeps the sessions: NewDBStore, NewCookieStore or NewRedisStore.
	Store Store
	// CookieName is the session cookie's name. Default "sessionid".
	CookieName string
	// CookiePath and CookieDomain scope the cookie. Default path "/", no
	// domain (this host only).
	CookiePath, CookieDomain string
	// Secure forces the cookie's Secure flag; without it the flag is set
	// on requests that came over HTTPS (TLS, or X-Forwarded-Proto from a
	// proxy the App trusts).
	Secure bool
	// IdleTimeout ends a session not used for this long. Default 14 days
	// (Django's SESSION_COOKIE_AGE).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after it was created,
	// however active. Default 30 days.
	AbsoluteTimeout time.Duration
	// Logger receives store errors met while saving (they cannot reach the
	// handler: the response is already starting). Default slog.Default().
	Logger *slog.Logger
	// Now is the clock, for tests. Default time.Now.
	Now func() time.Time
}

// Manager makes the sessions of requests and saves them. Build one with
// NewManager; it is safe for concurrent use.
type Manager struct {
	store  Store        // the configured store, as Store returns it
	keyed  hashedKeys   // store, addressed by session key: every call hashes the key once
	cookie *CookieStore // non-nil when the data lives in the cookie
	opts   Options
}

// NewManager returns a Manager for o. It panics when o.Store is nil: that
// is a wiring error found at start-up.
func NewManager(o Options) *Manager {
	if o.Store == nil {
		panic("session: NewManager with a nil Store")
	}
	if o.CookieName == "" {
		o.CookieName = "sessionid"
	}
	if o.CookiePath == "" {
		o.CookiePath = "/"
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 14 * 24 * time.Hour
	}
	if o.AbsoluteTimeout <= 0 {
		o.AbsoluteTimeout = 30 * 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{store: o.Store, keyed: hashedKeys{o.Store}, opts: o}
	m.cookie, _ = o.Store.(*CookieStore)
	return m
}

// Store returns the Manager's store.
func (m *Manager) Store() Store { return m.store }

// EndUserSessions deletes every session of userID except the one with key
// exceptKey (the current session's Key, or "" for all): call it when a
// user's password changes or the account is disabled. The cookie store
// cannot reach other browsers' cookies: it returns an error wrapping
// errors.ErrUnsupported.
func (m *Manager) EndUserSessions(ctx context.Context, userID, exceptKey string) error {
	if userID == "" {
		return errors.New("session: EndUserSessions with an empty user ID")
	}
	return m.keyed.DeleteUser(ctx, userID, exceptKey)
}

func (m *Manager) now() time.Time { return m.opts.Now() }

type ctxKey struct{}

// IsContextKey reports whether key is the context key under which
// FromContext looks for a request's Session; a host that makes sessions
// itself (the anode.App) answers it with Manager.NewSession.
func IsContextKey(key any) bool {
	_, ok := key.(ctxKey)
	return ok
}

// FromRequest returns the session of r, or nil when no session manager
// serves the request. Nothing is loaded until a value is read or written.
func FromRequest(r *http.Request) *Session { return FromContext(r.Context()) }

// FromContext returns the session of the request whose context is ctx, or
// nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// NewSession makes the session of one request served without Middleware:
// ctx is the request's context (used for the store's I/O), r the request
// (whose cookie is read on first use) and w the writer the cookie is set
// on. The host answers IsContextKey keys with it and calls Commit before
// the response's headers go out.
func (m *Manager) NewSession(ctx context.Context, r *http.Request, w http.ResponseWriter) *Session {
	return &Session{m: m, ctx: ctx, r: r, w: w}
}

// Middleware makes sessions available to the handlers of a plain net/http
// server: the request's Session is made on first use and saved before the
// headers go out.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &lazyState{Context: r.Context(), m: m}
		st.w = commitwriter.Writer{ResponseWriter: w, C: st}
		st.r = r.WithContext(st)
		// ServeMux records the matched pattern on the request it is given,
		// our copy; outer layers read theirs.
		defer func() { r.Pattern = st.r.Pattern }()
		next.ServeHTTP(&st.w, st.r)
		st.Commit()
	})
}

// load reads the session on first use (s.mu held).
func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.values = map[string]any{}
	now := s.m.now()
	s.created, s.saved = now, now
	c, err := s.r.Cookie(s.m.opts.CookieName)
	if err != nil || c.Value == "" {
		return
	}
	s.hadCookie = true
	var e Entry
	if s.m.cookie != nil {
		e, err = s.m.cookie.decode(c.Value)
	} else if validKey(c.Value) {
		e, err = s.m.keyed.Load(s.ctx, c.Value)
	} else {
		err = ErrNotFound
	}
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.err = err
			s.m.opts.Logger.ErrorContext(s.ctx, "session: loading failed; starting an empty session", "error", err)
		}
		return
	}
	var p payload
	if json.Unmarshal(e.Data, &p) != nil {
		return
	}
	created, saved := time.Unix(0, p.Created), time.Unix(0, p.Saved)
	if !now.Before(e.Expiry) || !now.Before(created.Add(s.m.opts.AbsoluteTimeout)) || !now.Before(saved.Add(s.m.opts.IdleTimeout)) {
		if s.m.cookie == nil {
			s.stored = c.Value // expired: deleted when committed
		}
		return
	}
	for k, v := range p.Values {
		s.values[k] = v
	}
	s.userID, s.created, s.saved = p.UserID, created, saved
	if s.m.cookie != nil {
		s.key = p.Key
	} else {
		s.key, s.stored = c.Value, c.Value
	}
	// Push the idle expiry back once a tenth of it has passed, not on
	// every request: one write per session per IdleTimeout/10.
	s.touch = now.Sub(saved) > s.m.opts.IdleTimeout/10
}

// Commit saves the session if it was used and changed (or its idle expiry
// must move) and sets or clears its cookie. It runs once, before the
// response's headers are written; later calls do nothing, so changes made
// after the response started are lost (and logged).
func (s *Session) Commit() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		if s.modified {
			s.m.opts.Logger.WarnContext(s.ctx, "session: changed after the response started; the change is lost")
			s.modified = false
		}
		return
	}
	s.committed = true
	if !s.loaded {
		return // never touched: no store access, no cookie
	}
	m := s.m
	h := s.w.Header()
	vary.Add(h, "Cookie") // CSRF may have added it
	if len(s.values) == 0 && s.userID == "" {
		if s.stored != "" {
			if err := m.keyed.Delete(s.ctx, s.stored); err != nil {
				m.opts.Logger.ErrorContext(s.ctx, "session: deleting failed", "error", err)
			}
			s.stored = ""
		}
		if s.hadCookie {
			http.SetCookie(s.w, m.newCookie(s.r, "", time.Unix(0, 0), -1))
		}
		s.modified = false
		return
	}
	if !s.modified && !s.touch && s.key != "" && s.key == s.stored {
		return
	}
	if !s.modified && !s.touch && m.cookie != nil {
		return
	}
	if s.key == "" {
		s.key = NewKey()
	}
	now := m.now()
	expiry := now.Add(m.opts.IdleTimeout)
	if end := s.created.Add(m.opts.AbsoluteTimeout); end.Before(expiry) {
		expiry = end
	}
	data, err := s.encode(m.cookie != nil)
	if err != nil {
		m.opts.Logger.ErrorContext(s.ctx, "session: encoding failed", "error", err)
		return
	}
	e := Entry{Data: data, Expiry: expiry, UserID: s.userID}
	value := s.key
	if m.cookie != nil {
		if value, err = m.cookie.encode(e); err != nil {
			m.opts.Logger.ErrorContext(s.ctx, "session: not saved", "error", err)
			return
		}
	} else {
		if err := m.keyed.Save(s.ctx, s.key, e); err != nil {
			m.opts.Logger.ErrorContext(s.ctx, "session: saving failed", "error", err)
			return
		}
		if s.stored != "" && s.stored != s.key {
			if err := m.keyed.Delete(s.ctx, s.stored); err != nil {
				m.opts.Logger.ErrorContext(s.ctx, "session: deleting the old key failed", "error", err)
			}
		}
		s.stored = s.key
	}
	s.modified, s.touch = false, false
	http.SetCookie(s.w, m.newCookie(s.r, value, expiry, int(expiry.Sub(now)/time.Second)))
}

func (m *Manager) newCookie(r *http.Request, value string, expires time.Time, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: m.opts.CookieName, Value: value, Path: m.opts.CookiePath, Domain: m.opts.CookieDomain,
		Expires: expires, MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: m.opts.Secure || requestinfo.Secure(r),
	}
}
