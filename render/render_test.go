package render_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode/render"
)

// mapFS builds a file system from name/content pairs.
func mapFS(files ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i < len(files); i += 2 {
		m[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return m
}

func mustNew(t *testing.T, o render.Options, sources ...render.Source) *render.Engine {
	t.Helper()
	e, err := render.New(o, sources...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// renderString renders name for a GET of path and returns the body,
// failing the test on error.
func renderString(t *testing.T, e *render.Engine, name string, data any) string {
	t.Helper()
	w := httptest.NewRecorder()
	if err := e.Render(w, httptest.NewRequest("GET", "/polls/7/", nil), name, data); err != nil {
		t.Fatalf("Render(%s): %v", name, err)
	}
	return w.Body.String()
}

func TestOverrideOrder(t *testing.T) {
	app := render.Source{Name: "app", FS: mapFS(
		"admin/base.html", `app's admin base [{{block "content" .}}{{end}}]`,
	)}
	admin := render.Source{Name: "admin", FS: mapFS(
		"admin/base.html", `admin's own base [{{block "content" .}}{{end}}]`,
		"admin/index.html", `{{template "admin/base.html" .}}{{define "content"}}index{{end}}`,
		"admin/login.html", `login`,
	)}
	theme := render.Source{Name: "theme", FS: mapFS("admin/login.html", `theme login`)}

	e := mustNew(t, render.Options{}, app, admin, theme)
	tests := []struct{ name, want string }{
		// The admin module's own page extends the app's base: names are
		// resolved across sources, the earlier source winning.
		{"admin/index.html", "app's admin base [index]"},
		{"admin/base.html", "app's admin base []"},
		{"admin/login.html", "login"},
	}
	for _, tt := range tests {
		if got := renderString(t, e, tt.name, nil); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := strings.Join(e.Overridden(), ","); got != "admin/base.html,admin/login.html" {
		t.Errorf("Overridden = %s", got)
	}
	if got := strings.Join(e.Names(), ","); got != "admin/base.html,admin/index.html,admin/login.html" {
		t.Errorf("Names = %s", got)
	}

	// Installed the other way round, the admin module wins.
	e = mustNew(t, render.Options{}, admin, app)
	if got := renderString(t, e, "admin/index.html", nil); got != "admin's own base [index]" {
		t.Errorf("admin first: %q", got)
	}
}

func TestLayoutsBlocksPartials(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS(
		"base.html", `<title>{{block "title" .}}Site{{end}}</title>{{template "partials/nav.html" .}}<main>{{block "content" .}}empty{{end}}</main>{{block "footer" .}}(c){{end}}`,
		"admin/base.html", "{{template \"base.html\" .}}\n{{define \"title\"}}Admin{{end}}\n{{define \"content\"}}<div class=admin>{{block \"admin\" .}}{{end}}</div>{{end}}\n",
		"partials/nav.html", `<nav>{{.Path}}</nav>`,
		"partials/item.html", `<li>{{.}}</li>`,
		"list.html", "\n{{template \"base.html\" .}}\n\n{{define \"title\"}}List of {{len .Data}}{{end}}\n{{define \"content\"}}<ul>{{range .Data}}{{template \"partials/item.html\" .}}{{end}}</ul>{{end}}\n",
		"admin/users.html", "{{template \"admin/base.html\" .}}\n{{define \"admin\"}}users{{end}}\n{{define \"footer\"}}{{end}}",
		"plain.html", "<p>{{.Data}}</p>\n",
		"tree.html", `{{define "node"}}({{.Name}}{{range .Kids}} {{template "node" .}}{{end}}){{end}}{{template "node" .Data}}`,
		"empty.html", ``,
	)})
	type node struct {
		Name string
		Kids []node
	}
	tests := []struct {
		name string
		data any
		want string
	}{
		{"base.html", nil, `<title>Site</title><nav>/polls/7/</nav><main>empty</main>(c)`},
		{"list.html", []string{"a", "<b>"}, `<title>List of 2</title><nav>/polls/7/</nav><main><ul><li>a</li><li>&lt;b&gt;</li></ul></main>(c)`},
		// Two levels: the page fills the admin layout's block; the admin
		// layout fills the base's; the page empties the footer.
		{"admin/users.html", nil, `<title>Admin</title><nav>/polls/7/</nav><main><div class=admin>users</div></main>`},
		{"admin/base.html", nil, `<title>Admin</title><nav>/polls/7/</nav><main><div class=admin></div></main>(c)`},
		// A page extending nothing keeps its white space.
		{"plain.html", "x", "<p>x</p>\n"},
		{"tree.html", node{"a", []node{{"b", nil}, {"c", []node{{"d", nil}}}}}, "(a (b) (c (d)))"},
		{"empty.html", nil, ""},
	}
	for _, tt := range tests {
		if got := renderString(t, e, tt.name, tt.data); got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		sources []render.Source
		want    []string // substrings of the error
	}{
		{"parse error", []render.Source{{Name: "app", FS: mapFS("a.html", "ok", "bad.html", "line 1\n{{if .X}}\n")}},
			[]string{`render: bad.html:`, `unexpected EOF`}},
		{"unknown function", []render.Source{{Name: "app", FS: mapFS("x.html", "\n\n{{.X | safe}}")}},
			[]string{`render: x.html:3: `, `function "safe" not defined`}},
		{"missing partial", []render.Source{{Name: "app", FS: mapFS("partials/nav.html", "", "page.html", "a\n  {{template \"partials/nva.html\" .}}")}},
			[]string{`render: page.html:2:13: template "partials/nva.html" not found (did you mean partials/nav.html?)`}},
		{"missing layout", []render.Source{{Name: "app", FS: mapFS("page.html", `{{template "layout.html" .}}{{define "content"}}{{end}}`)}},
			[]string{`render: page.html:1:11: template "layout.html" not found`}},
		{"two errors", []render.Source{{Name: "app", FS: mapFS("a.html", `{{template "x"}}`, "b.html", `{{template "y"}}`)}},
			[]string{`template "x" not found`, `template "y" not found`}},
		{"no FS", []render.Source{{Name: "empty"}}, []string{`render: source "empty" has neither FS nor Dir`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render.New(render.Options{}, tt.sources...)
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var re *render.Error
			if tt.name != "no FS" && !errors.As(err, &re) {
				t.Errorf("error %T is not a *render.Error", err)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS("polls/detail.html", "d", "polls/index.html", "i")})
	err := e.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "polls/detial.html", nil)
	if !errors.Is(err, render.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if want := `render: template "polls/detial.html" not found (did you mean polls/detail.html?)`; err.Error() != want {
		t.Errorf("err = %q\nwant %q", err, want)
	}
	if _, err := e.Lookup("nope.html"); !errors.Is(err, render.ErrNotFound) {
		t.Errorf("Lookup: %v", err)
	}
	if !e.Has("polls/index.html") || e.Has("polls") {
		t.Error("Has")
	}
}

// errWriter is a ResponseWriter that records whether anything was written.
type errWriter struct {
	*httptest.ResponseRecorder
	writes int
}

func (w *errWriter) Write(p []byte) (int, error) { w.writes++; return w.ResponseRecorder.Write(p) }

func TestFailingTemplateWritesNothing(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS(
		"base.html", "<html>\n<body>{{block \"content\" .}}{{end}}</body>",
		"page.html", "{{template \"base.html\" .}}\n{{define \"content\"}}\n{{range .Data.Rows}}\n<p>{{.Name}}</p>\n{{end}}\n{{end}}",
	)})
	type row struct{ Name string }
	big := make([]any, 200) // kilobytes of output before the failure
	for i := range big {
		big[i] = row{"ok"}
	}
	big = append(big, struct{ Nom string }{"broken"})
	w := &errWriter{ResponseRecorder: httptest.NewRecorder()}
	err := e.Render(w, httptest.NewRequest("GET", "/", nil), "page.html", map[string]any{"Rows": big})
	var re *render.Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want *render.Error", err, err)
	}
	if w.writes != 0 || w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Errorf("a failed render wrote %d times, %d bytes, headers %v", w.writes, w.Body.Len(), w.Header())
	}
	if re.Name != "page.html" || re.File != "page.html" || re.Line != 4 || re.Source != "app" {
		t.Errorf("error at %s (%s) %s:%d, want page.html (app) page.html:4", re.Name, re.Source, re.File, re.Line)
	}
	if want := `render: page.html:4:5: executing "content" at <.Name>: can't evaluate field Name in type interface {}`; err.Error() != want {
		t.Errorf("err = %q\nwant %q", err, want)
	}
	details := map[string]string{}
	for _, d := range re.DebugDetails() {
		details[d[0]] = d[1]
	}
	if details["File"] != "page.html (from app)" || details["Line"] != "4, column 5" ||
		!strings.Contains(details["Source"], ">    4 | <p>{{.Name}}</p>") || !strings.Contains(details["Data"], `"Nom": "broken"`) {
		t.Errorf("DebugDetails: File %q, Line %q, Source %q, Data starts %.80q", details["File"], details["Line"], details["Source"], details["Data"])
	}
}

func TestPerRequestData(t *testing.T) {
	calls := map[string]int{}
	proc := func(name string, v any) func(*http.Request) any {
		return func(r *http.Request) any { calls[name]++; return v }
	}
	e := mustNew(t, render.Options{Vars: map[string]func(*http.Request) any{
		render.VarUser:      proc("user", struct{ Name string }{"ada"}),
		render.VarMessages:  proc("messages", []string{"Saved.", "<Welcome>"}),
		render.VarCSRFToken: proc("token", "tok+/="),
		render.VarCSRFField: proc("field", nil),
		render.VarCSPNonce:  proc("nonce", "n0nce"),
		"site_name":         proc("site", "Polls & Co"),
	}}, render.Source{Name: "app", FS: mapFS(
		"all.html", `{{.Path}}|{{.User.Name}}|{{range .Messages}}[{{.}}]{{end}}|{{.CSRFToken}}|{{.CSRFField}}|<script nonce="{{.CSPNonce}}"></script>|{{.Var "site_name"}}|{{.User.Name}}{{.Var "site_name"}}|{{.Data.X}}`,
		"none.html", `{{.Data}}`,
		"unknown.html", `{{.Var "nope"}}`,
		"bad.html", `{{.CSRFToken}}`,
		"range.html", `{{range .Data}}{{$.Path}}{{end}}`,
	)})
	got := renderString(t, e, "all.html", map[string]any{"X": 1})
	want := `/polls/7/|ada|[Saved.][&lt;Welcome&gt;]|tok&#43;/=||<script nonce="n0nce"></script>|Polls &amp; Co|adaPolls &amp; Co|1`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Each processor ran once although the template read user and
	// site_name twice; none ran for a page that reads none.
	renderString(t, e, "none.html", "x")
	for name, n := range calls {
		if n != 1 {
			t.Errorf("processor %s ran %d times, want 1", name, n)
		}
	}
	if got := renderString(t, e, "range.html", []int{1, 2}); got != "/polls/7//polls/7/" {
		t.Errorf("range: %q", got)
	}
	err := e.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "unknown.html", nil)
	if err == nil || !strings.Contains(err.Error(), `no context processor "nope" (registered: [csp_nonce csrf_field csrf_token messages site_name user])`) {
		t.Errorf("unknown var: %v", err)
	}

	// Without processors the well-known values are empty, not errors: pages
	// may use them before the packages that fill them are installed.
	bare := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS(
		"p.html", `[{{.User}}][{{.Messages}}][{{.CSRFToken}}][{{.CSRFField}}][{{.CSPNonce}}][{{if .User}}in{{else}}out{{end}}]`,
	)})
	if got := renderString(t, bare, "p.html", nil); got != "[][][][][][out]" {
		t.Errorf("without processors: %q", got)
	}

	// A processor of the wrong type fails the render with a clear message.
	wrong := mustNew(t, render.Options{Vars: map[string]func(*http.Request) any{
		render.VarCSRFToken: func(*http.Request) any { return 42 },
	}}, render.Source{Name: "app", FS: mapFS("p.html", `{{.CSRFToken}}`)})
	err = wrong.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "p.html", nil)
	if err == nil || !strings.Contains(err.Error(), `context processor "csrf_token" returned int, want string`) {
		t.Errorf("wrong type: %v", err)
	}
}

