package render

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"sync"
)

// Names of the per-request values [Page] has methods for. Register a
// processor under one of them in [Options.Vars] to fill the method's value.
const (
	VarUser      = "user"       // .User: the signed-in user, nil when none (auth)
	VarMessages  = "messages"   // .Messages: flash messages to show (messages)
	VarCSRFToken = "csrf_token" // .CSRFToken: a string (security)
	VarCSRFField = "csrf_field" // .CSRFField: a template.HTML hidden input (security)
	VarCSPNonce  = "csp_nonce"  // .CSPNonce: a string (security)
)

// Page is the dot of every template: the handler's data, the request, and
// the per-request values of the context processors, each computed on first
// use and at most once per render.
//
// Why the handler's data is .Data and not the dot itself: Go templates look
// a name up on one value, so putting the handler's fields and the
// framework's values side by side would mean copying both into a map on
// every render, losing the handler's types and methods, and letting a
// handler's "User" field silently hide the signed-in user. With .Data the
// handler's struct reaches the template as it is, and the framework's
// names are fixed and documented. {{with .Data}} makes the handler's data
// the dot for a whole block.
//
// A Page lives for one render; templates must not keep it.
type Page struct {
	// Data is the value the handler passed to Render.
	Data any
	// Request is the request being answered; nil outside one (e-mails).
	Request *http.Request

	vars   *vars
	tmpl   *template.Template // the page's set, for Cache
	frags  FragmentCache
	done   uint64 // bit i: value i computed
	values []any
}

// vars holds the context processors under fixed indexes, so a Page caches
// their values in a slice.
type vars struct {
	names []string
	index map[string]int
	funcs []func(*http.Request) any
}

func newVars(m map[string]func(*http.Request) any) *vars {
	v := &vars{index: map[string]int{}}
	for name := range m {
		v.names = append(v.names, name)
	}
	sort.Strings(v.names)
	for i, name := range v.names {
		v.index[name] = i
		v.funcs = append(v.funcs, m[name])
	}
	return v
}

var pagePool = sync.Pool{New: func() any { return new(Page) }}

func (p *Page) reset() {
	clear(p.values)
	*p = Page{values: p.values[:0]}
}

// Var returns the value of the context processor registered as name, for
// {{.Var "site_name"}}. A name no processor has is an error, which fails
// the render; the names of the methods below return nil instead, so that
// templates can use them before the packages filling them are installed.
func (p *Page) Var(name string) (any, error) {
	v, ok, err := p.lookup(name)
	if err == nil && !ok {
		err = fmt.Errorf("render: no context processor %q (registered: %v)", name, p.vars.names)
	}
	return v, err
}

// lookup computes or returns the cached value of name; ok is false when no
// processor has that name.
func (p *Page) lookup(name string) (v any, ok bool, err error) {
	if p.vars == nil {
		return nil, false, nil
	}
	i, ok := p.vars.index[name]
	if !ok {
		return nil, false, nil
	}
	if i >= 64 {
		// Past the cache's bitmap: computed on every use.
		return p.call(i), true, nil
	}
	if p.done&(1<<i) == 0 {
		if len(p.values) < len(p.vars.funcs) {
			p.values = slices.Grow(p.values[:0], len(p.vars.funcs))[:len(p.vars.funcs)]
		}
		p.values[i] = p.call(i)
		p.done |= 1 << i
	}
	return p.values[i], true, nil
}

func (p *Page) call(i int) any {
	if p.Request == nil {
		return nil
	}
	return p.vars.funcs[i](p.Request)
}

// Path returns the request's URL path ("" without a request).
func (p *Page) Path() string {
	if p.Request == nil {
		return ""
	}
	return p.Request.URL.Path
}

// User returns the current user from the VarUser processor, or nil.
func (p *Page) User() any {
	v, _, _ := p.lookup(VarUser)
	return v
}

// Messages returns the messages to show from the VarMessages processor, or
// nil. The messages package marks them as shown only when a template asks.
func (p *Page) Messages() any {
	v, _, _ := p.lookup(VarMessages)
	return v
}

// CSRFToken returns the CSRF token from the VarCSRFToken processor, or "".
// A processor returning something other than a string fails the render.
func (p *Page) CSRFToken() (string, error) {
	return p.str(VarCSRFToken)
}

// CSPNonce returns the Content-Security-Policy nonce from the VarCSPNonce
// processor, or "": <script nonce="{{.CSPNonce}}">.
func (p *Page) CSPNonce() (string, error) {
	return p.str(VarCSPNonce)
}

// CSRFField returns the hidden form input carrying the CSRF token, from the
// VarCSRFField processor, or "" while none is registered. It is a method
// and not a function because functions are bound when templates are parsed
// and shared by every request; only the dot knows the request.
func (p *Page) CSRFField() (template.HTML, error) {
	v, _, _ := p.lookup(VarCSRFField)
	switch v := v.(type) {
	case nil:
		return "", nil
	case template.HTML:
		return v, nil
	}
	return "", fmt.Errorf("render: context processor %q returned %T, want template.HTML", VarCSRFField, v)
}

func (p *Page) str(name string) (string, error) {
	v, _, _ := p.lookup(name)
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", fmt.Errorf("render: context processor %q returned %T, want string", name, v)
}
