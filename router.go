package anode

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Middleware wraps an http.Handler. Any func(http.Handler) http.Handler works
// unchanged.
type Middleware = func(http.Handler) http.Handler

// Router registers routes on an http.ServeMux. Patterns are ServeMux patterns
// ("GET /polls/{id}/") with two Django-like rules on top: a path ending in "/"
// matches exactly (as if it ended in "{$}"; use Mount or a "{rest...}" wildcard
// for a subtree), and routes can be named and reversed with App.URL.
//
// A Router from Group or With shares the route table and adds a path prefix
// and/or middleware that wrap only its own routes. Routers are configured at
// start-up and are not safe for concurrent registration; serving is concurrent.
type Router struct {
	mux    *http.ServeMux // table.mux, one indirection closer for ServeHTTP
	table  *routeTable
	prefix string
	mws    []Middleware
	used   bool // a route was registered: Use would no longer apply to all
}

// routeTable is shared by a root Router and all its groups.
type routeTable struct {
	mux      *http.ServeMux
	app      *App
	routes   []*Route
	byName   map[string]*Route
	patterns map[string]bool
	methods  []string // every method some route names, for 405 detection
}

// NewRouter returns an empty Router with its own ServeMux. An App has one
// already (App.Router); NewRouter is for using the router on its own.
func NewRouter() *Router {
	t := &routeTable{mux: http.NewServeMux(), byName: map[string]*Route{}, patterns: map[string]bool{}}
	return &Router{mux: t.mux, table: t}
}

// ServeHTTP dispatches to the matching route. Requests no route matches go to
// the not-found handling App installs (APPEND_SLASH, 405, 404).
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mux.ServeHTTP(w, req)
}

// Use adds middleware that wraps every route registered on r afterwards and on
// groups made from r afterwards. Calling Use after r has routes panics: the
// middleware would silently skip them.
func (r *Router) Use(mw ...Middleware) {
	if r.used {
		panic(fmt.Sprintf("anode: Router.Use called at %s after routes were registered on this router; call Use first", callSite()))
	}
	r.mws = append(r.mws, mw...)
}

// Group returns a Router for routes under prefix (e.g. "/polls") with r's
// middleware, then calls fn with it when fn is not nil.
func (r *Router) Group(prefix string, fn func(*Router)) *Router {
	g := &Router{mux: r.mux, table: r.table, prefix: r.prefix + strings.TrimSuffix(prefix, "/"), mws: slices.Clip(r.mws)}
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		panic(fmt.Sprintf("anode: Group prefix %q at %s must start with /", prefix, callSite()))
	}
	if fn != nil {
		fn(g)
	}
	return g
}

// With returns a Router with the same prefix and extra middleware, for one or a
// few routes: r.With(auth).Get("/me/", me).
func (r *Router) With(mw ...Middleware) *Router {
	return &Router{mux: r.mux, table: r.table, prefix: r.prefix, mws: append(slices.Clip(r.mws), mw...)}
}

// Handle registers h for pattern ("[METHOD ][HOST]/path").
func (r *Router) Handle(pattern string, h http.Handler) *Route {
	return r.register(pattern, h, h, false)
}

// HandleFunc registers an error-returning handler for pattern.
func (r *Router) HandleFunc(pattern string, f HandlerFunc) *Route {
	return r.register(pattern, f, f, false)
}

// Get registers f for GET (and HEAD) requests to path.
func (r *Router) Get(path string, f HandlerFunc) *Route { return r.HandleFunc("GET "+path, f) }

// Post registers f for POST requests to path.
func (r *Router) Post(path string, f HandlerFunc) *Route { return r.HandleFunc("POST "+path, f) }

// Put registers f for PUT requests to path.
func (r *Router) Put(path string, f HandlerFunc) *Route { return r.HandleFunc("PUT "+path, f) }

// Patch registers f for PATCH requests to path.
func (r *Router) Patch(path string, f HandlerFunc) *Route { return r.HandleFunc("PATCH "+path, f) }

// Delete registers f for DELETE requests to path.
func (r *Router) Delete(path string, f HandlerFunc) *Route { return r.HandleFunc("DELETE "+path, f) }

// Mount serves every path under prefix with h, which sees the path with the
// prefix removed (like http.StripPrefix). Any method is passed to h.
func (r *Router) Mount(prefix string, h http.Handler) *Route {
	prefix = "/" + strings.Trim(prefix, "/")
	full := r.prefix + prefix
	return r.register(prefix+"/", http.StripPrefix(full, h), h, true)
}

