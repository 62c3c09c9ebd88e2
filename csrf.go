package anode

import (
	"context"
	"net/http"

	"github.com/anode-go/anode/security"
)

// csrfConfig is the CSRF configuration beyond Config's fields
// (ANODE_CSRF_*), read by New.
type csrfConfig struct {
	useSessions, secure bool
}

// configureCSRF reads the ANODE_CSRF_* settings and builds the App's CSRF
// protection (docs/csrf.md), unless Config.CSRF turned it off. A bad
// trusted origin is a configuration error naming the variable.
func (a *App) configureCSRF() {
	c := &a.csrfCfg
	for _, s := range []Setting{
		Var(&c.useSessions, "ANODE_CSRF_USE_SESSIONS", false, "keep the CSRF secret in the session instead of its own cookie (a page with a form then writes the session of anonymous visitors too)"),
		Var(&c.secure, "ANODE_CSRF_COOKIE_SECURE", false, "mark the CSRF cookie Secure and __Host- on every response (it is on HTTPS requests regardless); set it behind a TLS-terminating proxy"),
	} {
		if err := s.apply(&a.cfg); err != nil {
			a.cfg.errs = append(a.cfg.errs, err)
		}
	}
	a.AddCheck(checkCSRF)
	if !*a.cfg.CSRF {
		return
	}
	csrf, err := security.NewCSRF(security.CSRFOptions{
		TrustedOrigins: a.cfg.CSRFTrustedOrigins,
		UseSessions:    c.useSessions,
		Secure:         c.secure,
		MaxFormBytes:   a.cfg.MaxBodyBytes,
	})
	if err != nil {
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_CSRF_TRUSTED_ORIGINS", Reason: err.Error() + " (want scheme://host[:port])"})
		return
	}
	a.csrf = csrf
}

// CSRFExempt turns the CSRF checks off for this route, like Django's
// csrf_exempt: for webhooks and other endpoints that browsers do not
// call and that authenticate requests themselves (a signature header).
// An exempt route must not rely on cookies to authenticate.
func (rt *Route) CSRFExempt() *Route {
	rt.csrfExempt = true
	return rt
}

// IsCSRFExempt reports whether the route was marked CSRFExempt.
func (rt *Route) IsCSRFExempt() bool { return rt.csrfExempt }

// checkCSRF runs the route's CSRF checks on an unsafe request; a refused
// request is answered through the error renderer and false returned.
func (rt *Route) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	if rt.csrfExempt || security.Safe(r.Method) {
		return true
	}
	a := FromContext(r.Context())
	if a == nil || a.csrf == nil {
		return true
	}
	if err := a.csrf.Check(r); err != nil {
		RenderError(w, r, err)
		return false
	}
	return true
}

// csrfState returns the request's CSRF state, making it on first use; the
// response writer commits it before the headers go out. Nil when CSRF
// protection is off.
func (st *requestState) csrfState() *security.CSRFState {
	if c := st.csrf.Load(); c != nil {
		return c
	}
	if st.app.csrf == nil {
		return nil
	}
	c := st.app.csrf.NewState(st, st.req, &st.rw)
	if st.csrf.CompareAndSwap(nil, c) {
		return c
	}
	return st.csrf.Load()
}

// checkCSRF reports CSRF protection turned off, and, for check --deploy, a
// CSRF cookie that may travel over plain HTTP.
func checkCSRF(_ context.Context, a *App, deploy bool) []Finding {
	if a.csrf == nil {
		if !deploy {
			return nil
		}
		return []Finding{{ID: "anode.W030", Level: CheckWarning,
			Message: "CSRF protection is off (ANODE_CSRF=false)",
			Hint:    "turn it back on and exempt the few routes that need it with Route.CSRFExempt; browsers' cookies make every form and unsafe endpoint forgeable from other sites"}}
	}
	if deploy && !a.csrfCfg.useSessions && !a.csrfCfg.secure && a.cfg.TLSCertFile == "" {
		return []Finding{{ID: "anode.W031", Level: CheckWarning,
			Message: "the CSRF cookie is sent without Secure on plain-HTTP requests (ANODE_CSRF_COOKIE_SECURE is false)",
			Hint:    "behind a TLS-terminating proxy, set ANODE_CSRF_COOKIE_SECURE=true (the cookie then also gets the __Host- prefix)"}}
	}
	return nil
}
