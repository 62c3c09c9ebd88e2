package security

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/anode-go/anode/internal/commitwriter"
)

// Names the CSRF token travels under.
const (
	// CSRFFieldName is the form field {{.CSRFField}} renders and the check
	// reads from urlencoded and multipart bodies.
	CSRFFieldName = "csrf_token"
	// CSRFHeader is the request header the check reads first: what
	// JavaScript (fetch, htmx) sends.
	CSRFHeader = "X-CSRF-Token"
)

// CSRFOptions configure a CSRF. The zero value is valid: a cookie named
// csrftoken (__Host-csrftoken on HTTPS), no trusted origins.
type CSRFOptions struct {
	// TrustedOrigins are origins ("https://admin.example.com",
	// "http://localhost:3000") whose cross-origin requests pass the
	// Sec-Fetch-Site/Origin check. They still need a valid token.
	TrustedOrigins []string
	// UseSessions keeps the secret in the request's session (package
	// session) instead of a cookie of its own, as Django's
	// CSRF_USE_SESSIONS. Then a page that asks for a token writes the
	// session, also for anonymous visitors.
	UseSessions bool
	// CookieName is the cookie holding the secret. Default "csrftoken";
	// on HTTPS (or with Secure) it is prefixed "__Host-", so a sibling
	// subdomain cannot set it.
	CookieName string
	// Secure treats every request as HTTPS for the cookie (Secure flag,
	// __Host- prefix): set it behind a proxy that terminates TLS.
	Secure bool
	// CookieMaxAge is the cookie's lifetime. Default one year, as Django's,
	// so a form left open for days still posts.
	CookieMaxAge time.Duration
	// MaxFormBytes bounds how much of a urlencoded body the check reads to
	// find the token field, for bodies no other limit caps. Default 10 MiB.
	MaxFormBytes int64
	// Exempt, when it returns true, skips the checks for a request. Used
	// by Middleware only; inside an App routes are exempted with
	// Route.CSRFExempt.
	Exempt func(*http.Request) bool
	// Error answers a refused request (err is a *CSRFError, or an
	// *http.MaxBytesError for a body over the limit). Used by Middleware
	// only. Default: a plain-text 403 (413 for the body).
	Error func(w http.ResponseWriter, r *http.Request, err error)
}

// CSRF protects unsafe requests (every method but GET, HEAD, OPTIONS and
// TRACE) against cross-site request forgery, in two layers:
//
//  1. net/http's CrossOriginProtection: a request that the browser marks
//     as cross-origin (Sec-Fetch-Site), or whose Origin names another
//     host, is refused unless the origin is trusted.
//  2. A secret per browser, in a cookie (or the session), and a token made
//     from it that pages embed: the request must carry a token of the
//     current secret in the X-CSRF-Token header or the csrf_token field.
//
// Requests with an "Authorization: Bearer" header and no Cookie header
// skip both layers: a browser never adds such a header by itself, so the
// request cannot be forged, and API clients need no token.
//
// Build one with NewCSRF; it is safe for concurrent use.
type CSRF struct {
	opts CSRFOptions
	cop  *http.CrossOriginProtection
}