func (r *Router) register(pattern string, h http.Handler, orig any, subtree bool) *Route {
	site := callSite()
	method, host, path := splitPattern(pattern)
	if !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("anode: route pattern %q at %s: path must start with /", pattern, site))
	}
	path = r.prefix + path
	if strings.HasSuffix(path, "/") && !subtree {
		path += "{$}"
	}
	full := host + path
	if method != "" {
		full = method + " " + full
	}
	rt := &Route{Method: method, Pattern: full, table: r.table, site: site, handlerName: handlerName(orig), subtree: subtree}
	segs, err := parseSegments(path)
	if err != nil {
		panic(fmt.Sprintf("anode: route pattern %q at %s: %v", pattern, site, err))
	}
	rt.segments = segs
	for i := len(r.mws) - 1; i >= 0; i-- {
		h = r.mws[i](h)
	}
	rt.handler = h
	if f, ok := h.(HandlerFunc); ok {
		rt.fn = f // no middleware: call it directly, sparing an indirect call per request
	}
	func() {
		defer func() {
			if rec := recover(); rec != nil {
				msg := fmt.Sprint(rec)
				for _, other := range r.table.routes {
					if strings.Contains(msg, `"`+other.Pattern+`"`) {
						msg += fmt.Sprintf("\n(%q was registered at %s)", other.Pattern, other.site)
					}
				}
				panic(fmt.Sprintf("anode: route %q registered at %s: %s", full, site, msg))
			}
		}()
		r.table.mux.Handle(full, rt)
	}()
	r.used = true
	r.table.routes = append(r.table.routes, rt)
	r.table.patterns[full] = true
	if method != "" && !slices.Contains(r.table.methods, method) {
		r.table.methods = append(r.table.methods, method)
	}
	return rt
}

// splitPattern splits "[METHOD ][HOST]/path" into its parts.
func splitPattern(p string) (method, host, path string) {
	p = strings.TrimSpace(p)
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		method, p = p[:i], strings.TrimLeft(p[i:], " \t")
	}
	if i := strings.IndexByte(p, '/'); i > 0 {
		host, p = p[:i], p[i:]
	}
	return method, host, p
}

// Route is one registered route. Its methods configure it at start-up and
// return it for chaining: r.Get("/polls/{id}/", detail).Name("poll-detail").
type Route struct {
	// Method is the HTTP method of the pattern ("" for any).
	Method string
	// Pattern is the full ServeMux pattern as registered, prefix included.
	Pattern string

	name        string
	handler     http.Handler
	fn          HandlerFunc // handler, when it is a bare HandlerFunc
	table       *routeTable
	site        string
	handlerName string
	segments    []segment
	maxBody     int64 // 0: the App's default; <0: unlimited
	timeout     time.Duration
	stream      bool
	subtree     bool // Mount: serves every path under the prefix
	public      bool
	csrfExempt  bool
}

// Name names the route for reversing with App.URL. Names are unique per App:
// a second route with the same name panics, naming both registration sites.
func (rt *Route) Name(name string) *Route {
	if prev, ok := rt.table.byName[name]; ok {
		panic(fmt.Sprintf("anode: route name %q at %s is already used by %q at %s", name, callSite(), prev.Pattern, prev.site))
	}
	rt.name = name
	rt.table.byName[name] = rt
	return rt
}

// MaxBody sets the largest request body this route accepts, overriding the
// App's MaxBodyBytes; n < 0 means unlimited (for handlers that stream uploads
// to storage themselves).
func (rt *Route) MaxBody(n int64) *Route {
	if n == 0 {
		n = -1
	}
	rt.maxBody = n
	return rt
}

// Timeout bounds the route's handler: its context is cancelled after d, and if
// it has not started a response by then the client gets 503.
func (rt *Route) Timeout(d time.Duration) *Route {
	rt.timeout = d
	return rt
}

// Stream marks a long-lived streaming route (SSE, WebSockets, large downloads):
// the server's WriteTimeout and ReadTimeout do not apply to it. (Compression
// already steps aside for event streams and for responses flushed early.)
func (rt *Route) Stream() *Route {
	rt.stream = true
	return rt
}

// Public marks the route as open to visitors who are not signed in when an
// authentication module requires login by default (auth's
// ANODE_LOGIN_REQUIRED, like Django's login_not_required). Without such a
// module it changes nothing. The static files, /healthz and /readyz routes
// are public.
func (rt *Route) Public() *Route {
	rt.public = true
	return rt
}

// IsPublic reports whether the route was marked Public.
func (rt *Route) IsPublic() bool { return rt.public }

// ServeHTTP applies the route's body limit, timeout and streaming settings and
// calls its handler.
func (rt *Route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt.stream {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Time{})
		rc.SetReadDeadline(time.Time{})
	}
	if r.Body != nil && r.Body != http.NoBody {
		limit := rt.maxBody
		if limit == 0 && rt.table.app != nil {
			limit = rt.table.app.cfg.MaxBodyBytes
		}
		if limit > 0 {
			if r.ContentLength > limit {
				RenderError(w, r, &http.MaxBytesError{Limit: limit})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
	}
	if !rt.checkCSRF(w, r) {
		return
	}
	switch {
	case rt.timeout > 0:
		serveWithTimeout(rt.handler, w, r, rt.timeout)
	case rt.fn != nil:
		if err := rt.fn(w, r); err != nil {
			RenderError(w, r, err)
		}
	default:
		rt.handler.ServeHTTP(w, r)
	}
}

// callSite returns file:line of the first caller outside this package.
func callSite() string {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/anode-go/anode.") {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
	}
}

func handlerName(h any) string {
	v := reflect.ValueOf(h)
	if v.Kind() == reflect.Func {
		if f := runtime.FuncForPC(v.Pointer()); f != nil {
			return strings.TrimSuffix(f.Name(), "-fm")
		}
	}
	return fmt.Sprintf("%T", h)
}
