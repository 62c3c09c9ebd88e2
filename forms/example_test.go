package forms_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/sqlite"
)

// ContactForm is a form: each field's Go type is the type of its cleaned
// value, and its tag names it and sets its rules.
type ContactForm struct {
	Email   string `form:"email,required,kind=email,max=100" label:"Your email"`
	Topic   string `form:"topic,required" choices:"sales:Sales|support:Support"`
	Message string `form:"message,required,kind=textarea,min=10"`
	CopyMe  bool   `form:"copy_me" label:"Send me a copy"`
}

// CleanEmail is a field clean hook: it may change the value or reject it.
func (c *ContactForm) CleanEmail(v string) (string, error) {
	if strings.HasSuffix(v, "@example.invalid") {
		return "", forms.Invalid("blocked_domain", "Use a real address.")
	}
	return strings.ToLower(v), nil
}

func Example() {
	body := url.Values{"email": {"Ann@Example.com"}, "topic": {"sales"}, "message": {"Hello there!"}}.Encode()
	r := httptest.NewRequest("POST", "/contact/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	f, err := forms.Bind[ContactForm](r)
	if err != nil {
		fmt.Println("refused:", err) // too large, too many fields: the App renders it as 400/413
		return
	}
	if !f.Valid() {
		fmt.Println(f.Errors())
		return
	}
	fmt.Printf("%s wrote about %s (copy: %v)\n", f.Data.Email, f.Data.Topic, f.Data.CopyMe)
	// Output: ann@example.com wrote about sales (copy: false)
}

func Example_errors() {
	f := forms.New[ContactForm]()
	f.BindValues(context.Background(), url.Values{"email": {"x@example.invalid"}, "topic": {"spam"}, "message": {"Hi"}})
	for _, e := range f.Errors().All() {
		fmt.Printf("%s %s %v: %s\n", e.Field, e.Key, e.Params, e.Message)
	}
	// Output:
	// email blocked_domain map[]: Use a real address.
	// topic invalid_choice map[value:spam]: Select a valid choice. spam is not one of the available choices.
	// message min_length map[length:2 min:10]: Ensure this value has at least 10 characters (it has 2).
}

func Example_template() {
	page := template.Must(template.New("contact").Parse(`<form method="post">
{{- .Form.NonFieldErrors}}
{{- with .Form.Field "email"}}
<p>{{.Label}} {{.Input}}{{.ErrorList}}</p>
{{- end}}
</form>`))
	f := forms.New[ContactForm]()
	f.BindValues(context.Background(), url.Values{"email": {`"><script>`}})
	page.Execute(os.Stdout, map[string]any{"Form": f})
	// Output:
	// <form method="post">
	// <p><label for="id_email">Your email</label> <input type="email" name="email" id="id_email" required aria-invalid="true" aria-describedby="id_email_errors" maxlength="100" value="&#34;&gt;&lt;script&gt;"><ul class="errorlist" id="id_email_errors"><li>Enter a valid email address.</li></ul></p>
	// </form>
}

// A handler binds, re-renders with the errors when the form is invalid, and
// uses the typed values otherwise.
func ExampleForm_Bind() {
	page := template.Must(template.New("").Parse(`<form method="post">{{.HTML}}<button>Send</button></form>`))
	handler := func(w http.ResponseWriter, r *http.Request) error {
		f := forms.New[ContactForm]()
		if r.Method == http.MethodPost {
			if err := f.Bind(r); err != nil {
				return err
			}
			if f.Valid() {
				// send f.Data.Message to f.Data.Email ...
				http.Redirect(w, r, "/thanks/", http.StatusSeeOther)
				return nil
			}
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		return page.Execute(w, f)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", strings.NewReader("email=a@b.co&topic=support&message=Please+call+me."))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	handler(w, r)
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output: 303 /thanks/
}

type Note struct {
	ID    int64  `anode:"pk,auto"`
	Title string `anode:"max=80,unique"`
	Body  string
}

func ExampleNewModelForm() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	reg := orm.NewRegistry()
	reg.Register("notes", Note{})
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(dir, "db.sqlite"), reg, orm.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.CreateTables(ctx)

	form, _ := forms.NewModelForm[Note](ctx, db, nil) // a new note; pass &note to edit one
	form.BindValues(ctx, url.Values{"title": {"Groceries"}, "body": {"Milk"}})
	if err := form.Save(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("saved note", form.Instance.ID)

	again, _ := forms.NewModelForm[Note](ctx, db, nil)
	again.BindValues(ctx, url.Values{"title": {"Groceries"}, "body": {"Eggs"}})
	fmt.Println(again.Valid(), again.Errors().Field("title")[0].Message)
	// Output:
	// saved note 1
	// false Note with this title already exists.
}
