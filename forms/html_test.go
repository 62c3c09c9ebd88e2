package forms_test

import (
	"context"
	"html/template"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode/forms"
	"golang.org/x/net/html"
)

const hostile = `"><script>alert('x')</script>&amp;`

type hostileForm struct {
	Name   string   `form:"name,required,max=10" label:"<b>Name</b>" help:"Say \"hi\" & <i>smile</i>"`
	Bio    string   `form:"bio,kind=textarea"`
	Secret string   `form:"secret,kind=password"`
	Pick   string   `form:"pick,widget=radio"`
	Many   []string `form:"many,widget=checkboxes"`
	Sel    string   `form:"sel"  choices:"a:A"`
	Next   string   `form:"next,kind=hidden,required"`
}

func TestHTMLEscapesEverything(t *testing.T) {
	f := forms.New[hostileForm]()
	f.SetChoices("pick", []forms.Choice{{Value: hostile, Label: hostile}})
	f.SetChoices("many", []forms.Choice{{Value: hostile, Label: hostile}})
	f.BindValues(context.Background(), url.Values{
		"name": {hostile}, "bio": {"</textarea>" + hostile}, "secret": {hostile},
		"pick": {hostile}, "many": {hostile}, "sel": {hostile},
	})
	out := string(f.HTML())
	// parsed as a browser would, the markup has only our elements, and every
	// value comes back exactly as submitted
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "html", "head", "body", "div", "ul", "li", "label", "input", "textarea", "select", "option", "fieldset", "legend":
		default:
			t.Errorf("element <%s> in\n%s", n.Data, out)
		}
		var name, value string
		for _, a := range n.Attr {
			switch a.Key {
			case "name":
				name = a.Val
			case "value":
				value = a.Val
			}
		}
		if n.Data == "textarea" {
			value = n.FirstChild.Data
		}
		if name != "" && value != "" {
			values[name] = value
		}
	}
	for name, want := range map[string]string{"name": hostile, "bio": "</textarea>" + hostile, "pick": hostile, "many": hostile} {
		if values[name] != want {
			t.Errorf("%s: value %q, want %q", name, values[name], want)
		}
	}
	if _, ok := values["secret"]; ok {
		t.Error("password echoed")
	}
	if strings.Count(out, "&lt;script&gt;") < 5 {
		t.Errorf("values not preserved:\n%s", out)
	}
	if strings.Contains(out, `name="secret" id="id_secret" value`) {
		t.Errorf("password echoed:\n%s", out)
	}
	// the output parses back into the same structure: one <script> element never appears
	// and every error list is reachable from its input
	for _, want := range []string{
		`<label for="id_name">&lt;b&gt;Name&lt;/b&gt;</label>`,
		`aria-invalid="true" aria-describedby="id_name_help id_name_errors"`,
		`<div class="helptext" id="id_name_help">Say &#34;hi&#34; &amp; &lt;i&gt;smile&lt;/i&gt;</div>`,
		`<ul class="errorlist" id="id_name_errors"><li>Ensure this value has at most 10 characters`,
		`<ul class="errorlist nonfield" id="id_errors"><li>Next: This field is required.</li></ul>`,
		`<input type="hidden" name="next" value="">`,
		`checked> &#34;&gt;&lt;script&gt;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}

type profile struct {
	Email string  `form:"email,required,kind=email,max=100,autocomplete=email" help:"Work address."`
	Age   *int64  `form:"age,min=18,max=130"`
	Color string  `form:"color,required" choices:"r:Red|g:Green"`
	Tags  []int64 `form:"tags" choices:"1:One|2:Two"`
	News  bool    `form:"news"`
	Code  string  `form:"code" pattern:"[a-z]+"`
}

func TestHTMLUnboundShowsInitial(t *testing.T) {
	f := forms.New[profile]()
	age := int64(40)
	f.Data = profile{Email: "a@b.co", Age: &age, Color: "g", Tags: []int64{2}, News: true}
	got := map[string]string{}
	for _, bf := range f.Fields() {
		got[bf.Name()] = string(bf.Input())
	}
	want := map[string]string{
		"email": `<input type="email" name="email" id="id_email" required autocomplete="email" aria-describedby="id_email_help" maxlength="100" value="a@b.co">`,
		"age":   `<input type="number" name="age" id="id_age" min="18" max="130" value="40">`,
		"color": `<select name="color" id="id_color" required><option value="">---------</option><option value="r">Red</option><option value="g" selected>Green</option></select>`,
		"tags":  `<select name="tags" id="id_tags" multiple><option value="1">One</option><option value="2" selected>Two</option></select>`,
		"news":  `<input type="checkbox" name="news" id="id_news" value="true" checked>`,
		"code":  `<input type="text" name="code" id="id_code" pattern="[a-z]+">`,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], w)
		}
	}
	if f.IsBound() || f.Valid() || f.Err() != nil {
		t.Error("unbound form is not valid")
	}
}

func TestInTemplate(t *testing.T) {
	tpl := template.Must(template.New("").Parse(
		`<form method="post">{{.Form.NonFieldErrors}}{{with .Form.Field "email"}}{{.Label}}{{.Input}}{{.ErrorList}}{{end}}{{range .Form.Fields}}{{if .Invalid}}[{{.Name}}]{{end}}{{end}}</form>`))
	f := forms.New[profile]()
	f.BindValues(context.Background(), url.Values{"email": {"bad<"}})
	var b strings.Builder
	if err := tpl.Execute(&b, map[string]any{"Form": f}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `value="bad&lt;"`) || !strings.Contains(out, "[email][color]") || !strings.Contains(out, "Enter a valid email address.") {
		t.Fatal(out)
	}
	bad := template.Must(template.New("").Parse(`{{.Form.Field "nope"}}`))
	if err := bad.Execute(&b, map[string]any{"Form": f}); err == nil || !strings.Contains(err.Error(), `no field "nope"`) {
		t.Fatal(err)
	}
}
