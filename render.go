package anode

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"

	"github.com/anode-go/anode/messages"
	"github.com/anode-go/anode/render"
)

// templateState is the App's template configuration, collected before start,
// and the engine built from it.
type templateState struct {
	engine  *render.Engine
	funcs   template.FuncMap
	vars    map[string]func(*http.Request) any
	handles []*Template
}

// Template is a handle on a template, taken with App.Template or
// Router.Template before the App starts and resolved when it starts, so a
// misspelt name stops start-up instead of failing a request. It is safe for
// concurrent use.
type Template struct {
	name string
	site string // where the handle was taken, for the start-up error
	app  *App   // nil: the App serving the request
	t    *render.Template
	err  error
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Render renders the template with data for r into w (see App.Render).
func (t *Template) Render(w http.ResponseWriter, r *http.Request, data any) error {
	return t.RenderStatus(w, r, 0, data)
}

// RenderStatus is Render with the response status status (see
// App.RenderStatus); 0 means 200.
func (t *Template) RenderStatus(w http.ResponseWriter, r *http.Request, status int, data any) error {
	if t.t != nil {
		return t.t.RenderStatus(w, r, status, data)
	}
	if t.err != nil {
		return t.err
	}
	app := t.app
	if app == nil {
		if app = FromContext(r.Context()); app == nil {
			return fmt.Errorf("anode: template %q rendered outside an App", t.name)
		}
	}
	return app.RenderStatus(w, r, status, t.name, data)
}

// Template returns a handle on the template called name (its path inside a
// module's Templates, e.g. "polls/detail.html"). Taken before the App
// starts, the name is checked at start: a missing template is a start-up
// error naming the call site. Taken after, it is checked at once and a
// missing template makes every Render return the error.
func (a *App) Template(name string) *Template {
	t := &Template{name: name, site: callSite(), app: a}
	if a.handler == nil {
		a.tmpl.handles = append(a.tmpl.handles, t)
	} else {
		a.resolveTemplate(t)
	}
	return t
}

// Template returns a handle on the template called name, checked when the
// App owning the router starts (see App.Template). Modules take their
// handles in Routes, beside the handlers that use them. On a Router made by
// NewRouter, the handle is resolved by the App serving each request.
func (r *Router) Template(name string) *Template {
	if a := r.table.app; a != nil {
		return a.Template(name) // callSite skips this package's frames
	}
	return &Template{name: name, site: callSite()}
}

func (a *App) resolveTemplate(t *Template) {
	if a.tmpl.engine == nil {
		t.err = fmt.Errorf("anode: template %q (taken at %s): no installed module has templates", t.name, t.site)
		return
	}
	rt, err := a.tmpl.engine.Lookup(t.name)
	if err != nil {
		t.err = fmt.Errorf("anode: template %q (taken at %s): %w", t.name, t.site, err)
		return
	}
	t.t = rt
}

// Render renders the template called name with data for r: it sets
// "Content-Type: text/html; charset=utf-8" (unless the handler set one) and
// writes the page, status 200 unless the handler wrote a header first.
// The page is executed into a buffer first, so a template that fails sends
// nothing and the returned error (a *render.Error) reaches the App's error
// renderer: in debug its page shows the template file, line, source and
// data; in production the client gets a plain 500 page and the log the
// details.
//
// Every template sees a *render.Page as its dot: the handler's data is
// .Data, and .Request, .Path, .User, .Messages, .CSRFToken, .CSRFField,
// .CSPNonce and .Var "name" hold the per-request values (see TemplateVar).
func (a *App) Render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return a.RenderStatus(w, r, 0, name, data)
}

// RenderStatus is Render with the response status status: a form shown
// again with its errors (422), a custom 404 page. The status is written
// only after the page has rendered, so a failing template still becomes
// the error renderer's 500. Status 0 means 200.
func (a *App) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	a.finalize()
	if a.tmpl.engine == nil {
		return fmt.Errorf("anode: render %q: no installed module has templates", name)
	}
	return a.tmpl.engine.RenderStatus(w, r, status, name, data)
}

// Render renders a template with the App serving r, for handlers that do
// not hold the App: return anode.Render(w, r, "polls/index.html", data).
// See App.Render.
func Render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return RenderStatus(w, r, 0, name, data)
}

// RenderStatus is Render with the response status status (see
// App.RenderStatus).
func RenderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	a := FromContext(r.Context())
	if a == nil {
		return fmt.Errorf("anode: render %q outside an App", name)
	}
	return a.RenderStatus(w, r, status, name, data)
}

