package anodetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode/security"
)

// Client sends requests to a handler served by a real HTTP server on 127.0.0.1
// (httptest.Server), keeping cookies like a browser. Redirects are returned, not
// followed, unless FollowRedirects is set. A Client is meant for one test
// goroutine at a time.
//
// # CSRF
//
// Get, Head, Post, PostJSON and Request behave like a browser posting a
// page of the site to itself: on an unsafe method (anything but GET, HEAD,
// OPTIONS and TRACE) they add "Origin: <BaseURL>", "Sec-Fetch-Site:
// same-origin" and an X-CSRF-Token header, unless the request already
// has that header (an explicit empty value included) or, for Post, a
// csrf_token form field. The token is made from the CSRF cookie in the
// jar; without one, from the csrf_token field of the last HTML page
// received (session storage); without either, the Client stores a new
// CSRF cookie first, as if the browser had loaded a page with a form. So
// tests that post keep working with CSRF protection on, and tests of the
// protection itself send requests exactly as built with Do (only the
// jar's cookies are added), or set NoCSRF.
type Client struct {
	// BaseURL is the server's URL, e.g. "http://127.0.0.1:41234".
	BaseURL string
	// FollowRedirects makes requests follow redirects (up to 10).
	FollowRedirects bool
	// Header is added to every request (e.g. Accept).
	Header http.Header
	// NoCSRF stops the Client from adding Origin, Sec-Fetch-Site and a CSRF
	// token to unsafe requests: it then posts like a script with cookies.
	NoCSRF bool

	t         testing.TB
	http      *http.Client
	jar       http.CookieJar
	pageToken string // the csrf_token field of the last HTML page
}

// NewClient serves h on 127.0.0.1 for the duration of the test and returns a
// Client for it.
func NewClient(t testing.TB, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return ClientFor(t, srv.URL)
}

// ClientFor returns a Client for a server already running at baseURL (a built
// binary in an end-to-end test, say).
func ClientFor(t testing.TB, baseURL string) *Client {
	jar, _ := cookiejar.New(nil)
	c := &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), Header: http.Header{}, t: t, jar: jar}
	c.http = &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !c.FollowRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return c
}

// Get sends a GET request for path (which may include a query).
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Request(http.MethodGet, path, nil, nil)
}

// Head sends a HEAD request.
func (c *Client) Head(path string) *Response {
	c.t.Helper()
	return c.Request(http.MethodHead, path, nil, nil)
}

// Post sends form as an application/x-www-form-urlencoded POST.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if form.Has(security.CSRFFieldName) {
		h[security.CSRFHeader] = nil // the test's own field decides
	}
	return c.Request(http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// PostJSON sends v encoded as JSON.
func (c *Client) PostJSON(path string, v any) *Response {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatalf("anodetest: encoding JSON body: %v", err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	return c.Request(http.MethodPost, path, bytes.NewReader(b), h)
}

// Request sends a request with any method, body and extra headers.
func (c *Client) Request(method, path string, body io.Reader, header http.Header) *Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.BaseURL+path, body)
	if err != nil {
		c.t.Fatalf("anodetest: building %s %s: %v", method, path, err)
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if !c.NoCSRF && !security.Safe(method) {
		c.addCSRF(req)
	}
	return c.Do(req)
}

// addCSRF makes req look like a same-origin browser request carrying a
// CSRF token (see Client).
func (c *Client) addCSRF(req *http.Request) {
	setDefault := func(k, v string) {
		if !hasHeader(req.Header, k) {
			req.Header[k] = []string{v}
		}
	}
	setDefault("Origin", req.URL.Scheme+"://"+req.URL.Host)
	setDefault("Sec-Fetch-Site", "same-origin")
	if hasHeader(req.Header, security.CSRFHeader) {
		return
	}
	if t := c.CSRFToken(); t != "" {
		req.Header.Set(security.CSRFHeader, t)
	}
}

// hasHeader reports whether h has key k in any spelling, even with no
// value: a test's http.Header literal may not be canonical.
func hasHeader(h http.Header, k string) bool {
	for key := range h {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// CSRFToken returns a valid CSRF token for the Client's next request: see
// Client for where it comes from. Tests of forms that want the token in
// the body put it in the csrf_token field themselves.
func (c *Client) CSRFToken() string {
	c.t.Helper()
	u, err := url.Parse(c.BaseURL + "/")
	if err != nil {
		c.t.Fatalf("anodetest: bad BaseURL %q: %v", c.BaseURL, err)
	}
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "csrftoken" || ck.Name == "__Host-csrftoken" {
			if t, err := security.NewTokenFor(ck.Value); err == nil {
				return t
			}
		}
	}
	if c.pageToken != "" {
		return c.pageToken
	}
	var b [32]byte
	rand.Read(b[:])
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	name := "csrftoken"
	if u.Scheme == "https" {
		name = "__Host-csrftoken"
	}
	c.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: secret, Path: "/", HttpOnly: true, Secure: u.Scheme == "https"}})
	t, err := security.NewTokenFor(secret)
	if err != nil {
		c.t.Fatalf("anodetest: making a CSRF token: %v", err)
	}
	return t
}

// Do sends req as it is (only the jar's cookies are added: no CSRF
// headers, unlike Request) and reads the whole response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("anodetest: %s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("anodetest: reading %s %s: %v", req.Method, req.URL, err)
	}
	r := &Response{Response: res, Body: body, t: c.t}
	if t := r.formCSRFToken(); t != "" {
		c.pageToken = t
	}
	return r
}

// Cookie returns the named cookie the client would send to path, or nil.
func (c *Client) Cookie(path, name string) *http.Cookie {
	u, err := url.Parse(c.BaseURL + path)
	if err != nil {
		return nil
	}
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}
