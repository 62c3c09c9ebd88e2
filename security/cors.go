package security

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORSOptions configures CORS. Nothing is allowed that is not listed: the
// zero value allows no origin.
type CORSOptions struct {
	// AllowedOrigins are the origins allowed to read responses, exactly as
	// browsers send them: "https://app.example.com" (scheme, host, port
	// when not the default). "*" allows any origin, without credentials.
	AllowedOrigins []string
	// AllowOrigin, when set, decides origins not in AllowedOrigins (a
	// database of tenants' domains, say). It must be fast and must not
	// block: it runs on every cross-origin request.
	AllowOrigin func(origin string, r *http.Request) bool
	// AllowedMethods are the methods a preflight may ask for. Default GET,
	// HEAD and POST.
	AllowedMethods []string
	// AllowedHeaders are the request headers a preflight may ask for, beyond
	// the CORS-safelisted ones (matched without regard to case). Default
	// none; "Content-Type" is needed for JSON requests.
	AllowedHeaders []string
	// ExposedHeaders are the response headers scripts may read beyond the
	// safelisted ones (Access-Control-Expose-Headers).
	ExposedHeaders []string
	// AllowCredentials lets requests carry cookies and HTTP authentication
	// (Access-Control-Allow-Credentials: true). It cannot be combined with
	// "*": CORS panics, since that would let every site act as the user.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight answer
	// (Access-Control-Max-Age, whole seconds). Default 0: not sent, the
	// browser's default (5 seconds) applies.
	MaxAge time.Duration
}

// CORS returns middleware implementing Cross-Origin Resource Sharing for the
// handler it wraps. It is not on by default: install it with App.Use (or
// around a group's handler) for the paths an other origin may call.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered by CORS itself with 204: with the Access-Control-Allow-* headers
// when the origin, method and headers are allowed, without any when not
// (the browser then refuses the real request). Preflights never reach the
// wrapped handler, so install CORS outside the router (App.Use): a route
// registered for GET only would otherwise answer the OPTIONS with 405. An
// OPTIONS without Access-Control-Request-Method is not a preflight and goes
// to the handler as usual.
//
// An actual request from an allowed origin gets Access-Control-Allow-Origin
// (and -Credentials, -Expose-Headers); from any other origin it is served
// without them, so the browser hides the response from the calling script.
// CORS is not an access control on the server: a disallowed request still
// runs (CSRF protection is what stops cross-site writes). Responses carry
// Vary: Origin whenever the answer depends on the origin, and preflight
// answers also vary on the request method and headers, so caches keep them
// apart.
//
// Options that make no sense (credentials with "*") panic when CORS is
// called, at start-up.
func CORS(o CORSOptions) func(http.Handler) http.Handler {
	c := newCORS(o)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.serve(w, r, next)
		})
	}
}

type cors struct {
	o         CORSOptions
	any       bool
	origins   map[string]bool
	methods   []string
	headers   map[string]bool // lower-case
	allowMeth []string
	exposed   []string
	maxAge    []string
	credTrue  []string
	varies    bool // the answer depends on the Origin
}

func newCORS(o CORSOptions) *cors {
	c := &cors{o: o, origins: map[string]bool{}, headers: map[string]bool{}}
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			c.any = true
			continue
		}
		c.origins[strings.ToLower(strings.TrimSuffix(origin, "/"))] = true
	}
	if c.any && o.AllowCredentials {
		panic("security: CORS with AllowCredentials cannot allow every origin (\"*\"): list the origins")
	}
	c.methods = o.AllowedMethods
	if len(c.methods) == 0 {
		c.methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	c.allowMeth = []string{strings.Join(c.methods, ", ")}
	for _, h := range o.AllowedHeaders {
		c.headers[strings.ToLower(strings.TrimSpace(h))] = true
	}
	if len(o.ExposedHeaders) > 0 {
		c.exposed = []string{strings.Join(o.ExposedHeaders, ", ")}
	}
	if s := int64(o.MaxAge / time.Second); s > 0 {
		c.maxAge = []string{strconv.FormatInt(s, 10)}
	}
	c.credTrue = []string{"true"}
	c.varies = !c.any || o.AllowOrigin != nil
	return c
}

// allowed reports whether origin may read the response, and the value of
// Access-Control-Allow-Origin to send.
func (c *cors) allowed(origin string, r *http.Request) (string, bool) {
	if origin == "" {
		return "", false
	}
	if c.origins[strings.ToLower(origin)] || c.o.AllowOrigin != nil && c.o.AllowOrigin(origin, r) {
		return origin, true
	}
	if c.any {
		return "*", true
	}
	return "", false
}

func (c *cors) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	origin := r.Header.Get("Origin")
	h := w.Header()
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
		if allow, ok := c.allowed(origin, r); ok && c.preflightOK(r) {
			h["Access-Control-Allow-Origin"] = []string{allow}
			h["Access-Control-Allow-Methods"] = c.allowMeth
			if req := r.Header.Values("Access-Control-Request-Headers"); len(req) > 0 {
				h["Access-Control-Allow-Headers"] = []string{strings.Join(req, ", ")}
			}
			if c.o.AllowCredentials {
				h["Access-Control-Allow-Credentials"] = c.credTrue
			}
			if c.maxAge != nil {
				h["Access-Control-Max-Age"] = c.maxAge
			}
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if c.varies {
		h.Add("Vary", "Origin")
	}
	if allow, ok := c.allowed(origin, r); ok {
		h["Access-Control-Allow-Origin"] = []string{allow}
		if c.o.AllowCredentials {
			h["Access-Control-Allow-Credentials"] = c.credTrue
		}
		if c.exposed != nil {
			h["Access-Control-Expose-Headers"] = c.exposed
		}
	}
	next.ServeHTTP(w, r)
}

// preflightOK checks the requested method and headers against the lists.
func (c *cors) preflightOK(r *http.Request) bool {
	if !slices.Contains(c.methods, r.Header.Get("Access-Control-Request-Method")) {
		return false
	}
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "" && !c.headers[name] && !safelisted(name) {
				return false
			}
		}
	}
	return true
}

// safelisted reports whether a request header never needs permission. The
// Fetch standard safelists Accept, Accept-Language, Content-Language and
// Content-Type with simple values; browsers still list them in a preflight
// when the value is not simple, so Content-Type is not assumed here.
func safelisted(name string) bool {
	switch name {
	case "accept", "accept-language", "content-language":
		return true
	}
	return false
}
