package forms_test

import (
	"net/http"
	"net/url"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
)

// TestInAnApp runs the handler of docs/forms.md in an App with a module
// template rendered by render: GET shows the empty form, an invalid POST
// shows it again with the errors and what was typed, a valid one redirects.
func TestInAnApp(t *testing.T) {
	mod := anode.Module{
		Name: "contact",
		Templates: fstest.MapFS{"contact/form.html": {Data: []byte(
			`<form method="post">{{.CSRFField}}{{.Data.Form.HTML}}<button>Send</button></form>`)}},
		Routes: func(r *anode.Router) {
			page := r.Template("contact/form.html")
			r.Handle("/contact/", anode.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				f := forms.New[ContactForm]()
				if r.Method == http.MethodPost {
					if err := f.Bind(r); err != nil {
						return err
					}
					if f.Valid() {
						http.Redirect(w, r, "/thanks/", http.StatusSeeOther)
						return nil
					}
				}
				return page.Render(w, r, map[string]any{"Form": f})
			}))
		},
	}
	c := anodetest.NewClient(t, anodetest.NewApp(t, mod))
	c.Get("/contact/").AssertStatus(200).AssertContains(`<label for="id_email">Your email</label>`).AssertNotContains("errorlist")
	c.Post("/contact/", url.Values{"email": {`x"><b>@`}, "topic": {"sales"}, "message": {"short"}}).
		AssertStatus(200).
		AssertContains(`value="x&#34;&gt;&lt;b&gt;@"`).
		AssertContains(`aria-invalid="true"`).
		AssertText("Enter a valid email address.").
		AssertText("Ensure this value has at least 10 characters (it has 5).").
		AssertNotContains("<b>")
	c.Post("/contact/", url.Values{"email": {"a@b.co"}, "topic": {"sales"}, "message": {"Long enough message"}}).
		AssertStatus(303)
}