// NewCSRF returns a CSRF configured by o. A trusted origin that is not
// "scheme://host[:port]" is an error.
func NewCSRF(o CSRFOptions) (*CSRF, error) {
	if o.CookieName == "" {
		o.CookieName = "csrftoken"
	}
	o.CookieName = strings.TrimPrefix(o.CookieName, "__Host-")
	if o.CookieMaxAge <= 0 {
		o.CookieMaxAge = 365 * 24 * time.Hour
	}
	if o.MaxFormBytes <= 0 {
		o.MaxFormBytes = 10 << 20
	}
	c := &CSRF{opts: o, cop: http.NewCrossOriginProtection()}
	var errs []error
	for _, origin := range o.TrustedOrigins {
		if err := c.cop.AddTrustedOrigin(origin); err != nil {
			errs = append(errs, fmt.Errorf("security: trusted origin: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Safe reports whether method is one the CSRF checks let through: GET,
// HEAD, OPTIONS and TRACE, which must not change state.
func Safe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// bearerOnly reports whether r authenticates with a Bearer token and
// carries no cookie: nothing a browser sends on its own.
func bearerOnly(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	if len(a) < 7 || !strings.EqualFold(a[:7], "bearer ") {
		return false
	}
	return len(r.Header.Values("Cookie")) == 0
}

// Check runs the CSRF checks on r and returns nil when r may proceed, or
// a *CSRFError saying which check failed. Safe methods and Bearer-only
// requests pass at once. For a urlencoded or multipart body without the
// X-CSRF-Token header, Check reads the body up to the token field and puts
// what it read back in front of r.Body, so handlers still read the whole
// body; a body over its limit returns the *http.MaxBytesError.
//
// Inside an App the router calls Check for every route not marked
// CSRFExempt; Middleware calls it for plain net/http servers.
func (c *CSRF) Check(r *http.Request) error {
	if Safe(r.Method) || bearerOnly(r) {
		return nil
	}
	cr := r
	if h := Host(r); h != r.Host {
		// Behind a trusted proxy the browser's Origin names the host the
		// proxy was asked for (X-Forwarded-Host), not the one it dialled.
		cr = new(http.Request)
		*cr = *r
		cr.Host = h
	}
	if err := c.cop.Check(cr); err != nil {
		if r.Header.Get("Sec-Fetch-Site") != "" {
			return &CSRFError{Reason: CSRFCrossOrigin}
		}
		return &CSRFError{Reason: CSRFOriginUntrusted}
	}
	st := stateFrom(r.Context())
	if st == nil || st.c != c {
		st = c.NewState(r.Context(), r, nil)
	}
	secret := st.requestSecret()
	if secret == nil {
		return &CSRFError{Reason: CSRFSecretMissing}
	}
	token := r.Header.Get(CSRFHeader)
	if token == "" {
		var err error
		if token, err = c.formToken(r); err != nil {
			return err
		}
	}
	switch {
	case token == "":
		return &CSRFError{Reason: CSRFTokenMissing}
	case len(token) != tokenTextLen:
		return &CSRFError{Reason: CSRFTokenMalformed}
	}
	if _, ok := unmaskToken(token); !ok {
		return &CSRFError{Reason: CSRFTokenMalformed}
	}
	if !tokenMatches(token, secret) {
		return &CSRFError{Reason: CSRFTokenIncorrect}
	}
	return nil
}

// Middleware protects the handlers of a plain net/http server: it checks
// unsafe requests (see Check and CSRFOptions.Exempt), answers refused ones
// with CSRFOptions.Error, and makes Token and Rotate work in handlers,
// setting the cookie before the response's headers go out. An anode.App
// needs no middleware: it wires CSRF in itself.
func (c *CSRF) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &CSRFState{c: c, w: w}
		st.ctx = context.WithValue(r.Context(), ctxKey{}, st)
		r = r.WithContext(st.ctx)
		st.r = r
		cw := &commitwriter.Writer{ResponseWriter: w, C: st}
		if c.opts.Exempt == nil || !c.opts.Exempt(r) {
			if err := c.Check(r); err != nil {
				c.refuse(cw, r, err)
				st.Commit()
				return
			}
		}
		next.ServeHTTP(cw, r)
		st.Commit()
	})
}

func (c *CSRF) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if c.opts.Error != nil {
		c.opts.Error(w, r, err)
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
		return
	}
	var ce *CSRFError
	if errors.As(err, &ce) {
		http.Error(w, ce.PublicMessage(), http.StatusForbidden)
		return
	}
	http.Error(w, "Forbidden", http.StatusForbidden)
}

type ctxKey struct{}

// IsCSRFContextKey reports whether key is the context key under which
// Token and Rotate look for a request's CSRFState; a host that makes the
// state lazily (the anode.App) answers it with CSRF.NewState.
func IsCSRFContextKey(key any) bool {
	_, ok := key.(ctxKey)
	return ok
}

func stateFrom(ctx context.Context) *CSRFState {
	st, _ := ctx.Value(ctxKey{}).(*CSRFState)
	return st
}

// Token returns a CSRF token for r's browser, for a form field, a
// <meta> tag or the X-CSRF-Token header of a script's requests. Each call
// returns a different token (a fresh mask), and every one of them is valid
// until the secret rotates. The first call for a browser with no secret
// makes one, and its cookie is set with the response: call Token before
// the response starts. Token returns "" when no CSRF protection serves r
// (turned off, or outside an App and Middleware).
func Token(r *http.Request) string {
	if st := stateFrom(r.Context()); st != nil {
		return st.Token()
	}
	return ""
}

// TokenField returns the hidden form input carrying a token, as
// {{.CSRFField}} renders it, or "" when no CSRF protection serves r.
func TokenField(r *http.Request) template.HTML {
	t := Token(r)
	if t == "" {
		return ""
	}
	// A token is base64url: nothing in it needs escaping.
	return template.HTML(`<input type="hidden" name="` + CSRFFieldName + `" value="` + t + `">`)
}

// Rotate replaces r's browser's CSRF secret: tokens made before stop
// working. With the cookie, the new secret's cookie is set with the
// response; with UseSessions the secret is deleted from the session and a
// new one made when a token is next asked for. A browser that had no
// secret gets none.
// auth.Login and auth.Logout call it, so a token seen before a login
// (perhaps planted by an attacker) cannot be used after it. It does
// nothing when no CSRF protection serves r.
func Rotate(r *http.Request) {
	if st := stateFrom(r.Context()); st != nil {
		st.Rotate()
	}
}
