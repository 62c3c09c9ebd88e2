package anode_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// csrfSite has a form page, a plain page, a state-changing route and an
// exempt webhook.
func csrfSite(t *testing.T, debug bool) (*anode.App, *anodetest.Client) {
	t.Helper()
	cfg := anodetest.Config(t)
	cfg.Debug = debug
	app := anodetest.NewAppConfig(t, cfg, anode.Module{
		Name: "site",
		Templates: fstest.MapFS{
			"site/form.html": {Data: []byte(`<form method="post">{{.CSRFField}}<input name="note"></form><meta name="csrf-token" content="{{.CSRFToken}}">`)},
		},
		Routes: func(r *anode.Router) {
			r.Get("/form/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "site/form.html", nil) })
			r.Get("/plain/", func(w http.ResponseWriter, r *http.Request) error { _, err := w.Write([]byte("plain")); return err })
			r.Post("/notes/", func(w http.ResponseWriter, r *http.Request) error {
				_, err := w.Write([]byte("saved " + r.PostFormValue("note")))
				return err
			})
			r.Post("/hook/", func(w http.ResponseWriter, r *http.Request) error { _, err := w.Write([]byte("hooked")); return err }).CSRFExempt()
		},
	})
	return app, anodetest.NewClient(t, app)
}

func TestCSRFForm(t *testing.T) {
	_, c := csrfSite(t, false)
	c.Get("/plain/").AssertStatus(200).AssertHeader("Set-Cookie", "").AssertHeader("Vary", "Accept-Encoding")

	page := c.Get("/form/").AssertStatus(200).AssertHeaderContains("Set-Cookie", "csrftoken=").AssertHeaderContains("Vary", "Cookie")
	field := page.CSRFToken()
	if len(field) != 86 || !strings.Contains(string(page.Body), `<input type="hidden" name="csrf_token" value="`+field+`">`) {
		t.Fatalf("form field: %q in %s", field, page.Body)
	}
	if !strings.Contains(string(page.Body), `<meta name="csrf-token" content="`) || strings.Count(string(page.Body), field) != 1 {
		t.Errorf("{{.CSRFToken}} must be a second, different token: %s", page.Body)
	}
	if again := c.Get("/form/").CSRFToken(); again == field || again == "" {
		t.Errorf("the token must change with every response (BREACH): %q then %q", field, again)
	}

	// The field posted by a browser (no header), like a real form.
	c.NoCSRF = true
	hdr := http.Header{"Origin": {c.BaseURL}, "Sec-Fetch-Site": {"same-origin"}, "Content-Type": {"application/x-www-form-urlencoded"}}
	body := url.Values{"csrf_token": {field}, "note": {"hi"}}.Encode()
	c.Request("POST", "/notes/", strings.NewReader(body), hdr).AssertStatus(200).AssertText("saved hi")
	c.Request("POST", "/notes/", strings.NewReader("note=hi"), hdr).AssertStatus(403)

	// Exempt routes take cross-site posts without a token.
	c.Request("POST", "/hook/", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://hooks.example"}}).AssertStatus(200).AssertText("hooked")

	// The Client's default: same-origin headers and a token.
	c.NoCSRF = false
	c.Post("/notes/", url.Values{"note": {"auto"}}).AssertStatus(200).AssertText("saved auto")
}

// A refused request is a 403 through the error renderer: production says
// nothing about the check; debug names it.
func TestCSRFErrorPage(t *testing.T) {
	_, prod := csrfSite(t, false)
	prod.NoCSRF = true
	res := prod.Post("/notes/", url.Values{"note": {"x"}}).AssertStatus(403).AssertText("CSRF verification failed")
	res.AssertNotContains("token missing").AssertNotContains("cookie")

	_, dbg := csrfSite(t, true)
	dbg.NoCSRF = true
	dbg.Post("/notes/", url.Values{"note": {"x"}}).AssertStatus(403).AssertContains("CSRF cookie missing")
	dbg.Get("/form/")
	dbg.Post("/notes/", url.Values{"note": {"x"}}).AssertStatus(403).AssertContains("CSRF token missing")
	dbg.Request("POST", "/notes/", nil, http.Header{security.CSRFHeader: {"short"}}).AssertStatus(403).AssertContains("CSRF token malformed")
	dbg.Request("POST", "/notes/", nil, http.Header{"Origin": {"http://evil.example"}}).AssertStatus(403).AssertContains("Origin not trusted")
	dbg.Request("POST", "/notes/", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}}).AssertStatus(403).AssertContains("cross-origin request")
}