// TemplateVar registers a context processor: fn computes a per-request value
// that every template reads as .Var "name", computed only when a template
// asks and at most once per render. The names render.VarUser,
// render.VarMessages, render.VarCSRFToken, render.VarCSRFField and
// render.VarCSPNonce fill .User, .Messages, .CSRFToken, .CSRFField and
// .CSPNonce; until a module registers them those are empty, except
// .Messages, which the App fills with the request's flash messages unless a
// module registers render.VarMessages. Register before
// the App starts (in main or a module's Init); a name registered twice, or a
// registration after start, panics.
func (a *App) TemplateVar(name string, fn func(r *http.Request) any) {
	site := callSite()
	if a.handler != nil {
		panic(fmt.Sprintf("anode: TemplateVar(%q) at %s after the app started; register it in main or a module's Init", name, site))
	}
	if _, dup := a.tmpl.vars[name]; dup {
		panic(fmt.Sprintf("anode: TemplateVar(%q) at %s: the name is already registered", name, site))
	}
	if a.tmpl.vars == nil {
		a.tmpl.vars = map[string]func(*http.Request) any{}
	}
	a.tmpl.vars[name] = fn
}

// TemplateFuncs adds functions to every template, like Django's custom
// template filters; a name of the standard set (url, date, ...) replaces it.
// Call it before the App starts; after, it panics.
func (a *App) TemplateFuncs(funcs template.FuncMap) {
	if a.handler != nil {
		panic(fmt.Sprintf("anode: TemplateFuncs at %s after the app started", callSite()))
	}
	if a.tmpl.funcs == nil {
		a.tmpl.funcs = template.FuncMap{}
	}
	for k, v := range funcs {
		a.tmpl.funcs[k] = v
	}
}

// Templates returns the App's template engine, for rendering outside a
// response (e-mail bodies with Execute), or nil before the App starts or
// when no module has templates.
func (a *App) Templates() *render.Engine { return a.tmpl.engine }

// initTemplates builds the engine from every installed module's templates,
// earlier modules first, and resolves the handles taken before start.
func (a *App) initTemplates() {
	var sources []render.Source
	for _, m := range a.modules {
		if m.Templates != nil || m.TemplatesDir != "" {
			sources = append(sources, render.Source{Name: m.Name, FS: m.Templates, Dir: m.TemplatesDir})
		}
	}
	// .Messages reads the flash messages the App keeps for the request,
	// unless a module registered another source. Reading marks them shown,
	// which the processor does only for a page that asks.
	vars := maps.Clone(a.tmpl.vars)
	if vars == nil {
		vars = map[string]func(*http.Request) any{}
	}
	if _, ok := vars[render.VarMessages]; !ok {
		vars[render.VarMessages] = func(r *http.Request) any { return messages.FromRequest(r) }
	}
	var errs []error
	if len(sources) > 0 {
		e, err := render.New(render.Options{
			Debug:  a.cfg.Debug,
			URL:    a.URL,
			Static: a.staticURL,
			Funcs:  a.tmpl.funcs,
			Vars:   vars,
			// Django's {% cache %} uses the "template_fragments" cache when
			// there is one.
			Fragments: cacheFragments{a.fragmentCache()},
		}, sources...)
		if err != nil {
			errs = append(errs, fmt.Errorf("anode: templates: %w", err))
		}
		a.tmpl.engine = e
	}
	if a.tmpl.engine != nil {
		a.AddCheck(checkTemplates)
	}
	if len(errs) == 0 {
		for _, t := range a.tmpl.handles {
			if a.resolveTemplate(t); t.err != nil {
				errs = append(errs, t.err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		a.cfg.errs = append(a.cfg.errs, err)
		if a.startErr == nil {
			a.startErr = err
		}
	}
}

// staticURL is StaticURL for templates, which run after finalize.
func (a *App) staticURL(name string) (string, error) {
	if a.static == nil {
		return "", fmt.Errorf("anode: static %q: no installed module has static files", name)
	}
	return a.static.URL(name)
}

// checkTemplates reports templates provided by more than one module.
func checkTemplates(_ context.Context, a *App, _ bool) []Finding {
	var out []Finding
	for _, name := range a.tmpl.engine.Overridden() {
		out = append(out, Finding{ID: "anode.I002", Level: CheckInfo, Message: fmt.Sprintf("template %s is provided by more than one module; the first installed wins", name)})
	}
	return out
}

// debugDetails returns the labelled values an error in err's chain offers
// the debug page (a *render.Error's template, line, source and data).
func debugDetails(err error) [][2]string {
	var d interface{ DebugDetails() [][2]string }
	if errors.As(err, &d) {
		return d.DebugDetails()
	}
	return nil
}
