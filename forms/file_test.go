package forms_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/anode-go/anode/forms"
)

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)

type upload struct {
	Title  string        `form:"title,required"`
	Avatar *forms.File   `form:"avatar,required,maxsize=1KiB,accept=image/png|image/jpeg"`
	Docs   []*forms.File `form:"docs,max=2"`
}

type part struct {
	field, filename, contentType string
	content                      []byte
}

func multipartRequest(t testing.TB, parts ...part) *forms.Form[upload] {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("title", "t")
	for _, p := range parts {
		h := map[string][]string{
			"Content-Disposition": {`form-data; name="` + p.field + `"; filename="` + p.filename + `"`},
			"Content-Type":        {p.contentType},
		}
		w, _ := mw.CreatePart(h)
		w.Write(p.content)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	f := forms.New[upload]()
	f.Limits.MaxMemory = 50 // the second file spills to disk
	if err := f.Bind(r); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.RemoveFiles)
	return f
}

func TestUploads(t *testing.T) {
	f := multipartRequest(t,
		part{"avatar", "../../me.png", "text/plain", png},
		part{"docs", "a.txt", "text/plain", []byte("hello")},
		part{"docs", "b.txt", "text/plain", bytes.Repeat([]byte("x"), 200)},
	)
	if !f.Valid() {
		t.Fatal(f.Errors())
	}
	a := f.Data.Avatar
	if a.Filename != "me.png" || a.ContentType != "image/png" || a.Size != int64(len(png)) {
		t.Fatalf("%+v", a)
	}
	if len(f.Data.Docs) != 2 {
		t.Fatal(f.Data.Docs)
	}
	rc, err := f.Data.Docs[1].Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if len(b) != 200 {
		t.Fatal(len(b))
	}
	name := rc.(*os.File).Name()
	f.RemoveFiles()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatal("temporary file left behind")
	}
}

func TestUploadErrors(t *testing.T) {
	cases := []struct {
		name  string
		parts []part
		field string
		key   string
	}{
		{"missing", nil, "avatar", "required"},
		{"sniffed type", []part{{"avatar", "x.png", "image/png", []byte("<html><script>")}}, "avatar", "file_type"},
		{"too large", []part{{"avatar", "x.png", "image/png", append(png, make([]byte, 1024)...)}}, "avatar", "file_too_large"},
		{"too many", []part{{"avatar", "x.png", "", png}, {"docs", "1", "", nil}, {"docs", "2", "", nil}, {"docs", "3", "", nil}}, "docs", "max_files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := multipartRequest(t, c.parts...)
			errs := f.Errors().Field(c.field)
			if len(errs) != 1 || errs[0].Key != c.key {
				t.Fatalf("%v, want %s on %s", f.Errors().All(), c.key, c.field)
			}
		})
	}
}

func TestFileTooLargeForLimits(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("docs", "big.bin")
	w.Write(make([]byte, 5000))
	mw.WriteField("title", "after the big file")
	mw.Close()
	r := httptest.NewRequest("POST", "/", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	f := forms.New[upload]()
	f.Limits.MaxFileBytes = 4096
	if err := f.Bind(r); err != nil {
		t.Fatal(err)
	}
	errs := f.Errors().Field("docs")
	if len(errs) != 1 || errs[0].Key != "file_too_large" || errs[0].Params["max"] != int64(4096) || f.Data.Title != "after the big file" {
		t.Fatalf("%v %+v", f.Errors().All(), f.Data)
	}
}
