package anodetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Client sends requests to a handler served by a real HTTP server on 127.0.0.1
// (httptest.Server), keeping cookies like a browser. Redirects are returned, not
// followed, unless FollowRedirects is set. A Client is meant for one test
// goroutine at a time.
type Client struct {
	// BaseURL is the server's URL, e.g. "http://127.0.0.1:41234".
	BaseURL string
	// FollowRedirects makes requests follow redirects (up to 10).
	FollowRedirects bool
	// Header is added to every request (e.g. Accept).
	Header http.Header

	t    testing.TB
	http *http.Client
	jar  http.CookieJar
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
	return c.Do(req)
}

// Do sends req and reads the whole response.
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
	return &Response{Response: res, Body: body, t: c.t}
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
