package anodetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/anode-go/anode/security"
)

// Response is a received response with its body read. Its Assert methods report
// failures with t.Errorf (the test goes on) and return the Response for chaining.
type Response struct {
	*http.Response
	// Body is the whole response body.
	Body []byte
	t    testing.TB
}

// AssertStatus checks the status code.
func (r *Response) AssertStatus(want int) *Response {
	r.t.Helper()
	if r.StatusCode != want {
		r.t.Errorf("%s %s: status %d, want %d; body:\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, snippet(r.Body))
	}
	return r
}

// AssertHeader checks that header key has exactly the value want ("" asserts
// that it is absent).
func (r *Response) AssertHeader(key, want string) *Response {
	r.t.Helper()
	if got := r.Header.Get(key); got != want {
		r.t.Errorf("%s %s: header %s = %q, want %q", r.Request.Method, r.Request.URL.Path, key, got, want)
	}
	return r
}

// AssertHeaderContains checks that header key contains sub.
func (r *Response) AssertHeaderContains(key, sub string) *Response {
	r.t.Helper()
	if got := r.Header.Get(key); !strings.Contains(got, sub) {
		r.t.Errorf("%s %s: header %s = %q, want it to contain %q", r.Request.Method, r.Request.URL.Path, key, got, sub)
	}
	return r
}

// AssertRedirect checks for a 3xx status whose Location is want.
func (r *Response) AssertRedirect(want string) *Response {
	r.t.Helper()
	if r.StatusCode < 300 || r.StatusCode > 399 || r.Header.Get("Location") != want {
		r.t.Errorf("%s %s: got %d Location %q, want a redirect to %q", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Header.Get("Location"), want)
	}
	return r
}

// AssertContains checks that the raw body contains s.
func (r *Response) AssertContains(s string) *Response {
	r.t.Helper()
	if !bytes.Contains(r.Body, []byte(s)) {
		r.t.Errorf("%s %s: body does not contain %q; body:\n%s", r.Request.Method, r.Request.URL.Path, s, snippet(r.Body))
	}
	return r
}

// AssertNotContains checks that the raw body does not contain s.
func (r *Response) AssertNotContains(s string) *Response {
	r.t.Helper()
	if bytes.Contains(r.Body, []byte(s)) {
		r.t.Errorf("%s %s: body contains %q; body:\n%s", r.Request.Method, r.Request.URL.Path, s, snippet(r.Body))
	}
	return r
}

// JSON decodes the body into v, failing the test if it is not valid JSON.
func (r *Response) JSON(v any) *Response {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s %s: body is not JSON (%v):\n%s", r.Request.Method, r.Request.URL.Path, err, snippet(r.Body))
	}
	return r
}

// AssertJSON checks that the body is JSON equal to want (compared after both are
// decoded, so key order and spacing do not matter).
func (r *Response) AssertJSON(want any) *Response {
	r.t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		r.t.Errorf("%s %s: body is not JSON (%v):\n%s", r.Request.Method, r.Request.URL.Path, err, snippet(r.Body))
		return r
	}
	b, err := json.Marshal(want)
	if err != nil {
		r.t.Fatalf("anodetest: encoding want: %v", err)
	}
	json.Unmarshal(b, &exp)
	if !reflect.DeepEqual(got, exp) {
		r.t.Errorf("%s %s: JSON body\n  got  %s\n  want %s", r.Request.Method, r.Request.URL.Path, bytes.TrimSpace(r.Body), b)
	}
	return r
}

// Text returns the visible text of an HTML body: tags, scripts and styles
// removed, entities decoded, white space collapsed.
func (r *Response) Text() string {
	var b strings.Builder
	z := html.NewTokenizer(bytes.NewReader(r.Body))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "script" || string(name) == "style" {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); (string(name) == "script" || string(name) == "style") && skip > 0 {
				skip--
			}
			b.WriteByte(' ')
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		}
	}
}

// AssertText checks that the visible text of an HTML body contains s (compared
// with white space collapsed), so markup changes do not break the test.
func (r *Response) AssertText(s string) *Response {
	r.t.Helper()
	want := strings.Join(strings.Fields(s), " ")
	if text := r.Text(); !strings.Contains(text, want) {
		r.t.Errorf("%s %s: page text does not contain %q; text:\n%s", r.Request.Method, r.Request.URL.Path, want, snippet([]byte(text)))
	}
	return r
}

// AssertTitle checks the HTML <title>.
func (r *Response) AssertTitle(want string) *Response {
	r.t.Helper()
	z := html.NewTokenizer(bytes.NewReader(r.Body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if name, _ := z.TagName(); tt == html.StartTagToken && string(name) == "title" {
			if z.Next() == html.TextToken {
				if got := strings.TrimSpace(string(z.Text())); got != want {
					r.t.Errorf("%s %s: title %q, want %q", r.Request.Method, r.Request.URL.Path, got, want)
				}
				return r
			}
		}
	}
	r.t.Errorf("%s %s: no <title>, want %q", r.Request.Method, r.Request.URL.Path, want)
	return r
}

func snippet(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// CSRFToken returns the value of the page's csrf_token form field (the
// hidden input {{.CSRFField}} renders), or "" when the response is not an
// HTML page with one.
func (r *Response) CSRFToken() string {
	return r.formCSRFToken()
}

func (r *Response) formCSRFToken() string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !bytes.Contains(r.Body, []byte(security.CSRFFieldName)) {
		return ""
	}
	z := html.NewTokenizer(bytes.NewReader(r.Body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data != "input" {
				continue
			}
			var name, value string
			for _, a := range tok.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "value":
					value = a.Val
				}
			}
			if name == security.CSRFFieldName {
				return value
			}
		}
	}
}
