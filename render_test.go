package anode_test

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/messages"
	"github.com/anode-go/anode/render"
)

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

type pollPage struct {
	Question string
	ID       int
}

// renderModule is a module with templates, static files and routes that
// render through a handle, the App and the package-level helper.
func renderModule() anode.Module {
	return anode.Module{
		Name: "polls",
		Templates: files(
			"base.html", `<!doctype html><title>{{block "title" .}}Polls{{end}}</title><link rel="stylesheet" href="{{static "css/site.css"}}"><body>{{block "content" .}}{{end}}</body>`,
			"polls/detail.html", `{{template "base.html" .}}{{define "title"}}{{.Data.Question}}{{end}}{{define "content"}}<a href="{{url "poll-detail" .Data.ID}}">{{.Data.Question}}</a> {{.Path}} {{.Var "site"}}{{end}}`,
			"polls/broken.html", "{{template \"base.html\" .}}\n{{define \"content\"}}\n<p>{{.Data.Question}}</p>\n<p>{{.Data.Missing}}</p>\n{{end}}",
		),
		Static: files("css/site.css", "body{}"),
		Routes: func(r *anode.Router) {
			detail := r.Template("polls/detail.html")
			r.Get("/polls/{id}/", func(w http.ResponseWriter, r *http.Request) error {
				return detail.Render(w, r, pollPage{"Is <this> it?", 7})
			}).Name("poll-detail")
			r.Get("/helper/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.Render(w, r, "polls/detail.html", pollPage{"Helper", 3})
			})
			r.Get("/broken/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.Render(w, r, "polls/broken.html", pollPage{"Half way", 1})
			})
			r.Get("/missing/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.Render(w, r, "polls/nope.html", nil)
			})
			r.Get("/gone/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.RenderStatus(w, r, http.StatusGone, "polls/detail.html", pollPage{"Gone", 9})
			})
			r.Get("/gone-broken/", func(w http.ResponseWriter, r *http.Request) error {
				return detail.RenderStatus(w, r, http.StatusUnprocessableEntity, nil)
			})
		},
		Init: func(ctx context.Context, app *anode.App) error {
			app.TemplateVar("site", func(r *http.Request) any { return "Anode polls" })
			return nil
		},
	}
}

func TestRenderThroughApp(t *testing.T) {
	app := anodetest.NewApp(t, renderModule())
	c := anodetest.NewClient(t, app)
	css, err := app.StaticURL("css/site.css")
	if err != nil {
		t.Fatal(err)
	}
	res := c.Get("/polls/7/").AssertStatus(200).
		AssertHeader("Content-Type", "text/html; charset=utf-8").
		AssertTitle("Is <this> it?")
	want := `<!doctype html><title>Is &lt;this&gt; it?</title><link rel="stylesheet" href="` + css + `"><body><a href="/polls/7/">Is &lt;this&gt; it?</a> /polls/7/ Anode polls</body>`
	if string(res.Body) != want {
		t.Errorf("body\n got  %s\n want %s", res.Body, want)
	}
	if !regexp.MustCompile(`^/static/css/site\.[0-9a-f]{8}\.css$`).MatchString(css) {
		t.Errorf("static URL %q is not hashed", css)
	}
	c.Get("/helper/").AssertStatus(200).AssertTitle("Helper")
	c.Get("/gone/").AssertStatus(http.StatusGone).AssertTitle("Gone")
	// The status is written only once the page rendered: a failing page
	// (nil data has no .Data.Question) is still the error renderer's 500.
	c.Get("/gone-broken/").AssertStatus(500).AssertNotContains("<!doctype html><title>")
	if app.Templates() == nil || !app.Templates().Has("polls/detail.html") {
		t.Error("Templates() does not hold the module's templates")
	}
}

// TestRenderFailureSendsNothing: a template failing half way answers with
// the error page only, never with the part of the page rendered before.
func TestRenderFailureSendsNothing(t *testing.T) {
	for _, debug := range []bool{false, true} {
		cfg := anodetest.Config(t)
		cfg.Debug = debug
		app := anodetest.NewAppConfig(t, cfg, renderModule())
		var logs strings.Builder
		app.SetLogOutput(&logs)
		c := anodetest.NewClient(t, app)
		res := c.Get("/broken/").AssertStatus(500).
			AssertHeader("Content-Type", "text/html; charset=utf-8").
			AssertNotContains("<p>Half way</p>").
			AssertNotContains("<!doctype html><title>")
		if debug {
			res.AssertText("Template polls/broken.html").
				AssertText("File polls/broken.html (from polls)").
				AssertText("Line 4, column 10").
				AssertText("> 4 | <p>{{.Data.Missing}}</p>").
				AssertText(`"Question": "Half way"`).
				AssertText(`can't evaluate field Missing in type interface {} (.Data is anode_test.pollPage)`)
		} else {
			res.AssertText("500 Internal Server Error").AssertNotContains("Missing").AssertNotContains("broken.html").AssertNotContains("Half way")
			if !strings.Contains(logs.String(), `render: polls/broken.html:4:10: executing \"content\" at <.Data.Missing>`) {
				t.Errorf("log lacks the template error:\n%s", logs.String())
			}
		}
		res = c.Get("/missing/").AssertStatus(500)
		if debug {
			res.AssertText(`render: template "polls/nope.html" not found`)
		}
	}
}