// TestEscapeError: html/template reports a page ending inside an attribute
// when the page first runs; the error names the file.
func TestEscapeError(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS("p.html", "<p>\n<a href=\"{{.Data}}")})
	w := httptest.NewRecorder()
	err := e.Render(w, httptest.NewRequest("GET", "/", nil), "p.html", "x")
	var re *render.Error
	if !errors.As(err, &re) || w.Body.Len() != 0 {
		t.Fatalf("err = %v, body %q", err, w.Body)
	}
	if want := `render: p.html: ends in a non-text context`; !strings.HasPrefix(err.Error(), want) || re.File != "p.html" {
		t.Errorf("err = %q (file %q), want it to start with %q", err, re.File, want)
	}
}

func TestExecuteWithoutRequest(t *testing.T) {
	calls := 0
	e := mustNew(t, render.Options{Vars: map[string]func(*http.Request) any{
		render.VarUser: func(*http.Request) any { calls++; return "u" },
	}}, render.Source{Name: "mail", FS: mapFS("welcome.txt", `Hello {{.Data}}[{{.Path}}][{{.User}}]`)})
	var b strings.Builder
	if err := e.Execute(&b, nil, "welcome.txt", "Ada"); err != nil {
		t.Fatal(err)
	}
	if b.String() != "Hello Ada[][]" || calls != 0 {
		t.Errorf("Execute = %q, %d processor calls", b.String(), calls)
	}
}

func TestLookup(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS("a.html", `a{{.Data}}`)})
	tmpl, err := e.Lookup("a.html")
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := tmpl.Render(w, httptest.NewRequest("GET", "/", nil), 1); err != nil {
		t.Fatal(err)
	}
	if w.Body.String() != "a1" || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" || w.Header().Get("Content-Length") != "2" || tmpl.Name() != "a.html" {
		t.Errorf("got %q %v", w.Body, w.Header())
	}
}
