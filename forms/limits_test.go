package forms_test

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
)

type small struct {
	Name  string        `form:"name"`
	Files []*forms.File `form:"files"`
}

func urlencoded(n int) *http.Request {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "f%d=x&", i)
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader("name=set&"+b.String()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func multipartFiles(t testing.TB, n int, size int) *http.Request {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("name", "set")
	for i := range n {
		w, _ := mw.CreateFormFile("files", fmt.Sprintf("f%d.txt", i))
		w.Write(bytes.Repeat([]byte("a"), size))
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestLimits(t *testing.T) {
	jsonFields := func(n int) *http.Request {
		var b strings.Builder
		b.WriteString(`{"name":"set"`)
		for i := range n {
			fmt.Fprintf(&b, `,"f%d":1`, i)
		}
		b.WriteString("}")
		r := httptest.NewRequest("POST", "/", strings.NewReader(b.String()))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	big := httptest.NewRequest("POST", "/", strings.NewReader("name="+strings.Repeat("x", forms.DefaultMaxBytes)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	big.ContentLength = -1 // unknown: the reader must stop at the limit
	cases := []struct {
		name   string
		r      *http.Request
		want   error
		status int
	}{
		{"urlencoded fields", urlencoded(1000), forms.ErrTooManyFields, 400},
		{"json fields", jsonFields(1000), forms.ErrTooManyFields, 400},
		{"multipart files", multipartFiles(t, 101, 1), forms.ErrTooManyFiles, 400},
		{"body", big, forms.ErrBodyTooLarge, 413},
		{"media type", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("x"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), forms.ErrUnsupportedMediaType, 415},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := forms.New[small]()
			f.Data.Name = "initial"
			err := f.Bind(c.r)
			var re *forms.RequestError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || re.HTTPStatus() != c.status {
				t.Fatalf("err %v, want %v (%d)", err, c.want, c.status)
			}
			if f.Data.Name != "initial" || f.IsBound() {
				t.Fatal("a refused body changed the form")
			}
		})
	}
	// at the limits, all is well
	for _, r := range []*http.Request{urlencoded(999), jsonFields(999), multipartFiles(t, 100, 1)} {
		f := forms.New[small]()
		if err := f.Bind(r); err != nil || f.Data.Name != "set" {
			t.Fatalf("%v %+v", err, f.Data)
		}
	}
}

func TestLimitsThroughApp(t *testing.T) {
	mod := anode.Module{Name: "f", Routes: func(r *anode.Router) {
		r.Post("/f/", func(w http.ResponseWriter, r *http.Request) error {
			f, err := forms.Bind[small](r)
			if err != nil {
				return err
			}
			if err := f.Err(); err != nil {
				return err
			}
			w.Write([]byte("ok " + f.Data.Name))
			return nil
		})
	}}
	c := anodetest.NewClient(t, anodetest.NewApp(t, mod))
	r := urlencoded(1001)
	c.Request("POST", "/f/", r.Body, r.Header).AssertStatus(400).AssertContains("too many fields: the limit is 1000")
	r = multipartFiles(t, 101, 1)
	c.Request("POST", "/f/", r.Body, r.Header).AssertStatus(400).AssertContains("too many files")
	r = multipartFiles(t, 1, 11<<20)
	c.Request("POST", "/f/", r.Body, r.Header).AssertStatus(413)
	r = urlencoded(3)
	c.Request("POST", "/f/", r.Body, r.Header).AssertStatus(200).AssertContains("ok set")
}
