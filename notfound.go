package anode

import (
	"net/http"
	"slices"
	"strings"
)

// miss handles requests no route matched: 405 with an Allow header when the
// path exists for other methods, and 404 otherwise, both rendered by the App's
// error renderer. It runs only on misses, so the extra
// lookups it makes cost nothing on matched requests.
func (t *routeTable) miss(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range t.methods {
		if m != r.Method && t.matches(r, m, r.URL.Path) {
			allowed = append(allowed, m)
			if m == http.MethodGet {
				allowed = append(allowed, http.MethodHead)
			}
		}
	}
	if len(allowed) > 0 {
		slices.Sort(allowed)
		w.Header().Set("Allow", strings.Join(slices.Compact(allowed), ", "))
		RenderError(w, r, ErrMethodNotAllowed)
		return
	}
	RenderError(w, r, ErrNotFound)
}

// matches reports whether a route other than the catch-all serves method and path.
func (t *routeTable) matches(r *http.Request, method, path string) bool {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = path, ""
	r2.URL, r2.Method = &u, method
	_, pattern := t.mux.Handler(r2)
	return pattern != "" && pattern != "/"
}

// addSlashRedirects gives every route whose path ends in "/" an exact twin
// without the slash, implementing Django's APPEND_SLASH: GET and HEAD get a 301
// to the slashed URL (when enabled); other methods get 404, since a redirect
// would drop their body. Without the twins ServeMux would redirect every method
// with 307 on its own, with no way to turn it off.
func (t *routeTable) addSlashRedirects() {
	seen := map[string]bool{}
	for _, rt := range t.routes {
		if rt.subtree || !strings.HasSuffix(rt.Pattern, "/{$}") {
			continue
		}
		_, host, path := splitPattern(rt.Pattern)
		path = strings.TrimSuffix(path, "/{$}")
		if path == "" || seen[host+path] || t.patterns[host+path] {
			continue
		}
		seen[host+path] = true
		func() {
			defer func() { recover() }() // a user route overlaps it: the mux decides, as it would anyway
			t.mux.Handle(host+path, http.HandlerFunc(t.appendSlash))
		}()
	}
}

func (t *routeTable) appendSlash(w http.ResponseWriter, r *http.Request) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || t.app == nil || !*t.app.cfg.AppendSlash {
		RenderError(w, r, &Error{Status: http.StatusNotFound, Message: "Not Found. (The URL needs a trailing slash: " + r.URL.Path + "/)"})
		return
	}
	target := r.URL.EscapedPath() + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}
