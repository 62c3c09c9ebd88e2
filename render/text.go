package render

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	texttemplate "text/template"
)

// textPages holds the text/template builds of a state's files, made on
// first use: most apps render few plain-text templates, and rarely.
type textPages struct {
	mu    sync.Mutex
	pages map[string]*texttemplate.Template
}

// ExecuteText executes the template named name as text/template: for
// plain-text output (an e-mail's text/plain body, a subject line), where
// HTML escaping would turn "O'Brien" into "O&#39;Brien". It runs with the
// same dot ([*Page]), functions and {{template}} calls as [Engine.Execute];
// what the template prints is written as it is, so never send its output
// to a browser as HTML. r may be nil.
func (e *Engine) ExecuteText(w io.Writer, r *http.Request, name string, data any) error {
	st := e.current()
	if st.err != nil {
		return st.err
	}
	f, ok := st.files[name]
	if !ok {
		return st.notFound(name)
	}
	t, err := st.textPage(e, f)
	if err != nil {
		return err
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	p := pagePool.Get().(*Page)
	p.Data, p.Request, p.vars = data, r, e.vars
	err = t.Execute(buf, p)
	p.reset()
	pagePool.Put(p)
	if err != nil {
		return (&page{files: st.files}).execError(name, err, data)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// textPage builds, once per state, the text/template set of f and the
// files it calls (pageFiles), from copies of their parse trees as build
// does.
func (st *state) textPage(e *Engine, f *file) (*texttemplate.Template, error) {
	st.text.mu.Lock()
	defer st.text.mu.Unlock()
	if t, ok := st.text.pages[f.name]; ok {
		return t, nil
	}
	set := texttemplate.New(f.name).Funcs(texttemplate.FuncMap(e.funcs))
	var root *texttemplate.Template
	for _, d := range st.pageFiles(f) {
		for name, tree := range d.trees {
			t, err := set.AddParseTree(name, tree.Copy())
			if err != nil {
				return nil, &Error{Name: f.name, File: d.name, Source: d.source, Err: err}
			}
			if name == f.name {
				root = t
			}
		}
	}
	if st.text.pages == nil {
		st.text.pages = map[string]*texttemplate.Template{}
	}
	st.text.pages[f.name] = root
	return root, nil
}
