package render_test

import (
	"fmt"
	"html/template"
	"net/http/httptest"
	"testing"

	"github.com/anode-go/anode/render"
)

// TestXSS renders hostile data in every HTML context through render and
// asserts the exact bytes sent. The escaping is html/template's; the test
// pins that render keeps it on everywhere (layouts, partials, functions)
// and that a template.HTML value is the only way markup passes unescaped.
func TestXSS(t *testing.T) {
	tests := []struct {
		context, text string
		data          any
		want          string
	}{
		{"HTML text", `<p>{{.Data}}</p>`, `<script>alert("x")</script>&'`,
			`<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;</p>`},
		{"double-quoted attribute", `<input value="{{.Data}}">`, `" onmouseover="alert(1)`,
			`<input value="&#34; onmouseover=&#34;alert(1)">`},
		{"single-quoted attribute", `<input value='{{.Data}}'>`, `' onmouseover='alert(1)`,
			`<input value='&#39; onmouseover=&#39;alert(1)'>`},
		{"unquoted attribute", `<input value={{.Data}}>`, `x onmouseover=alert(1)`,
			`<input value=x&#32;onmouseover&#61;alert(1)>`},
		{"href javascript: URL", `<a href="{{.Data}}">`, `javascript:alert(1)`,
			`<a href="#ZgotmplZ">`},
		{"href javascript: URL, mixed case and space", `<a href="{{.Data}}">`, ` JaVaScRiPt:alert(1)`,
			`<a href="#ZgotmplZ">`},
		{"unquoted href javascript: URL", `<a href={{.Data}}>`, `javascript:alert(1)`,
			`<a href=#ZgotmplZ>`},
		{"src vbscript: URL", `<img src="{{.Data}}">`, `vbscript:x`,
			`<img src="#ZgotmplZ">`},
		{"href with quotes and brackets", `<a href="{{.Data}}">`, `/search?q=a"b<c d`,
			`<a href="/search?q=a%22b%3cc%20d">`},
		{"URL query value", `<a href="/s?q={{.Data}}&x=1">`, `a&b c"<`,
			`<a href="/s?q=a%26b%20c%22%3c&x=1">`},
		{"JavaScript string", `<script>var x = "{{.Data}}";</script>`, `"; alert(1); //</script><script>`,
			`<script>var x = "\u0022; alert(1); \/\/\u003c\/script\u003e\u003cscript\u003e";</script>`},
		{"JavaScript value", `<script>var x = {{.Data}};</script>`, `</script><b>"'`,
			`<script>var x = "\u003c/script\u003e\u003cb\u003e\"'";</script>`},
		{"JavaScript value, struct as JSON", `<script>var x = {{.Data}};</script>`, struct{ A string }{"</script>"},
			`<script>var x = {"A":"\u003c/script\u003e"};</script>`},
		{"event handler attribute", `<button onclick="f('{{.Data}}')">`, `');alert(1);//`,
			`<button onclick="f('\u0027);alert(1);\/\/')">`},
		{"style element", `<style>p { color: {{.Data}} }</style>`, `red; background: url(javascript:alert(1))`,
			`<style>p { color: ZgotmplZ }</style>`},
		{"style attribute", `<p style="color: {{.Data}}">`, `expression(alert(1))`,
			`<p style="color: ZgotmplZ">`},
		{"style attribute, harmless value", `<p style="color: {{.Data}}">`, `red`,
			`<p style="color: red">`},
		{"textarea", `<textarea>{{.Data}}</textarea>`, `</textarea><script>x</script>`,
			`<textarea>&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>`},
		{"title", `<title>{{.Data}}</title>`, `</title><script>x</script>`,
			`<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>`},
		{"HTML comment", `<p><!-- {{.Data}} -->x</p>`, `--><script>x</script>`,
			`<p>x</p>`},
		{"attribute name", `<p {{.Data}}="x">`, `onclick`,
			`<p ZgotmplZ="x">`},

		// Trusted markup: only a template.HTML value made by Go code.
		{"template.HTML in text", `<div>{{.Data}}</div>`, template.HTML(`<b>trusted</b>`),
			`<div><b>trusted</b></div>`},
		{"template.HTML in an attribute is still escaped", `<p title="{{.Data}}">`, template.HTML(`<b>"x"</b>`),
			`<p title="&#34;x&#34;">`},
		{"string through every string function", `<p>{{.Data | lower}}|{{.Data | upper}}|{{.Data | title}}|{{.Data | truncate 20}}|{{default "x" .Data}}|{{printf "%s" .Data}}</p>`, `<B onload=x>`,
			`<p>&lt;b onload=x&gt;|&lt;B ONLOAD=X&gt;|&lt;B Onload=X&gt;|&lt;B onload=x&gt;|&lt;B onload=x&gt;|&lt;B onload=x&gt;</p>`},
		{"join", `<p>{{join ", " .Data}}</p>`, []string{"<i>", "</p>"},
			`<p>&lt;i&gt;, &lt;/p&gt;</p>`},
		{"partial and block", `{{template "layout.html" .}}{{define "body"}}{{template "partials/x.html" .Data}}{{end}}`, `<i>"`,
			`<main><span title="&lt;i&gt;&#34;">&lt;i&gt;&#34;</span></main>`},
	}
	files := []string{
		"layout.html", `<main>{{block "body" .}}{{end}}</main>`,
		"partials/x.html", `<span title="{{.}}">{{.}}</span>`,
	}
	for i, tt := range tests {
		files = append(files, fmt.Sprintf("x%d.html", i), tt.text)
	}
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS(files...)})
	for i, tt := range tests {
		w := httptest.NewRecorder()
		if err := e.Render(w, httptest.NewRequest("GET", "/", nil), fmt.Sprintf("x%d.html", i), tt.data); err != nil {
			t.Errorf("%s: %v", tt.context, err)
			continue
		}
		if got := w.Body.String(); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.context, got, tt.want)
		}
	}
}