// A request that never asks for a token sets nothing, also when it is
// unsafe and exempt.
func TestCSRFLazy(t *testing.T) {
	_, c := csrfSite(t, false)
	c.NoCSRF = true
	c.Post("/hook/", nil).AssertStatus(200).AssertHeader("Set-Cookie", "").AssertHeader("Vary", "Accept-Encoding")
	c.Head("/form/").AssertStatus(200)
}

func TestCSRFOff(t *testing.T) {
	cfg := anodetest.Config(t)
	off := false
	cfg.CSRF = &off
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "site", Routes: func(r *anode.Router) {
		r.Post("/notes/", func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte(security.Token(r) + "ok"))
			return err
		})
	}})
	c := anodetest.NewClient(t, app)
	c.NoCSRF = true
	c.Request("POST", "/notes/", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}}).AssertStatus(200).AssertText("ok")

	var ids []string
	for _, f := range app.RunChecks(context.Background(), true) {
		ids = append(ids, f.ID)
	}
	if !slices.Contains(ids, "anode.W030") {
		t.Errorf("check --deploy with CSRF off: %v, want anode.W030", ids)
	}
}

func TestCSRFConfig(t *testing.T) {
	c := anode.LoadConfig(map[string]string{"ANODE_SECRET_KEY": "k", "ANODE_CSRF": "false", "ANODE_CSRF_TRUSTED_ORIGINS": "https://a.example, http://localhost:3000"}, "")
	if c.CSRF == nil || *c.CSRF || !slices.Equal(c.CSRFTrustedOrigins, []string{"https://a.example", "http://localhost:3000"}) {
		t.Errorf("config: %v %v", c.CSRF, c.CSRFTrustedOrigins)
	}
	app := anode.New(anode.LoadConfig(map[string]string{"ANODE_SECRET_KEY": "k", "ANODE_CSRF_TRUSTED_ORIGINS": "a.example"}, ""))
	if err := app.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "ANODE_CSRF_TRUSTED_ORIGINS") {
		t.Errorf("a trusted origin without a scheme: %v", err)
	}
}

// The token field is read within the route's body limit, and the handler
// still reads the whole body after the check.
func TestCSRFBodyThroughApp(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "up", Routes: func(r *anode.Router) {
		r.Post("/upload/", func(w http.ResponseWriter, r *http.Request) error {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				return err
			}
			f, _, err := r.FormFile("file")
			if err != nil {
				return err
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s %d", r.FormValue("title"), len(b))
			return err
		}).MaxBody(64 << 10)
	}})
	c := anodetest.NewClient(t, app)
	c.NoCSRF = true
	token := c.CSRFToken() // stores a CSRF cookie in the jar
	hdr := func(ct string) http.Header {
		return http.Header{"Content-Type": {ct}, "Origin": {c.BaseURL}, "Sec-Fetch-Site": {"same-origin"}}
	}

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf_token", token)
	mw.WriteField("title", "cat")
	fw, _ := mw.CreateFormFile("file", "cat.jpg")
	fw.Write(bytes.Repeat([]byte{7}, 40<<10))
	mw.Close()
	c.Request("POST", "/upload/", bytes.NewReader(b.Bytes()), hdr(mw.FormDataContentType())).AssertStatus(200).AssertText("cat 40960")

	// Over the limit, sent chunked (no Content-Length): 413, not 403.
	big := "csrf_token=" + token + "&pad=" + strings.Repeat("p", 70<<10)
	c.Request("POST", "/upload/", io.MultiReader(strings.NewReader(big)), hdr("application/x-www-form-urlencoded")).AssertStatus(http.StatusRequestEntityTooLarge)
}

