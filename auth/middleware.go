package auth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/anode-go/anode"
)

// RequireLogin lets signed-in users through to next and redirects anonymous
// visitors (302) to the login URL (ANODE_LOGIN_URL) with the requested path
// in ?next=, as Django's login_required. A database error loading the user
// is rendered as a 500. Outside the auth module's middleware every visitor
// is anonymous.
func RequireLogin(next http.Handler) http.Handler {
	return anode.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		u, err := current(r.Context())
		if err != nil {
			return err
		}
		if u == nil {
			redirectToLogin(w, r)
			return nil
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// RequirePerm returns middleware that lets through users holding every one
// of perms (see User.HasPerms), redirects anonymous visitors to the login
// URL as RequireLogin does, and answers signed-in users without them with
// 403 Forbidden.
func RequirePerm(perms ...string) anode.Middleware {
	return func(next http.Handler) http.Handler {
		return anode.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			u, err := current(r.Context())
			if err != nil {
				return err
			}
			if u == nil {
				redirectToLogin(w, r)
				return nil
			}
			h := holderFrom(r.Context())
			ok, err := u.HasPerms(r.Context(), h.c.app.DB(), perms...)
			if err != nil {
				return err
			}
			if !ok {
				return anode.NewError(http.StatusForbidden, "You do not have permission to see this page.", nil)
			}
			next.ServeHTTP(w, r)
			return nil
		})
	}
}

// public reports whether r may be served to an anonymous visitor when
// login is required by default: its route is marked Public, or it is for
// the login URL itself (a login view the app registered without marking it
// would otherwise redirect to itself forever). Unmatched requests are not
// public: an anonymous visitor is sent to log in rather than told which
// paths exist.
func (c *config) public(r *http.Request) bool {
	if c.app == nil {
		return false
	}
	rt := c.app.RouteFor(r)
	if rt != nil && rt.IsPublic() {
		return true
	}
	if rt == nil && slashTwin(c.app, r) {
		// APPEND_SLASH: the router answers /x with a redirect to /x/, and
		// /x/ is checked when it is requested, as with Django's
		// CommonMiddleware running before LoginRequiredMiddleware.
		// Otherwise /accounts/login would send a visitor to log in at
		// /accounts/login/?next=/accounts/login.
		return true
	}
	login := c.loginURL
	if i := strings.IndexAny(login, "?#"); i >= 0 {
		login = login[:i]
	}
	return r.URL.Path == login && login != ""
}

// slashTwin reports whether r is a GET or HEAD for a path without a
// trailing slash that the router will redirect to a route ending in one.
func slashTwin(app *anode.App, r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || strings.HasSuffix(r.URL.Path, "/") || !appendSlash(app) {
		return false
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path += "/"
	u.RawPath = ""
	r2.URL = &u
	return app.RouteFor(r2) != nil
}

// redirectToLogin sends the visitor to the login URL, asking it to come
// back to the requested path.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	login := "/accounts/login/"
	if h := holderFrom(r.Context()); h != nil && h.c.loginURL != "" {
		login = h.c.loginURL
	}
	sep := "?"
	if strings.Contains(login, "?") {
		sep = "&"
	}
	http.Redirect(w, r, login+sep+"next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
}

// SafeRedirect reports whether next may be followed after a login or
// logout without making the site an open redirect: a path on this site
// ("/polls/?page=2"), or an absolute http(s) URL whose host is the
// request's own or one of allowedHosts (compared exactly, or a leading "."
// matching the domain and its subdomains; "*" is never trusted). An
// https request accepts https targets only. Scheme-relative
// ("//evil.example"), backslash, control-character and userinfo tricks are
// refused.
func SafeRedirect(r *http.Request, next string, allowedHosts []string) bool {
	if next == "" || strings.ContainsAny(next, "\\") {
		return false
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Opaque != "" || u.User != nil {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		// A path: it must be absolute and not scheme-relative.
		return strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if r.TLS != nil {
			return false
		}
	default:
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return false
	}
	return u.Host == r.Host || hostAllowed(host, allowedHosts)
}

// hostAllowed reports whether host (lower case, no port) is one of
// allowedHosts: equal to one, or under one that starts with "."; "*"
// matches nothing.
func hostAllowed(host string, allowedHosts []string) bool {
	if host == "" {
		return false
	}
	for _, a := range allowedHosts {
		a = strings.ToLower(a)
		switch {
		case a == "*" || a == "":
		case strings.HasPrefix(a, "."):
			if host == a[1:] || strings.HasSuffix(host, a) {
				return true
			}
		case host == a:
			return true
		}
	}
	return false
}

// hostname is hostport without its port, lower case.
func hostname(hostport string) string {
	u := url.URL{Host: hostport}
	return strings.ToLower(u.Hostname())
}

func appendSlash(app *anode.App) bool {
	on := app.Config().AppendSlash
	return on == nil || *on
}
