package anode_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// securityModule serves one response of every kind the header tests cover.
func securityModule() anode.Module {
	return anode.Module{
		Name:   "sec",
		Static: fstest.MapFS{"site.css": {Data: []byte("body{}")}},
		Templates: fstest.MapFS{
			"page.html":  {Data: []byte(`<script nonce="{{.CSPNonce}}">1</script>`)},
			"plain.html": {Data: []byte(`<p>no nonce</p>`)},
		},
		Routes: func(r *anode.Router) {
			r.Get("/html/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "plain.html", nil) })
			r.Get("/nonce/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "page.html", nil) })
			r.Get("/json/", func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Content-Type", "application/json")
				_, err := w.Write([]byte(`{}`))
				return err
			})
			r.Get("/redirect/", func(w http.ResponseWriter, r *http.Request) error {
				http.Redirect(w, r, "/html/", http.StatusFound)
				return nil
			})
			r.Post("/post-only/", func(w http.ResponseWriter, r *http.Request) error { return nil })
			r.Get("/panic/", func(w http.ResponseWriter, r *http.Request) error { panic("boom") })
			r.Get("/fail/", func(w http.ResponseWriter, r *http.Request) error { return errors.New("db down") })
			r.With(security.Headers(security.HeaderPolicy{FrameOptions: "SAMEORIGIN", CSP: "default-src 'self'; frame-ancestors 'self'", PermissionsPolicy: security.Off})).
				Get("/embed/", func(w http.ResponseWriter, r *http.Request) error { return nil })
			r.With(security.Headers(security.HeaderPolicy{FrameOptions: "SAMEORIGIN"})).
				Get("/slow-embed/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "page.html", nil) }).Timeout(time.Minute)
			r.Get("/slow-nonce/", func(w http.ResponseWriter, r *http.Request) error { return anode.Render(w, r, "page.html", nil) }).Timeout(time.Minute)
			r.Get("/own-header/", func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("X-Frame-Options", "SAMEORIGIN")
				return nil
			})
		},
	}
}

func securityApp(t *testing.T, edit func(*anode.Config)) *anode.App {
	cfg := anodetest.Config(t)
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if edit != nil {
		edit(&cfg)
	}
	return anodetest.NewAppConfig(t, cfg, securityModule())
}

func secServe(app *anode.App, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.Host = "example.com"
	for k, v := range hdr {
		if k == "RemoteAddr" {
			req.RemoteAddr = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec
}

var baseSecurityHeaders = map[string]string{
	"Content-Security-Policy":      security.DefaultCSP,
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "same-origin",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           security.DefaultPermissionsPolicy,
}

func TestSecurityHeadersEveryResponse(t *testing.T) {
	app := securityApp(t, nil)
	static, err := app.StaticURL("site.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, path string
		status             int
		host               string
	}{
		{"html", "GET", "/html/", 200, ""},
		{"json", "GET", "/json/", 200, ""},
		{"static", "GET", static, 200, ""},
		{"append slash", "GET", "/html", 301, ""},
		{"handler redirect", "GET", "/redirect/", 302, ""},
		{"404", "GET", "/nowhere/", 404, ""},
		{"405", "GET", "/post-only/", 405, ""},
		{"500 panic", "GET", "/panic/", 500, ""},
		{"500 error", "GET", "/fail/", 500, ""},
		{"400 bad host", "GET", "/html/", 400, "evil.example"},
		{"health", "GET", "/healthz", 200, "10.1.2.3"},
	} {
		for _, https := range []bool{false, true} {
			hdr := map[string]string{}
			if https {
				hdr["RemoteAddr"], hdr["X-Forwarded-Proto"] = "10.0.0.1:5000", "https"
			}
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Host = "example.com"
			if tt.host != "" {
				req.Host = tt.host
			}
			for k, v := range hdr {
				if k == "RemoteAddr" {
					req.RemoteAddr = v
				} else {
					req.Header.Set(k, v)
				}
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("%s (https %v): status %d, want %d", tt.name, https, rec.Code, tt.status)
			}
			h := rec.Header()
			for k, v := range baseSecurityHeaders {
				got := h.Get(k)
				if k == "Content-Security-Policy" && tt.status >= 400 {
					// error pages have an inline style with the nonce
					if !strings.HasPrefix(got, v+"; script-src 'self' 'nonce-") {
						t.Errorf("%s (https %v): CSP %q, want the default with a nonce", tt.name, https, got)
					}
					continue
				}
				if got != v {
					t.Errorf("%s (https %v): %s = %q, want %q", tt.name, https, k, got, v)
				}
			}
			if got, want := h.Get("Strict-Transport-Security"), map[bool]string{true: security.DefaultHSTS}[https]; got != want {
				t.Errorf("%s (https %v): HSTS %q, want %q", tt.name, https, got, want)
			}
			for _, k := range []string{"Server", "X-Powered-By"} {
				if _, ok := h[k]; ok {
					t.Errorf("%s: %s header sent", tt.name, k)
				}
			}
		}
	}
}

func TestSecurityHeadersPerRoute(t *testing.T) {
	app := securityApp(t, func(c *anode.Config) { c.SecurityHeaders.ReferrerPolicy = "strict-origin" })
	h := secServe(app, "GET", "/embed/", nil).Header()
	if h.Get("X-Frame-Options") != "SAMEORIGIN" || h.Get("Content-Security-Policy") != "default-src 'self'; frame-ancestors 'self'" {
		t.Errorf("route policy not applied: %v", h)
	}
	if _, ok := h["Permissions-Policy"]; ok {
		t.Error("Permissions-Policy sent though the route turned it off")
	}
	if h.Get("Referrer-Policy") != "strict-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("route did not inherit the App's other headers: %v", h)
	}
	if got := secServe(app, "GET", "/own-header/", nil).Header().Get("X-Frame-Options"); got != "SAMEORIGIN" {
		t.Errorf("handler's own header lost: %q", got)
	}
	if got := secServe(app, "GET", "/html/", nil).Header().Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("other routes changed: %q", got)
	}
}

func TestCSPNonceInTemplate(t *testing.T) {
	app := securityApp(t, nil)
	re := regexp.MustCompile(`nonce="([^"]+)"`)
	seen := map[string]bool{}
	for range 3 {
		rec := secServe(app, "GET", "/nonce/", nil)
		m := re.FindStringSubmatch(rec.Body.String())
		if m == nil || m[1] == "" {
			t.Fatalf("no nonce in %q", rec.Body.String())
		}
		csp := rec.Header().Get("Content-Security-Policy")
		want := security.DefaultCSP + "; script-src 'self' 'nonce-" + m[1] + "'; style-src 'self' 'nonce-" + m[1] + "'"
		if csp != want {
			t.Errorf("CSP %q, want %q", csp, want)
		}
		if seen[m[1]] {
			t.Errorf("nonce %q repeated", m[1])
		}
		seen[m[1]] = true
	}
	if csp := secServe(app, "GET", "/html/", nil).Header().Get("Content-Security-Policy"); csp != security.DefaultCSP {
		t.Errorf("page without a nonce: CSP %q", csp)
	}
}

// A route with a timeout buffers its headers; the override and the nonce
// must still reach the response.
func TestSecurityHeadersTimeoutRoute(t *testing.T) {
	app := securityApp(t, nil)
	re := regexp.MustCompile(`nonce="([^"]+)"`)
	for _, path := range []string{"/slow-embed/", "/slow-nonce/"} {
		rec := secServe(app, "GET", path, nil)
		m := re.FindStringSubmatch(rec.Body.String())
		if m == nil || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "'nonce-"+m[1]+"'") {
			t.Errorf("%s: nonce missing from CSP %q (body %q)", path, rec.Header().Get("Content-Security-Policy"), rec.Body)
		}
		want := map[string]string{"/slow-embed/": "SAMEORIGIN", "/slow-nonce/": "DENY"}[path]
		if got := rec.Header().Get("X-Frame-Options"); got != want {
			t.Errorf("%s: X-Frame-Options %q, want %q", path, got, want)
		}
	}
}

