package render_test

import (
	"bytes"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/render"
)

// The TechEmpower fortunes page: 12 stored rows plus one added at request
// time, sorted by message, in the standard table markup, here with a
// layout as an app would write it.
type fortune struct {
	ID      int
	Message string
}

func fortuneRows() []fortune {
	msgs := []string{
		"fortune: No such file or directory",
		"A computer scientist is someone who fixes things that aren't broken.",
		"After enough decimal places, nobody gives a damn.",
		"A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
		"A computer program does what you tell it to do, not what you want it to do.",
		"Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
		"Any program that runs right is obsolete.",
		"A list is only as strong as its weakest link. — Donald Knuth",
		"Feature: A bug with seniority.",
		"Computers make very fast, very accurate mistakes.",
		`<script>alert("This should not be displayed in a browser alert box.");</script>`,
		"フレームワークのベンチマーク",
	}
	rows := []fortune{{0, "Additional fortune added at request time."}}
	for i, m := range msgs {
		rows = append(rows, fortune{i + 1, m})
	}
	slices.SortFunc(rows, func(a, b fortune) int { return strings.Compare(a.Message, b.Message) })
	return rows
}

const (
	fortunesBase = `<!DOCTYPE html><html><head><title>{{block "title" .}}{{end}}</title></head><body>{{block "content" .}}{{end}}</body></html>`
	// The page through render: the handler's data is .Data.
	fortunesPage = `{{template "base.html" .}}{{define "title"}}Fortunes{{end}}{{define "content"}}<table><tr><th>id</th><th>message</th></tr>{{range .Data.Fortunes}}<tr><td>{{.ID}}</td><td>{{.Message}}</td></tr>{{end}}</table>{{end}}`
	// The same page for bare html/template: the data is the dot.
	fortunesBare = `{{template "base.html" .}}{{define "title"}}Fortunes{{end}}{{define "content"}}<table><tr><th>id</th><th>message</th></tr>{{range .Fortunes}}<tr><td>{{.ID}}</td><td>{{.Message}}</td></tr>{{end}}</table>{{end}}`
)

type fortunesData struct{ Fortunes []fortune }

// bareFortunes is what an app without render would do: one set parsed at
// start-up, Execute into a reused bytes.Buffer.
func bareFortunes(tb testing.TB) *template.Template {
	set := template.Must(template.New("base.html").Parse(fortunesBase))
	return template.Must(set.New("fortunes.html").Parse(fortunesBare))
}

func renderFortunes(tb testing.TB) *render.Engine {
	e, err := render.New(render.Options{}, render.Source{Name: "bench", FS: mapFS("base.html", fortunesBase, "fortunes.html", fortunesPage)})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures rendering rather than a recorder's copying.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// TestFortunesSamePage checks that the benchmark's two sides produce the
// same bytes, so the work compared is equal.
func TestFortunesSamePage(t *testing.T) {
	data := fortunesData{fortuneRows()}
	var bare bytes.Buffer
	if err := bareFortunes(t).Execute(&bare, data); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	if err := renderFortunes(t).Render(w, httptest.NewRequest("GET", "/fortunes", nil), "fortunes.html", data); err != nil {
		t.Fatal(err)
	}
	if w.Body.String() != bare.String() {
		t.Fatalf("render and bare differ:\n%s\n%s", w.Body, bare.String())
	}
	if n := strings.Count(bare.String(), "<tr><td>"); n != 13 {
		t.Errorf("%d rows, want 13", n)
	}
	if !strings.Contains(bare.String(), "<td>&lt;script&gt;alert(&#34;This should not be displayed in a browser alert box.&#34;);&lt;/script&gt;</td>") {
		t.Error("the script fortune is not escaped as TechEmpower expects")
	}
}

func BenchmarkFortunes(b *testing.B) {
	data := fortunesData{fortuneRows()}
	b.Run("bare", func(b *testing.B) {
		tmpl := bareFortunes(b)
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := tmpl.Execute(&buf, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	r := httptest.NewRequest("GET", "/fortunes", nil)
	b.Run("render", func(b *testing.B) {
		e := renderFortunes(b)
		w := &discardWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			if err := e.Render(w, r, "fortunes.html", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("render-handle", func(b *testing.B) {
		t, err := renderFortunes(b).Lookup("fortunes.html")
		if err != nil {
			b.Fatal(err)
		}
		w := &discardWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			if err := t.Render(w, r, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
