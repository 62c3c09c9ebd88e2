package forms_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode/forms"
)

type benchForm struct {
	Email   string `form:"email,required,kind=email,max=100"`
	Name    string `form:"name,required,max=50"`
	Age     int64  `form:"age,min=0,max=150"`
	Topic   string `form:"topic" choices:"a|b|c"`
	Message string `form:"message,kind=textarea"`
	Agree   bool   `form:"agree"`
}

func BenchmarkBindURLEncoded(b *testing.B) {
	body := url.Values{"email": {"ann@example.com"}, "name": {"Ann"}, "age": {"33"}, "topic": {"b"}, "message": {"Hello there"}, "agree": {"on"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		f, err := forms.Bind[benchForm](r)
		if err != nil || !f.Valid() {
			b.Fatal(err, f.Errors())
		}
	}
}

func BenchmarkRender(b *testing.B) {
	f := forms.New[benchForm]()
	f.Data = benchForm{Email: "ann@example.com", Name: "Ann <3", Topic: "b"}
	b.ReportAllocs()
	for b.Loop() {
		_ = f.HTML()
	}
}