func TestCSPOffAndReportOnly(t *testing.T) {
	app := securityApp(t, func(c *anode.Config) { c.SecurityHeaders.CSP = security.Off })
	if _, ok := secServe(app, "GET", "/nonce/", nil).Header()["Content-Security-Policy"]; ok {
		t.Error("CSP sent though off")
	}
	app = securityApp(t, func(c *anode.Config) { c.SecurityHeaders.CSPReportOnly = true })
	h := secServe(app, "GET", "/html/", nil).Header()
	if h.Get("Content-Security-Policy-Report-Only") != security.DefaultCSP || h.Get("Content-Security-Policy") != "" {
		t.Errorf("report-only: %v", h)
	}
}

func TestAllowedHostsApp(t *testing.T) {
	for _, tt := range []struct {
		hosts  []string
		debug  bool
		host   string
		status int
	}{
		{[]string{"example.com"}, false, "example.com", 200},
		{[]string{"example.com"}, false, "example.com:8443", 200},
		{[]string{"example.com"}, false, "www.example.com", 400},
		{[]string{".example.com"}, false, "www.example.com", 200},
		{[]string{"*"}, false, "anything.test", 200},
		{nil, false, "example.com", 400},
		{nil, true, "localhost:8000", 200},
		{nil, true, "127.0.0.1", 200},
		{nil, true, "example.com", 400},
	} {
		cfg := anodetest.Config(t)
		cfg.AllowedHosts, cfg.Debug = tt.hosts, tt.debug
		app := anodetest.NewAppConfig(t, cfg, securityModule())
		req := httptest.NewRequest("GET", "/json/", nil)
		req.Host = tt.host
		req.Header.Set("Accept", "application/json")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("hosts %v debug %v, Host %q: %d, want %d", tt.hosts, tt.debug, tt.host, rec.Code, tt.status)
		}
		if rec.Code == 400 && !tt.debug && strings.Contains(rec.Body.String(), tt.host) {
			t.Errorf("production 400 names the host: %s", rec.Body)
		}
		req = httptest.NewRequest("GET", "/healthz", nil)
		req.Host = "10.0.0.7:8000"
		rec = httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("health check by IP: %d", rec.Code)
		}
	}
}

