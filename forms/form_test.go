package forms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
)

type signup struct {
	Email    string      `form:"email,required,max=100,kind=email" label:"Email address" help:"We never share it."`
	Name     string      `form:"name,min=2,max=20"`
	Age      int64       `form:"age,min=18,max=130"`
	Score    *int        `form:"score"`
	Password string      `form:"password,required,kind=password,min=8"`
	Confirm  string      `form:"confirm,required,kind=password"`
	Terms    bool        `form:"terms,required"`
	Color    string      `form:"color" choices:"red:Red|green:Green"`
	Tags     []string    `form:"tags" choices:"a|b|c"`
	Price    orm.Decimal `form:"price,places=2,min=0"`
	Born     orm.Date    `form:"born"`
	At       time.Time   `form:"at"`
	Site     string      `form:"site,kind=url"`
	Slug     string      `form:"slug,kind=slug"`
	Code     string      `form:"code" pattern:"[A-Z]{3}-[0-9]+"`
	Bio      string      `form:"bio,kind=textarea"`
	Next     string      `form:"next,kind=hidden"`
	internal int
}

func (s *signup) CleanName(v string) (string, error) {
	if v == "root" {
		return "", forms.Invalid("reserved", "This name is reserved.")
	}
	return strings.ToLower(v), nil
}

func (s *signup) Clean() error {
	if s.Password != s.Confirm {
		return forms.InvalidField("confirm", "mismatch", "The two passwords differ.")
	}
	return nil
}

func valid() url.Values {
	return url.Values{
		"email": {" ann@example.com "}, "name": {"Ann"}, "age": {"30"}, "password": {"secret123"},
		"confirm": {"secret123"}, "terms": {"on"}, "color": {"red"}, "tags": {"a", "c"},
		"price": {"9.50"}, "born": {"1990-02-03"}, "at": {"2024-05-06T07:08"}, "site": {"example.com/x"},
		"slug": {"my-post"}, "code": {"ABC-12"}, "bio": {"hi"}, "next": {"/home"},
	}
}

func TestBindValid(t *testing.T) {
	f := forms.New[signup]()
	if err := f.BindValues(context.Background(), valid()); err != nil {
		t.Fatal(err)
	}
	if !f.Valid() {
		t.Fatalf("errors: %v", f.Errors())
	}
	d := f.Data
	if d.internal != 0 {
		t.Fatal("an unexported field was bound")
	}
	if d.Email != "ann@example.com" || d.Name != "ann" || d.Age != 30 || d.Score != nil || !d.Terms ||
		d.Color != "red" || len(d.Tags) != 2 || d.Price.String() != "9.50" || d.Born != orm.NewDate(1990, 2, 3) ||
		!d.At.Equal(time.Date(2024, 5, 6, 7, 8, 0, 0, time.UTC)) || d.Site != "https://example.com/x" || d.Next != "/home" {
		t.Fatalf("data: %+v", d)
	}
}

