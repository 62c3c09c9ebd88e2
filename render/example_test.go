package render_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing/fstest"

	"github.com/anode-go/anode/render"
)

// A page extends a layout, fills its blocks and includes a partial; the
// handler's data is .Data and the request's path is .Path.
func Example() {
	files := fstest.MapFS{
		"base.html":          {Data: []byte(`<title>{{block "title" .}}Site{{end}}</title><main>{{block "content" .}}{{end}}</main>`)},
		"partials/poll.html": {Data: []byte(`<li>{{.Question}} ({{.Votes | intcomma}} vote{{pluralize .Votes}})</li>`)},
		"polls/index.html": {Data: []byte(`{{template "base.html" .}}
{{define "title"}}Polls{{end}}
{{define "content"}}<ul>{{range .Data}}{{template "partials/poll.html" .}}{{end}}</ul> at {{.Path}}{{end}}`)},
	}
	e, err := render.New(render.Options{}, render.Source{Name: "polls", FS: files})
	if err != nil {
		fmt.Println(err)
		return
	}
	type poll struct {
		Question string
		Votes    int
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/polls/", nil)
	err = e.Render(w, r, "polls/index.html", []poll{{"Tabs or <spaces>?", 1}, {"Vim or Emacs?", 12345}})
	fmt.Println(w.Body, err)
	// Output:
	// <title>Polls</title><main><ul><li>Tabs or &lt;spaces&gt;? (1 vote)</li><li>Vim or Emacs? (12,345 votes)</li></ul> at /polls/</main> <nil>
}

// Context processors give every template per-request values, computed only
// when a template reads them.
func ExampleOptions_vars() {
	e, err := render.New(render.Options{Vars: map[string]func(*http.Request) any{
		render.VarUser: func(r *http.Request) any { return r.Header.Get("X-User") },
		"year":         func(r *http.Request) any { return 2026 },
	}}, render.Source{Name: "site", FS: fstest.MapFS{
		"footer.html": {Data: []byte(`{{with .User}}Signed in as {{.}}. {{end}}© {{.Var "year"}}`)},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-User", "ada")
	e.Execute(os.Stdout, r, "footer.html", nil)
	// Output: Signed in as ada. © 2026
}

// A template failing half way writes nothing; the error names the file,
// line and column.
func ExampleError() {
	e, _ := render.New(render.Options{}, render.Source{Name: "polls", FS: fstest.MapFS{
		"detail.html": {Data: []byte("<h1>{{.Data.Question}}</h1>\n<p>{{.Data.Votes}}</p>")},
	}})
	w := httptest.NewRecorder()
	err := e.Render(w, httptest.NewRequest("GET", "/", nil), "detail.html", struct{ Question string }{"Why?"})
	fmt.Printf("%d bytes written\n%v\n", w.Body.Len(), err)
	// Output:
	// 0 bytes written
	// render: detail.html:2:10: executing "detail.html" at <.Data.Votes>: can't evaluate field Votes in type interface {} (.Data is struct { Question string })
}