func TestProxyHeaderTrust(t *testing.T) {
	app := securityApp(t, func(c *anode.Config) { c.AllowedHosts = []string{"example.com", "public.example"} })
	for _, tt := range []struct {
		name       string
		remote     string
		proto      string
		fwdHost    string
		wantHSTS   bool
		wantStatus int
	}{
		{"untrusted peer claims https", "192.0.2.1:1", "https", "", false, 200},
		{"trusted proxy says https", "10.0.0.1:1", "https", "", true, 200},
		{"trusted proxy says http", "10.0.0.1:1", "http", "", false, 200},
		{"trusted proxy, appended list: last wins", "10.0.0.1:1", "https, http", "", false, 200},
		{"trusted proxy forwards an allowed host", "10.0.0.1:1", "", "public.example", false, 200},
		{"trusted proxy forwards a bad host", "10.0.0.1:1", "", "evil.test", false, 400},
		{"untrusted peer forwards a bad host", "192.0.2.1:1", "", "evil.test", false, 200},
	} {
		hdr := map[string]string{"RemoteAddr": tt.remote}
		if tt.proto != "" {
			hdr["X-Forwarded-Proto"] = tt.proto
		}
		if tt.fwdHost != "" {
			hdr["X-Forwarded-Host"] = tt.fwdHost
		}
		rec := secServe(app, "GET", "/json/", hdr)
		if rec.Code != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.wantStatus)
		}
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tt.wantHSTS {
			t.Errorf("%s: HSTS %v, want %v", tt.name, got, tt.wantHSTS)
		}
	}
}

func TestHTTPSRedirect(t *testing.T) {
	app := securityApp(t, func(c *anode.Config) { c.HTTPSRedirect = true })
	for _, tt := range []struct {
		method, path string
		hdr          map[string]string
		status       int
		location     string
	}{
		{"GET", "/html/?q=1", nil, 301, "https://example.com/html/?q=1"},
		{"HEAD", "/html/", nil, 301, "https://example.com/html/"},
		{"POST", "/post-only/", nil, 308, "https://example.com/post-only/"},
		{"GET", "/html/", map[string]string{"RemoteAddr": "10.0.0.1:1", "X-Forwarded-Proto": "https"}, 200, ""},
		{"GET", "/html/", map[string]string{"X-Forwarded-Proto": "https"}, 301, "https://example.com/html/"},
		{"GET", "/healthz", nil, 200, ""},
		{"GET", "/readyz", nil, 200, ""},
	} {
		rec := secServe(app, tt.method, tt.path, tt.hdr)
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s %s %v: %d %q, want %d %q", tt.method, tt.path, tt.hdr, rec.Code, rec.Header().Get("Location"), tt.status, tt.location)
		}
	}
}

