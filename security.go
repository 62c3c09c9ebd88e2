package anode

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/security"
)

// securityState is the App's security configuration, built once by New.
type securityState struct {
	headers *security.HeaderSet // every response's security headers
	hosts   *security.Hosts     // ANODE_ALLOWED_HOSTS
}

// configureSecurity builds the header set and the host matcher from the
// Config; a bad value is a configuration error, and the secure defaults
// (every header, no host) stand in until it is fixed.
func (a *App) configureSecurity() {
	var err error
	if a.sec.headers, err = security.NewHeaderSet(a.cfg.SecurityHeaders); err != nil {
		v := "ANODE_CSP"
		if !strings.Contains(err.Error(), "Content-Security-Policy") {
			v = "Config.SecurityHeaders"
		}
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: v, Reason: err.Error()})
		a.sec.headers, _ = security.NewHeaderSet(security.HeaderPolicy{})
	}
	if a.sec.hosts, err = security.NewHosts(a.cfg.AllowedHosts...); err != nil {
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_ALLOWED_HOSTS", Reason: err.Error()})
		a.sec.hosts, _ = security.NewHosts()
	}
	if len(a.cfg.AllowedHosts) == 0 {
		a.cfg.warnings = append(a.cfg.warnings, "ANODE_ALLOWED_HOSTS is empty: every request is refused with 400 Bad Request (list the host names this app serves)")
	}
}

// Signer returns the signer for purpose, a fixed string naming what the
// values are for ("newsletter.unsubscribe"): values it signs verify only with
// a Signer for the same purpose. It signs with Config.SecretKey and accepts
// values signed with Config.SecretKeyFallbacks. Purposes are namespaced
// apart from the framework's own, so no purpose can forge a session or
// messages cookie.
func (a *App) Signer(purpose string) *security.Signer {
	return security.NewSigner(a.cfg.SecretKey, a.cfg.SecretKeyFallbacks, "anode.app."+purpose)
}

// signingKeys returns the key for purpose and the fallback keys derived
// from Config.SecretKeyFallbacks, for the stores that take raw keys.
func (a *App) signingKeys(purpose string) (key []byte, fallbacks [][]byte) {
	for _, f := range a.cfg.SecretKeyFallbacks {
		fallbacks = append(fallbacks, signing.DeriveKey(f, purpose))
	}
	return signing.DeriveKey(a.cfg.SecretKey, purpose), fallbacks
}

// forwardedProto reads X-Forwarded-Proto and X-Forwarded-Host, which the
// caller has established come from a trusted proxy. The last value wins: it
// is the one the nearest (trusted) proxy wrote, where earlier ones may come
// from the client.
func forwardedProto(r *http.Request, st *requestState) {
	if v := lastForwarded(r.Header["X-Forwarded-Proto"]); v != "" {
		st.secure = strings.EqualFold(v, "https")
	}
	if v := lastForwarded(r.Header["X-Forwarded-Host"]); v != "" {
		st.host = v
	}
}

func lastForwarded(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// Secure reports whether the request came over HTTPS (requestinfo.Info).
func (st *requestState) Secure() bool { return st.secure }

// Host returns the host the request was sent to (requestinfo.Info).
func (st *requestState) Host() string { return st.host }

// guard refuses a request for a host not in ANODE_ALLOWED_HOSTS (400) and
// redirects plain HTTP to HTTPS when ANODE_HTTPS_REDIRECT is on. It runs
// before App.Use and module middleware. The health endpoints are exempt
// from both: load balancers probe them by IP address, over plain HTTP, and
// they reveal nothing. It reports whether the request may go on.
func (a *App) guard(w http.ResponseWriter, r *http.Request, st *requestState) bool {
	if health := r.URL.Path == "/healthz" || r.URL.Path == "/readyz"; health {
		return true
	}
	if !a.sec.hosts.Allow(st.host) {
		a.errors.render(w, r, &Error{Status: http.StatusBadRequest, Cause: &badHostError{st.host}})
		return false
	}
	if a.cfg.HTTPSRedirect && !st.secure {
		host := st.host // allowed above; its port was for plain HTTP
		if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
			host = host[:i]
		}
		target := "https://" + host + r.URL.RequestURI()
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusPermanentRedirect // keep the method and body
		}
		w.Header().Set("Location", target)
		w.WriteHeader(code)
		return false
	}
	return true
}

// badHostError is the cause of a 400 for a host not allowed; the debug page
// and the log show it, the production page does not.
type badHostError struct{ host string }

func (e *badHostError) Error() string {
	return "anode: host " + strconv.Quote(e.host) + " is not in ANODE_ALLOWED_HOSTS"
}
