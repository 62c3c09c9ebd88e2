package security

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/anode-go/anode/internal/commitwriter"
)

// Off turns a header of a Policy off: HeaderPolicy{FrameOptions: security.Off}
// sends no X-Frame-Options. No header a HeaderPolicy sets accepts "off" as a
// value, so it cannot be confused with one.
const Off = "off"

// Default values of the security headers.
const (
	DefaultCSP                       = "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
	DefaultContentTypeOptions        = "nosniff"
	DefaultFrameOptions              = "DENY"
	DefaultReferrerPolicy            = "same-origin"
	DefaultCrossOriginOpenerPolicy   = "same-origin"
	DefaultCrossOriginResourcePolicy = "same-origin"
	DefaultPermissionsPolicy         = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"
	DefaultHSTS                      = "max-age=31536000; includeSubDomains"
)

// HeaderPolicy chooses the security headers of responses. Each field holds a
// header's value; an empty field means "inherit": the built-in default in
// the App's policy (Config.SecurityHeaders), the App's value in a route's
// (Headers). Off sends no header. The zero HeaderPolicy is the secure default.
type HeaderPolicy struct {
	// CSP is the Content-Security-Policy. Default DefaultCSP. When a
	// template or handler asks for a nonce (Nonce, {{.CSPNonce}}), the
	// response's policy gets 'nonce-…' in script-src and style-src (which
	// copy default-src's sources when absent). ANODE_CSP.
	CSP string
	// CSPReportOnly sends the CSP as Content-Security-Policy-Report-Only:
	// browsers report violations (to the report-uri/report-to of the
	// policy) without blocking, to try a policy out.
	CSPReportOnly bool
	// ContentTypeOptions is X-Content-Type-Options. Default "nosniff".
	ContentTypeOptions string
	// FrameOptions is X-Frame-Options. Default "DENY"; "SAMEORIGIN"
	// allows framing by the site itself (change CSP's frame-ancestors too).
	FrameOptions string
	// ReferrerPolicy is Referrer-Policy. Default "same-origin" (not
	// "no-referrer", which would remove the Referer that CSRF checks fall
	// back on).
	ReferrerPolicy string
	// CrossOriginOpenerPolicy is Cross-Origin-Opener-Policy. Default
	// "same-origin".
	CrossOriginOpenerPolicy string
	// CrossOriginResourcePolicy is Cross-Origin-Resource-Policy. Default
	// "same-origin"; "cross-origin" lets other sites embed the responses
	// (public images, an API's JSON with CORS).
	CrossOriginResourcePolicy string
	// PermissionsPolicy is Permissions-Policy. Default
	// DefaultPermissionsPolicy (camera, geolocation, microphone, payment
	// and USB off).
	PermissionsPolicy string
	// HSTS is Strict-Transport-Security, sent only on HTTPS requests.
	// Default DefaultHSTS (one year, subdomains included). ANODE_HSTS_SECONDS,
	// ANODE_HSTS_INCLUDE_SUBDOMAINS, ANODE_HSTS_PRELOAD.
	HSTS string
}

// merge returns p with its empty fields taken from base.
func (p HeaderPolicy) merge(base HeaderPolicy) HeaderPolicy {
	pick := func(v, b string) string {
		if v == "" {
			return b
		}
		return v
	}
	return HeaderPolicy{
		CSP:                       pick(p.CSP, base.CSP),
		CSPReportOnly:             p.CSPReportOnly || (p.CSP == "" && base.CSPReportOnly),
		ContentTypeOptions:        pick(p.ContentTypeOptions, base.ContentTypeOptions),
		FrameOptions:              pick(p.FrameOptions, base.FrameOptions),
		ReferrerPolicy:            pick(p.ReferrerPolicy, base.ReferrerPolicy),
		CrossOriginOpenerPolicy:   pick(p.CrossOriginOpenerPolicy, base.CrossOriginOpenerPolicy),
		CrossOriginResourcePolicy: pick(p.CrossOriginResourcePolicy, base.CrossOriginResourcePolicy),
		PermissionsPolicy:         pick(p.PermissionsPolicy, base.PermissionsPolicy),
		HSTS:                      pick(p.HSTS, base.HSTS),
	}
}