func TestBindErrors(t *testing.T) {
	cases := []struct {
		field, value, key string
	}{
		{"email", "", "required"},
		{"email", "not-an-email", "invalid_email"},
		{"email", strings.Repeat("a", 95) + "@x.com", "max_length"},
		{"name", "A", "min_length"},
		{"name", "root", "reserved"},
		{"age", "17", "min_value"},
		{"age", "abc", "invalid_integer"},
		{"age", "99999999999999999999", "invalid_integer"},
		{"score", "1.5", "invalid_integer"},
		{"password", "short", "min_length"},
		{"terms", "", "required"},
		{"terms", "maybe", "invalid_boolean"},
		{"color", "blue", "invalid_choice"},
		{"tags", "z", "invalid_choice"},
		{"price", "1.234", "max_places"},
		{"price", "-1", "min_value"},
		{"price", "1e5", "invalid_number"},
		{"born", "1990-02-30", "invalid_date"},
		{"at", "yesterday", "invalid_datetime"},
		{"site", "javascript:alert(1)", "invalid_url"},
		{"slug", "a b", "invalid_slug"},
		{"code", "abc-12", "invalid_pattern"},
		{"bio", "a\x00b", "invalid_text"},
		{"bio", "\xff", "invalid_text"},
	}
	for _, c := range cases {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			v := valid()
			v.Set(c.field, c.value)
			f := forms.New[signup]()
			if err := f.BindValues(context.Background(), v); err != nil {
				t.Fatal(err)
			}
			errs := f.Errors().Field(c.field)
			if f.Valid() || len(errs) != 1 || errs[0].Key != c.key {
				t.Fatalf("errors %v, want one %q on %s", f.Errors().All(), c.key, c.field)
			}
			if errs[0].Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestMessageParams(t *testing.T) {
	v := valid()
	v.Set("name", strings.Repeat("x", 21))
	f := forms.New[signup]()
	f.BindValues(context.Background(), v)
	e := f.Errors().Field("name")[0]
	if e.Key != "max_length" || e.Params["max"] != 20 || e.Message != "Ensure this value has at most 20 characters (it has 21)." {
		t.Fatalf("%+v", e)
	}
}

func TestFormClean(t *testing.T) {
	v := valid()
	v.Set("confirm", "other1234")
	f := forms.New[signup]()
	f.BindValues(context.Background(), v)
	errs := f.Errors().Field("confirm")
	if len(errs) != 1 || errs[0].Key != "mismatch" {
		t.Fatalf("%v", f.Errors().All())
	}
	// a field error stops the form's Clean
	v.Set("age", "x")
	f = forms.New[signup]()
	f.BindValues(context.Background(), v)
	if len(f.Errors().Field("confirm")) != 0 {
		t.Fatal("Clean ran with invalid fields")
	}
	if f.Data.Age != 0 {
		t.Fatal("invalid field not zeroed")
	}
}

type failing struct {
	Name string `form:"name"`
}

var errDown = errors.New("database down")

func (f *failing) CleanName(ctx context.Context, v string) (string, error) {
	return "", errDown
}

func TestHookFailureIsAnError(t *testing.T) {
	f := forms.New[failing]()
	err := f.BindValues(context.Background(), url.Values{"name": {"x"}})
	if !errors.Is(err, errDown) {
		t.Fatalf("err %v", err)
	}
}

func TestBindRequest(t *testing.T) {
	body := valid().Encode()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f, err := forms.Bind[signup](r)
	if err != nil || !f.Valid() {
		t.Fatalf("%v %v", err, f.Errors())
	}
	r = httptest.NewRequest("GET", "/?"+body, nil)
	f, err = forms.Bind[signup](r)
	if err != nil || !f.Valid() {
		t.Fatalf("GET: %v %v", err, f.Errors())
	}
}

func TestBindJSON(t *testing.T) {
	body := `{"email":"a@b.co","password":"secret123","confirm":"secret123","terms":true,"age":40,
		"tags":["a","b"],"price":"1.25","score":null,"color":"green","name":"Bob"}`
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	f, err := forms.Bind[signup](r)
	if err != nil || !f.Valid() {
		t.Fatalf("%v %v", err, f.Errors())
	}
	if f.Data.Age != 40 || !f.Data.Terms || len(f.Data.Tags) != 2 {
		t.Fatalf("%+v", f.Data)
	}
	for _, c := range []struct{ body, field, key string }{
		{`{"age":{"x":1}}`, "age", "invalid_type"},
		{`{"age":[1,2]}`, "age", "multiple_values"},
		{`{"age":1.5}`, "age", "invalid_integer"},
		{`[1]`, "", "malformed"},
		{`{"a":1}{}`, "", "malformed"},
		{`{"a":`, "", "malformed"},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		f, err := forms.Bind[signup](r)
		if err != nil {
			t.Fatal(err)
		}
		errs := f.Errors().Field(c.field)
		if len(errs) == 0 || errs[0].Key != c.key {
			t.Errorf("%s: %v, want %s on %q", c.body, f.Errors().All(), c.key, c.field)
		}
	}
}

func TestErrJSON(t *testing.T) {
	f := forms.New[signup]()
	f.BindValues(context.Background(), url.Values{})
	err := f.Err()
	var se interface{ HTTPStatus() int }
	if !errors.As(err, &se) || se.HTTPStatus() != http.StatusUnprocessableEntity {
		t.Fatalf("%v", err)
	}
	b, _ := f.Errors().MarshalJSON()
	if !strings.Contains(string(b), `"email":[{"key":"required","message":"This field is required."}]`) {
		t.Fatalf("%s", b)
	}
}

func TestPrefix(t *testing.T) {
	f := forms.New[failing]()
	f.Prefix = "p"
	type plain struct {
		Name string `form:"name,required"`
	}
	g := forms.New[plain]()
	g.Prefix = "p"
	g.BindValues(context.Background(), url.Values{"p-name": {"x"}, "name": {""}})
	if !g.Valid() || g.Data.Name != "x" {
		t.Fatal(g.Errors())
	}
	bf, _ := g.Field("name")
	if bf.Name() != "p-name" || bf.ID() != "id_p-name" {
		t.Fatal(bf.Name(), bf.ID())
	}
	_ = f
}
