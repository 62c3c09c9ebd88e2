package render_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/render"
)

func TestExecuteText(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "mail", FS: mapFS(
		"mail/body.txt", `Dear {{.Data.Name}},{{template "mail/sig.txt" .}}`,
		"mail/sig.txt", `{{"\n"}}-- {{upper "the team"}} <team@example.com>`,
		"mail/broken.txt", `{{.Data.Missing.Field}}`,
	)})
	data := map[string]string{"Name": `O'Brien & "Sons" <ltd>`}

	var text strings.Builder
	if err := e.ExecuteText(&text, nil, "mail/body.txt", data); err != nil {
		t.Fatal(err)
	}
	if want := "Dear O'Brien & \"Sons\" <ltd>,\n-- THE TEAM <team@example.com>"; text.String() != want {
		t.Fatalf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	// The same template through html/template is escaped: the HTML build is
	// not disturbed by the text one.
	var html strings.Builder
	if err := e.Execute(&html, nil, "mail/body.txt", data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "O&#39;Brien &amp; &#34;Sons&#34; &lt;ltd&gt;") {
		t.Fatalf("html: %s", html.String())
	}
	// Twice: the text build is cached.
	text.Reset()
	if err := e.ExecuteText(&text, nil, "mail/body.txt", data); err != nil || !strings.HasPrefix(text.String(), "Dear O'Brien") {
		t.Fatalf("second run: %q, %v", text.String(), err)
	}

	var re *render.Error
	if err := e.ExecuteText(&text, nil, "mail/nope.txt", nil); !errors.Is(err, render.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if err := e.ExecuteText(&text, nil, "mail/broken.txt", map[string]any{"Missing": 3}); !errors.As(err, &re) || re.Line != 1 {
		t.Fatalf("broken: %v", err)
	}
}
