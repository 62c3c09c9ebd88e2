// Package render renders HTML pages from templates over [html/template],
// whose contextual escaping makes user data safe in text, attributes, URLs,
// scripts and styles alike.
//
// Each installed module contributes a [Source] of template files. [New]
// reads every source once, parses every file and builds, for every file, a
// ready-to-run template set holding the file and every file it names; in
// production nothing is read or parsed again.
//
// # Names and overriding
//
// A template's name is its slash-separated path inside its source:
// "polls/detail.html". Sources are searched in the order given to [New];
// when two provide the same name the earlier one wins, like static files, so
// an app installed before a contrib module replaces that module's
// "admin/base.html" with its own. The losers are listed by
// [Engine.Overridden].
//
// # Layouts, blocks and partials
//
// A layout declares blocks with defaults:
//
//	<title>{{block "title" .}}My site{{end}}</title>
//	<main>{{block "content" .}}{{end}}</main>
//
// A page extends it by calling it by file name and defining the blocks it
// fills; white space around the call is dropped, so the page's output is
// exactly the layout's:
//
//	{{template "base.html" .}}
//	{{define "title"}}Polls{{end}}
//	{{define "content"}}<ul>{{range .Data.Polls}}...{{end}}</ul>{{end}}
//
// Layouts may extend layouts ("admin/base.html" calls "base.html"); the
// nearest definition of a block wins. Any file can be included by name as a
// partial, with the data of the caller's choosing:
// {{template "partials/nav.html" .}}. A file's set holds the file and every
// file it names, directly or through the files it names; a name that no
// file defines is an error from [New], not from a request.
//
// # The dot: per-request data
//
// Every template runs with a [*Page] as its dot: the handler's data is
// .Data, the request is .Request, and values that belong to every page come
// from methods: .Path, .User, .Messages, .CSRFToken, .CSRFField, .CSPNonce
// and .Var "name" for other registered values. Those values are produced by
// context processors registered in [Options.Vars] and are computed only
// when a template asks for them, at most once per render.
//
// # Functions
//
// Besides html/template's built-ins, every template has url, static, date,
// intcomma, floatformat, pluralize, truncate, default, join, lower, upper,
// title, yesno and dict (docs/templates.md describes each). There is no function that turns a
// string into markup: raw HTML passes only as a [html/template.HTML] value
// produced by Go code.
//
// # Errors
//
// A page is executed into a pooled buffer and written only when it
// succeeded, so a template failing half way sends nothing. Every failure is
// an [*Error] naming the page, the file, line and column, and holding the
// data; a template that does not exist wraps [ErrNotFound].
//
// # Debug mode
//
// With [Options.Debug], every render first checks whether a file of a source
// with a Dir changed (by size and modification time); if one did, every
// source is read and parsed again. Sources without a Dir are read once.
package render

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// ErrNotFound is wrapped by the errors returned for a template name no
// source provides.
var ErrNotFound = errors.New("render: template not found")

// Source is one module's templates.
//
// Name identifies the source in errors and in [Engine.Overridden]. FS holds
// the files, usually from go:embed. Dir, when set, is the on-disk directory
// holding the same files: in debug mode files are read from Dir and re-read
// when they change; FS is used when Dir is empty. Outside debug mode FS is
// used, and Dir only when FS is nil. Files and directories whose names start
// with a dot are skipped.
type Source struct {
	Name string
	FS   fs.FS
	Dir  string
}

// Options configures [New]. The zero value parses for production with the
// standard functions; url and static then fail with an error saying that
// nothing resolves them.
type Options struct {
	// Debug re-reads the sources with a Dir when a file changes.
	Debug bool

	// URL reverses a route by name for the url function.
	URL func(name string, args ...any) (string, error)

	// Static returns the URL of a static file for the static function.
	Static func(name string) (string, error)

	// Funcs are added to the standard functions; a name of the standard set
	// replaces that function everywhere.
	Funcs template.FuncMap

	// Vars are the context processors: each computes one per-request value,
	// read by templates as .Var "name". The names in VarUser, VarMessages,
	// VarCSRFToken, VarCSRFField and VarCSPNonce are also read by the
	// methods of the same meaning on [Page]. A processor runs at most once per
	// render, and only if a template reads its value.
	Vars map[string]func(r *http.Request) any

	// Fragments caches what templates render with [Page.Cache]; nil
	// renders those fragments every time.
	Fragments FragmentCache
}

// Engine renders templates. It is safe for concurrent use.
type Engine struct {
	opts    Options
	sources []Source
	funcs   template.FuncMap
	vars    *vars
	state   atomic.Pointer[state]
	reload  sync.Mutex // one debug reload at a time
}

