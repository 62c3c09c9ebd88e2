package forms_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
	"golang.org/x/net/html"
)

type fuzzForm struct {
	Text  string                    `form:"text,max=20"`
	Email string                    `form:"email,kind=email"`
	N     *int64                    `form:"n,min=-5,max=5"`
	D     float64                   `form:"d"`
	B     bool                      `form:"b"`
	C     string                    `form:"c" choices:"a|b"`
	M     []int                     `form:"m" choices:"1|2|3"`
	At    string                    `form:"at,kind=url"`
	File  *forms.File               `form:"file,accept=image/*"`
	Files []*forms.File             `form:"files"`
	U     orm.UUID                  `form:"u"`
	W     time.Duration             `form:"w,max=24h"`
	J     orm.JSON[map[string]int]  `form:"j"`
	O     orm.Null[int64]           `form:"o"`
	P     orm.Null[orm.JSON[[]any]] `form:"p"`
}

// checkBind binds a request body and checks the invariants: no panic, a
// refused body is a *RequestError that leaves the form alone, every other
// problem is a form error with a key and message, and the form renders.
func checkBind(t *testing.T, contentType string, body []byte) {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	f := forms.New[fuzzForm]()
	f.Limits = forms.Limits{MaxBytes: 1 << 16, MaxFields: 50, MaxFiles: 5, MaxMemory: 1 << 10}
	err := f.Bind(r)
	defer f.RemoveFiles()
	if err != nil {
		var re *forms.RequestError
		if !errors.As(err, &re) {
			t.Fatalf("error %T %v is not a RequestError", err, err)
		}
		if f.IsBound() {
			t.Fatal("refused body bound the form")
		}
		return
	}
	for _, e := range f.Errors().All() {
		if e.Key == "" || e.Message == "" {
			t.Fatalf("error without key or message: %+v", e)
		}
	}
	out := string(f.HTML())
	doc, perr := html.Parse(strings.NewReader(out))
	if perr != nil {
		t.Fatal(perr)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img" || n.Data == "a") {
			t.Fatalf("injected <%s> in %s", n.Data, out)
		}
	}
}

func FuzzBindURLEncoded(f *testing.F) {
	for _, s := range []string{"", "text=hi&n=3&b=on&c=a&m=1&m=3", "n=%zz", "text=%00", "m=9&m=1", "email=a%40b.co&at=x.org",
		"text=" + strings.Repeat("x", 100), "d=NaN", "d=1e400", "n=99999999999999999999", ";;;&&&==", "text=\"><script>",
		"u=0190a6c4-7dec-71d0-a765-00a0c91e6bf6&w=1+02:03:04.5&j=%7B%22a%22%3A1%7D&o=7&p=%5B1%2Cnull%5D", "u=%7B0190A6C47DEC71D0A76500A0C91E6BF6%7D&w=90m&o=",
		"u=x&w=-1:60&j=%7B&o=a&p=%5D", "w=9223372036.854775808&j=%3C%2Ftextarea%3E%3Cscript%3E&p=%22%3C%2Ftextarea%3E%3Cimg%3E%22"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkBind(t, "application/x-www-form-urlencoded", []byte(body))
	})
}

func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{"", "{}", "null", `{"text":"hi","n":3,"b":true,"m":[1,2]}`, `{"n":{"a":1}}`, `{"m":[[1]]}`,
		`{"n":1e999}`, `[`, `{"text":"\u0000"}`, `{"d":"-0.5"}`, `{"c":null}`, `{"text":"<img src=x onerror=alert(1)>"}`,
		`{"u":"0190a6c4-7dec-71d0-a765-00a0c91e6bf6","w":"01:00:00","j":"{\"a\":1}","o":3,"p":"[]"}`, `{"w":3600,"o":null,"j":"</textarea><script>"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkBind(t, "application/json", []byte(body))
	})
}

func FuzzBindMultipart(f *testing.F) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("BOUNDARY")
	mw.WriteField("text", "hi")
	mw.WriteField("m", "2")
	w, _ := mw.CreateFormFile("file", "a.png")
	w.Write(png)
	w, _ = mw.CreateFormFile("files", "b.txt")
	w.Write(bytes.Repeat([]byte("z"), 3000))
	mw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("--BOUNDARY\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nx\r\n--BOUNDARY--\r\n"))
	f.Add([]byte("--BOUNDARY\r\n\r\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, "multipart/form-data; boundary=BOUNDARY", body)
	})
}