func TestSecureSessionCookieBehindProxy(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "s", Routes: func(r *anode.Router) {
		r.Get("/set/", func(w http.ResponseWriter, r *http.Request) error {
			return session.Set(session.FromRequest(r), "k", 1)
		})
	}})
	for remote, want := range map[string]bool{"10.0.0.1:1": true, "192.0.2.1:1": false} {
		rec := secServe(app, "GET", "/set/", map[string]string{"RemoteAddr": remote, "X-Forwarded-Proto": "https"})
		c := rec.Result().Cookies()
		if len(c) != 1 || c[0].Secure != want {
			t.Errorf("peer %s: cookies %v, want Secure %v", remote, c, want)
		}
	}
}

func TestSecretKeyRotation(t *testing.T) {
	mod := anode.Module{Name: "rot", Routes: func(r *anode.Router) {
		r.Get("/set/", func(w http.ResponseWriter, r *http.Request) error {
			return session.Set(session.FromRequest(r), "k", "v")
		})
		r.Get("/get/", func(w http.ResponseWriter, r *http.Request) error {
			v, _ := session.Get[string](session.FromRequest(r), "k")
			_, err := w.Write([]byte(v))
			return err
		})
	}}
	newApp := func(secret, fallbacks string) *anode.App {
		cfg := anode.LoadConfig(map[string]string{
			"ANODE_SECRET_KEY": secret, "ANODE_SECRET_KEY_FALLBACKS": fallbacks,
			"ANODE_SESSION_STORE": "cookie", "ANODE_ALLOWED_HOSTS": "example.com",
			"ANODE_DATA_DIR": t.TempDir(), "ANODE_EMAIL_URL": "memory://",
		}, "")
		return anodetest.NewAppConfig(t, cfg, mod)
	}
	old := newApp("old-secret-old-secret-old-secret-0", "")
	rec := secServe(old, "GET", "/set/", nil)
	cookie := rec.Header().Get("Set-Cookie")
	cookie = cookie[:strings.IndexByte(cookie, ';')]
	signed := old.Signer("unsubscribe").Sign([]byte("ada"))

	rotated := newApp("new-secret-new-secret-new-secret-0", "old-secret-old-secret-old-secret-0")
	if got := secServe(rotated, "GET", "/get/", map[string]string{"Cookie": cookie}).Body.String(); got != "v" {
		t.Errorf("session cookie after rotation: %q", got)
	}
	if v, err := rotated.Signer("unsubscribe").Unsign(signed); err != nil || string(v) != "ada" {
		t.Errorf("App.Signer after rotation: %q %v", v, err)
	}
	if _, err := rotated.Signer("other").Unsign(signed); !errors.Is(err, security.ErrBadSignature) {
		t.Errorf("other purpose: %v", err)
	}
	dropped := newApp("new-secret-new-secret-new-secret-0", "")
	if got := secServe(dropped, "GET", "/get/", map[string]string{"Cookie": cookie}).Body.String(); got != "" {
		t.Errorf("session cookie accepted without the fallback: %q", got)
	}
	if _, err := dropped.Signer("unsubscribe").Unsign(signed); err == nil {
		t.Error("value accepted without the fallback")
	}
}

func TestSecurityHeadersOverTLS(t *testing.T) {
	app := securityApp(t, nil)
	srv := httptest.NewTLSServer(app)
	defer srv.Close()
	for path, status := range map[string]int{"/html/": 200, "/nowhere/": 404} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status || resp.Header.Get("Strict-Transport-Security") != security.DefaultHSTS || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s over TLS: %d %v", path, resp.StatusCode, resp.Header)
		}
	}
}