// Behind a trusted proxy that terminates TLS, the CSRF cookie is the
// Secure __Host- one and the Origin check compares with the forwarded host.
func TestCSRFBehindProxy(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cfg.AllowedHosts = append(cfg.AllowedHosts, "public.example", "backend")
	app := anodetest.NewAppConfig(t, cfg, anode.Module{
		Name:      "site",
		Templates: fstest.MapFS{"site/form.html": {Data: []byte(`{{.CSRFField}}`)}},
		Routes: func(r *anode.Router) {
			r.Get("/form/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "site/form.html", nil) })
			r.Post("/notes/", func(w http.ResponseWriter, r *http.Request) error { _, err := w.Write([]byte("saved")); return err })
		},
	})
	h := app.Handler()
	send := func(method, path, peer string, hdr http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		r.Host, r.RemoteAddr = "backend:8000", peer+":4321"
		for k, v := range hdr {
			for _, v := range v {
				r.Header.Add(k, v)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	fwd := http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"public.example"}}

	page := send("GET", "/form/", "10.0.0.1", fwd)
	cookie := page.Result().Cookies()
	if page.Code != 200 || len(cookie) != 1 || cookie[0].Name != "__Host-csrftoken" || !cookie[0].Secure {
		t.Fatalf("behind the proxy: %d, cookies %v", page.Code, cookie)
	}
	token := regexp.MustCompile(`value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	if token == nil {
		t.Fatalf("no token field in %q", page.Body.String())
	}
	post := func(peer, origin string) int {
		hdr := http.Header{"Origin": {origin}, "Cookie": {cookie[0].Name + "=" + cookie[0].Value}, security.CSRFHeader: {token[1]}}
		for k, v := range fwd {
			hdr[k] = v
		}
		return send("POST", "/notes/", peer, hdr).Code
	}
	if code := post("10.0.0.1", "https://public.example"); code != 200 {
		t.Errorf("same-origin POST through the proxy: %d, want 200", code)
	}
	if code := post("10.0.0.1", "https://evil.example"); code != 403 {
		t.Errorf("cross-origin POST through the proxy: %d, want 403", code)
	}
	// From an untrusted peer the forwarded headers are ignored: the request
	// is for backend:8000 over http, whose cookie is the plain one.
	if code := post("192.0.2.1", "https://public.example"); code != 403 {
		t.Errorf("forged forwarding headers from an untrusted peer: %d, want 403", code)
	}
	if c := send("GET", "/form/", "192.0.2.1", http.Header{"X-Forwarded-Proto": {"https"}}).Result().Cookies(); len(c) != 1 || c[0].Name != "csrftoken" || c[0].Secure {
		t.Errorf("untrusted peer's X-Forwarded-Proto: cookies %v", c)
	}
}

// A response that both the CSRF state and the session commit varies by
// Cookie once.
func TestCSRFAndSessionVaryOnce(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{
		Name: "site",
		Routes: func(r *anode.Router) {
			r.Get("/both/", func(w http.ResponseWriter, r *http.Request) error {
				if err := session.Set(session.FromRequest(r), "seen", true); err != nil {
					return err
				}
				_, err := w.Write([]byte(security.Token(r)))
				return err
			})
		},
	})
	res := anodetest.NewClient(t, app).Get("/both/").AssertStatus(200)
	n := 0
	for _, v := range res.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Cookie") {
				n++
			}
		}
	}
	if n != 1 || len(res.Header.Values("Set-Cookie")) != 2 {
		t.Errorf("Vary %q (Cookie %d times), Set-Cookie %q: want Cookie once and two cookies", res.Header.Values("Vary"), n, res.Header.Values("Set-Cookie"))
	}
}