func TestTemplateHandleMissingAtStart(t *testing.T) {
	mod := renderModule()
	mod.Routes = func(r *anode.Router) {
		r.Template("polls/detial.html")
	}
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(io.Discard)
	app.Install(mod)
	app.Template("polls/detail.html") // exists
	app.Template("polls/gone.html")
	err := app.Start(context.Background())
	if err == nil {
		t.Fatal("Start succeeded with a missing template")
	}
	for _, want := range []string{
		`anode: template "polls/detial.html" (taken at `, `render_test.go:`,
		`render: template "polls/detial.html" not found (did you mean polls/detail.html?)`,
		`anode: template "polls/gone.html"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("start error %q\nlacks %q", err, want)
		}
	}
	if !errors.Is(err, render.ErrNotFound) {
		t.Error("start error does not wrap render.ErrNotFound")
	}
	// The check command reports it as an error finding.
	if f := app.RunChecks(context.Background(), false); len(f) == 0 || f[0].Level != anode.CheckError {
		t.Errorf("RunChecks = %v", f)
	}
}

func TestTemplateParseErrorAtStart(t *testing.T) {
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{Name: "site", Templates: files("a.html", "{{.X | nosuch}}")})
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `anode: templates: render: a.html:1: function "nosuch" not defined`) {
		t.Errorf("Start = %v", err)
	}
}

func TestTemplateOverrideBetweenModules(t *testing.T) {
	app := anodetest.NewApp(t,
		anode.Module{Name: "site", Templates: files("admin/base.html", `site base: {{block "content" .}}{{end}}`), Routes: func(r *anode.Router) {
			r.Get("/admin/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.Render(w, r, "admin/index.html", nil)
			})
		}},
		anode.Module{Name: "admin", Templates: files(
			"admin/base.html", `admin base: {{block "content" .}}{{end}}`,
			"admin/index.html", `{{template "admin/base.html" .}}{{define "content"}}index{{end}}`,
		)},
	)
	res := anodetest.NewClient(t, app).Get("/admin/").AssertStatus(200)
	if string(res.Body) != "site base: index" {
		t.Errorf("body %q", res.Body)
	}
	var found bool
	for _, f := range app.RunChecks(context.Background(), false) {
		found = found || f.ID == "anode.I002" && strings.Contains(f.Message, "admin/base.html")
	}
	if !found {
		t.Error("no anode.I002 finding for the overridden template")
	}
}

func TestTemplateDebugReloadThroughApp(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "page.html"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("first")
	cfg := anodetest.Config(t)
	cfg.Debug = true
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "site", Templates: files("page.html", "embedded"), TemplatesDir: dir,
		Routes: func(r *anode.Router) {
			page := r.Template("page.html")
			r.Get("/", func(w http.ResponseWriter, r *http.Request) error { return page.Render(w, r, nil) })
		}})
	c := anodetest.NewClient(t, app)
	c.Get("/").AssertStatus(200).AssertContains("first")
	write("second version")
	c.Get("/").AssertStatus(200).AssertContains("second version")
}

func TestTemplateVarAndFuncs(t *testing.T) {
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{Name: "site", Templates: files("p.html", `{{.User}}|{{shout .Data}}|{{.CSRFField}}`)})
	app.TemplateVar(render.VarUser, func(r *http.Request) any { return "ada" })
	app.TemplateVar(render.VarCSRFField, func(r *http.Request) any { return template.HTML(`<input type="hidden" name="t" value="x">`) })
	app.TemplateFuncs(template.FuncMap{"shout": strings.ToUpper})
	func() {
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), `TemplateVar("user") at `) {
				t.Errorf("duplicate TemplateVar: panic %v", p)
			}
		}()
		app.TemplateVar(render.VarUser, func(r *http.Request) any { return nil })
	}()
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	w := httptest.NewRecorder()
	if err := app.Render(w, httptest.NewRequest("GET", "/", nil), "p.html", "hi"); err != nil {
		t.Fatal(err)
	}
	if want := `ada|HI|<input type="hidden" name="t" value="x">`; w.Body.String() != want {
		t.Errorf("got %q, want %q", w.Body, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("TemplateVar after start did not panic")
		}
	}()
	app.TemplateVar("late", func(r *http.Request) any { return nil })
}

func TestRenderOutsideApp(t *testing.T) {
	err := anode.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "x.html", nil)
	if err == nil || err.Error() != `anode: render "x.html" outside an App` {
		t.Errorf("err = %v", err)
	}
	app := anodetest.NewApp(t)
	if err := app.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "x.html", nil); err == nil || !strings.Contains(err.Error(), "no installed module has templates") {
		t.Errorf("App without templates: %v", err)
	}
}

// A module ships templates; a handler renders one with its data. The
// handle taken in Routes is checked when the App starts.
func ExampleApp_Render() {
	app := anode.New(anode.Config{SecretKey: "example", AllowedHosts: []string{"example.com"}})
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{
		Name: "polls",
		Templates: fstest.MapFS{
			"base.html":         {Data: []byte(`<title>{{block "title" .}}{{end}}</title>{{block "content" .}}{{end}}`)},
			"polls/detail.html": {Data: []byte(`{{template "base.html" .}}{{define "title"}}{{.Data.Question}}{{end}}{{define "content"}}<a href="{{url "poll-detail" .Data.ID}}">{{.Data.Question}}</a>{{end}}`)},
		},
		Routes: func(r *anode.Router) {
			detail := r.Template("polls/detail.html")
			r.Get("/polls/{id}/", func(w http.ResponseWriter, r *http.Request) error {
				return detail.Render(w, r, struct {
					ID       string
					Question string
				}{r.PathValue("id"), "Tabs or <spaces>?"})
			}).Name("poll-detail")
		},
	})
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest("GET", "/polls/7/", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body)
	// Output:
	// 200 text/html; charset=utf-8
	// <title>Tabs or &lt;spaces&gt;?</title><a href="/polls/7/">Tabs or &lt;spaces&gt;?</a>
}

func TestTemplateURLErrors(t *testing.T) {
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{Name: "polls", Templates: files(
		"name.html", `<a href="{{url "poll-detial" 1}}">`,
		"arity.html", `<a href="{{url "poll-detail"}}">`,
		"static.html", `{{static "css/nope.css"}}`,
	), Routes: func(r *anode.Router) {
		r.Get("/polls/{id}/", func(w http.ResponseWriter, r *http.Request) error { return nil }).Name("poll-detail")
	}})
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	for name, want := range map[string]string{
		"name.html":   `render: name.html:1:11: executing "name.html" at <url "poll-detial" 1>: error calling url: anode: url "poll-detial": no route has this name`,
		"arity.html":  `error calling url: anode: url "poll-detail": pattern "GET /polls/{id}/{$}" takes 1 argument(s) (id), got 0`,
		"static.html": `error calling static: static: file not found: "css/nope.css"`, // every App serves anode.js, so static files exist
	} {
		w := httptest.NewRecorder()
		err := app.Render(w, httptest.NewRequest("GET", "/", nil), name, nil)
		if err == nil || !strings.Contains(err.Error(), want) || w.Body.Len() != 0 {
			t.Errorf("%s: %v\nwant %s", name, err, want)
		}
		var ue *anode.URLError
		if name != "static.html" && !errors.As(err, &ue) {
			t.Errorf("%s: error does not wrap *anode.URLError", name)
		}
	}
}

// TestTemplateMessages: .Messages shows the flash messages of the App's
// messages, once, and only a page that reads them uses them up.
func TestTemplateMessages(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "polls",
		Templates: files(
			"list.html", `<ul>{{range .Messages}}<li class="{{.Tags}}">{{.}}</li>{{end}}</ul>`,
			"quiet.html", `no message area`,
		),
		Routes: func(r *anode.Router) {
			r.Post("/polls/", func(w http.ResponseWriter, r *http.Request) error {
				messages.Success(r, "Poll <created>")
				http.Redirect(w, r, "/polls/", http.StatusSeeOther)
				return nil
			})
			r.Get("/polls/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "list.html", nil) })
			r.Get("/quiet/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "quiet.html", nil) })
		}})
	c := anodetest.NewClient(t, app)
	c.Post("/polls/", nil).AssertStatus(http.StatusSeeOther)
	c.Get("/quiet/").AssertStatus(200) // does not read them: they wait
	res := c.Get("/polls/").AssertStatus(200)
	if want := `<ul><li class="success">Poll &lt;created&gt;</li></ul>`; string(res.Body) != want {
		t.Errorf("body %q, want %q", res.Body, want)
	}
	if res := c.Get("/polls/"); string(res.Body) != "<ul></ul>" {
		t.Errorf("messages shown twice: %q", res.Body)
	}
}