// defaults is the built-in policy every other one inherits from.
var defaults = HeaderPolicy{
	CSP:                       DefaultCSP,
	ContentTypeOptions:        DefaultContentTypeOptions,
	FrameOptions:              DefaultFrameOptions,
	ReferrerPolicy:            DefaultReferrerPolicy,
	CrossOriginOpenerPolicy:   DefaultCrossOriginOpenerPolicy,
	CrossOriginResourcePolicy: DefaultCrossOriginResourcePolicy,
	PermissionsPolicy:         DefaultPermissionsPolicy,
	HSTS:                      DefaultHSTS,
}

// Canonical header names, the keys written straight into header maps.
const (
	hCSP           = "Content-Security-Policy"
	hCSPReportOnly = "Content-Security-Policy-Report-Only"
	hHSTS          = "Strict-Transport-Security"
)

type header struct {
	key   string
	value []string // built once; shared by every response, never mutated
}

// HeaderSet is a HeaderPolicy with every header value built once, ready to be
// assigned to responses without allocating. Build one with NewHeaderSet. A
// HeaderSet is immutable and safe for concurrent use.
type HeaderSet struct {
	policy  HeaderPolicy
	fixed   []header
	csp     []string // nil when the CSP is off
	cspKey  string
	cspTmpl string   // the CSP with nonceMark where a nonce goes; "" when none can
	hsts    []string // nil when off
}

// NewHeaderSet builds the headers of p (empty fields take the built-in
// defaults). A value with control characters, or a CSP directive that is not
// "name value…", is an error.
func NewHeaderSet(p HeaderPolicy) (*HeaderSet, error) {
	p = p.merge(defaults)
	s := &HeaderSet{policy: p}
	add := func(key, v string) error {
		if v == Off {
			return nil
		}
		if err := checkValue(key, v); err != nil {
			return err
		}
		s.fixed = append(s.fixed, header{key, []string{v}[:1:1]})
		return nil
	}
	for _, h := range [...]struct{ k, v string }{
		{"X-Content-Type-Options", p.ContentTypeOptions},
		{"X-Frame-Options", p.FrameOptions},
		{"Referrer-Policy", p.ReferrerPolicy},
		{"Cross-Origin-Opener-Policy", p.CrossOriginOpenerPolicy},
		{"Cross-Origin-Resource-Policy", p.CrossOriginResourcePolicy},
		{"Permissions-Policy", p.PermissionsPolicy},
	} {
		if err := add(h.k, h.v); err != nil {
			return nil, err
		}
	}
	if p.HSTS != Off {
		if err := checkValue(hHSTS, p.HSTS); err != nil {
			return nil, err
		}
		s.hsts = []string{p.HSTS}[:1:1]
	}
	if p.CSP != Off {
		csp, tmpl, err := compileCSP(p.CSP)
		if err != nil {
			return nil, err
		}
		s.csp, s.cspTmpl = []string{csp}[:1:1], tmpl
		s.cspKey = hCSP
		if p.CSPReportOnly {
			s.cspKey = hCSPReportOnly
		}
	}
	return s, nil
}

// Policy returns the policy the set was built from, with defaults filled in.
func (s *HeaderSet) Policy() HeaderPolicy { return s.policy }

func checkValue(key, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("security: %s: empty value (use security.Off to send no header)", key)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("security: %s: control character in %q", key, v)
		}
	}
	return nil
}

// write assigns the set's headers to h; HSTS only when secure.
func (s *HeaderSet) write(h http.Header, secure bool) {
	for _, f := range s.fixed {
		h[f.key] = f.value
	}
	if s.csp != nil {
		h[s.cspKey] = s.csp
	}
	if secure && s.hsts != nil {
		h[hHSTS] = s.hsts
	}
}

// clear removes the set's headers from h.
func (s *HeaderSet) clear(h http.Header) {
	for _, f := range s.fixed {
		delete(h, f.key)
	}
	if s.csp != nil {
		delete(h, s.cspKey)
	}
	delete(h, hHSTS)
}

// State is the security-header state of one response: the HeaderSet in
// force, whether the request is HTTPS, and the CSP nonce once something
// asked for it. A server keeps one per request (the App embeds one in its
// request state and answers IsHeaderStateKey with it); applications use Headers
// and Nonce instead. A State must not be copied after Start.
type State struct {
	set    *HeaderSet
	h      http.Header
	secure bool
	nonce  atomic.Pointer[string]
}