// New reads and parses every template of sources, earlier sources taking
// precedence, and returns an Engine. It returns an error naming the source
// and the file for a file that cannot be read or parsed and for a template
// name that is used but defined nowhere. In debug mode such errors are also
// returned, and later reloads report theirs from the render that found them.
func New(o Options, sources ...Source) (*Engine, error) {
	e := &Engine{opts: o, sources: slices.Clone(sources)}
	e.funcs = e.standardFuncs()
	for k, v := range o.Funcs {
		e.funcs[k] = v
	}
	e.vars = newVars(o.Vars)
	st := e.load()
	if st.err != nil {
		return nil, st.err
	}
	e.state.Store(st)
	return e, nil
}

// current returns the state to render with, reloading it first in debug
// mode when a file changed.
func (e *Engine) current() *state {
	st := e.state.Load()
	if !e.opts.Debug || !st.watched {
		return st
	}
	fp := e.fingerprint()
	if fp == st.fingerprint {
		return st
	}
	e.reload.Lock()
	defer e.reload.Unlock()
	if st = e.state.Load(); st.fingerprint == fp {
		return st
	}
	st = e.load()
	e.state.Store(st)
	return st
}

// Names returns the names of every template, sorted.
func (e *Engine) Names() []string {
	return slices.Clone(e.current().names)
}

// Overridden returns, sorted, the names provided by more than one source,
// where the first source's file is used.
func (e *Engine) Overridden() []string {
	return slices.Clone(e.current().overridden)
}

// Has reports whether a template named name exists.
func (e *Engine) Has(name string) bool {
	_, ok := e.current().pages[name]
	return ok
}

// Lookup returns the template named name, or an [*Error] wrapping
// [ErrNotFound]. In debug mode the returned Template follows reloads, and a
// template that disappears makes its Render fail.
func (e *Engine) Lookup(name string) (*Template, error) {
	st := e.current()
	if st.err != nil {
		return nil, st.err
	}
	pg, ok := st.pages[name]
	if !ok {
		return nil, st.notFound(name)
	}
	return &Template{e: e, name: name, pg: pg}, nil
}

// Render executes the template named name with a [Page] for r and data and
// writes the result to w, with "Content-Type: text/html; charset=utf-8"
// unless w already has a Content-Type. On error nothing is written.
func (e *Engine) Render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return (&Template{e: e, name: name}).Render(w, r, data)
}

// RenderStatus is Render with the response status status (a form shown
// again with 422, a 404 page): the status is written only once the page
// has rendered, so a failing template can still become a 500.
func (e *Engine) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	return (&Template{e: e, name: name}).RenderStatus(w, r, status, data)
}

// Execute is Render for any writer, without headers: for e-mail bodies and
// fragments. r may be nil, in which case request values are empty.
func (e *Engine) Execute(w io.Writer, r *http.Request, name string, data any) error {
	return (&Template{e: e, name: name}).Execute(w, r, data)
}

// Template is a page template looked up once. It is safe for concurrent use.
type Template struct {
	e    *Engine
	name string
	pg   *page // nil: look up by name on every use
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Render is [Engine.Render] for t.
func (t *Template) Render(w http.ResponseWriter, r *http.Request, data any) error {
	return t.RenderStatus(w, r, 0, data)
}

// RenderStatus is [Engine.RenderStatus] for t; status 0 leaves the status
// to net/http (200).
func (t *Template) RenderStatus(w http.ResponseWriter, r *http.Request, status int, data any) error {
	buf, err := t.execute(r, data)
	if err != nil {
		return err
	}
	h := w.Header()
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = []string{"text/html; charset=utf-8"}
	}
	if _, ok := h["Content-Length"]; !ok {
		h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	}
	if status != 0 {
		w.WriteHeader(status)
	}
	_, err = w.Write(buf.Bytes())
	putBuffer(buf)
	return err
}

// Execute is [Engine.Execute] for t.
func (t *Template) Execute(w io.Writer, r *http.Request, data any) error {
	buf, err := t.execute(r, data)
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	putBuffer(buf)
	return err
}

// execute runs the template into a pooled buffer, which the caller returns
// with putBuffer once written. On error the buffer is already returned.
func (t *Template) execute(r *http.Request, data any) (*bytes.Buffer, error) {
	pg := t.pg
	if pg == nil || t.e.opts.Debug {
		st := t.e.current()
		if st.err != nil {
			return nil, st.err
		}
		var ok bool
		if pg, ok = st.pages[t.name]; !ok {
			return nil, st.notFound(t.name)
		}
	}
	buf := bufPool.Get().(*bytes.Buffer)
	p := pagePool.Get().(*Page)
	p.Data, p.Request, p.vars = data, r, t.e.vars
	p.tmpl, p.frags = pg.tmpl, t.e.opts.Fragments
	err := pg.tmpl.Execute(buf, p)
	p.reset()
	pagePool.Put(p)
	if err != nil {
		putBuffer(buf)
		return nil, pg.execError(t.name, err, data)
	}
	return buf, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled keeps one huge page from pinning its buffer in the pool.
const maxPooled = 256 << 10

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooled {
		return
	}
	b.Reset()
	bufPool.Put(b)
}