// Start assigns set's headers to h, the response's header map, and
// remembers them for Commit. It allocates nothing.
func (s *State) Start(h http.Header, set *HeaderSet, secure bool) {
	s.set, s.h, s.secure = set, h, secure
	s.nonce.Store(nil)
	if set != nil {
		set.write(h, secure)
	}
}

// use replaces the headers of the set in force by those of set in h, the
// header map the handler writes to (a timeout's buffer is a copy of the
// response's).
func (s *State) use(set *HeaderSet, h http.Header) {
	if s.set == set {
		return
	}
	if s.set != nil {
		s.set.clear(h)
	}
	s.set = set
	set.write(h, s.secure)
}

// Nonce returns the response's CSP nonce, made on first use (16 random
// bytes, base64url), and makes Commit add it to the CSP.
func (s *State) Nonce() string {
	if p := s.nonce.Load(); p != nil {
		return *p
	}
	n := newNonce()
	if s.nonce.CompareAndSwap(nil, &n) {
		return n
	}
	return *s.nonce.Load()
}

// Commit adds the nonce, if one was made, to the response's CSP. Call it
// just before the headers go out; it does nothing when no nonce was asked
// for or when the handler replaced the CSP header with its own.
func (s *State) Commit() {
	p := s.nonce.Load()
	if p == nil || s.set == nil || s.set.csp == nil || s.set.cspTmpl == "" {
		return
	}
	// Compared by value, not slice identity: a timeout's buffered headers
	// reach the response as copies.
	v := s.h[s.set.cspKey]
	if len(v) != 1 || v[0] != s.set.csp[0] {
		return // replaced by the handler, or already committed
	}
	s.h[s.set.cspKey] = []string{withNonce(s.set.cspTmpl, *p)}
}

type headerStateKey struct{}

// IsHeaderStateKey reports whether key is the context key under which Headers
// and Nonce look for a request's *State; a server's context answers it.
func IsHeaderStateKey(key any) bool {
	_, ok := key.(headerStateKey)
	return ok
}

func headerStateFrom(ctx context.Context) *State {
	s, _ := ctx.Value(headerStateKey{}).(*State)
	return s
}

// Nonce returns the CSP nonce of the response to r, for an inline
// <script nonce="…"> or <style nonce="…">; templates read it as
// {{.CSPNonce}}. The first call makes it and adds 'nonce-…' to the
// response's Content-Security-Policy; a response that never asks gets the
// policy without one. Outside an App or the Headers middleware it returns
// "".
func Nonce(r *http.Request) string {
	if s := headerStateFrom(r.Context()); s != nil {
		return s.Nonce()
	}
	return ""
}

// Headers returns middleware that sends p's security headers instead of the
// App's, for the routes it wraps:
//
//	r.With(security.Headers(security.HeaderPolicy{FrameOptions: "SAMEORIGIN",
//		CSP: "default-src 'self'; frame-ancestors 'self'"})).Get("/embed/", embed)
//
// Empty fields of p keep the App's values (Config.SecurityHeaders); Off
// removes a header. Outside an App (plain net/http), the empty fields take
// the built-in defaults and the middleware does the whole job: it sets the
// headers, HSTS on HTTPS (r.TLS) and the nonce. An invalid p panics when
// Headers is called: it is a programming error found at start-up.
func Headers(p HeaderPolicy) func(http.Handler) http.Handler {
	own, err := NewHeaderSet(p)
	if err != nil {
		panic(err.Error())
	}
	type pair struct{ base, merged *HeaderSet }
	var cache atomic.Pointer[pair]
	mergedFor := func(base *HeaderSet) *HeaderSet {
		if base == nil {
			return own
		}
		if c := cache.Load(); c != nil && c.base == base {
			return c.merged
		}
		m, err := NewHeaderSet(p.merge(base.policy))
		if err != nil { // p and base are each valid, so the merge is
			m = own
		}
		cache.Store(&pair{base, m})
		return m
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s := headerStateFrom(r.Context()); s != nil {
				s.use(mergedFor(s.set), w.Header())
				next.ServeHTTP(w, r)
				return
			}
			s := &State{}
			s.Start(w.Header(), own, r.TLS != nil)
			r = r.WithContext(context.WithValue(r.Context(), headerStateKey{}, s))
			cw := &commitwriter.Writer{ResponseWriter: w, C: s}
			next.ServeHTTP(cw, r)
			s.Commit()
		})
	}
}
