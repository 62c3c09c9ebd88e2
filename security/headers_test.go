package security_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anode-go/anode/security"
)

func TestHeadersStandalone(t *testing.T) {
	var nonce string
	h := security.Headers(security.HeaderPolicy{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("nonce") {
			nonce = security.Nonce(r)
		}
		w.Write([]byte("hi"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	want := map[string]string{
		"Content-Security-Policy":      security.DefaultCSP,
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "same-origin",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Permissions-Policy":           security.DefaultPermissionsPolicy,
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS on plain HTTP: %q", got)
	}

	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "https://example.com/?nonce", nil)
	h.ServeHTTP(rec, req)
	if nonce == "" {
		t.Fatal("no nonce")
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' 'nonce-"+nonce+"'") || !strings.Contains(csp, "style-src 'self' 'nonce-"+nonce+"'") {
		t.Errorf("CSP with nonce = %q", csp)
	}
	if got := rec.Header().Get("Strict-Transport-Security"); got != security.DefaultHSTS {
		t.Errorf("HSTS on HTTPS = %q", got)
	}
}

func TestNewHeaderSet(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    security.HeaderPolicy
		ok   bool
	}{
		{"zero", security.HeaderPolicy{}, true},
		{"off", security.HeaderPolicy{CSP: security.Off, FrameOptions: security.Off, HSTS: security.Off}, true},
		{"custom csp", security.HeaderPolicy{CSP: "default-src 'none'; img-src https:"}, true},
		{"newline", security.HeaderPolicy{FrameOptions: "DENY\r\nSet-Cookie: x=1"}, false},
		{"bad directive", security.HeaderPolicy{CSP: "default_src 'self'"}, false},
		{"twice", security.HeaderPolicy{CSP: "script-src 'self'; script-src https:"}, false},
		{"blank", security.HeaderPolicy{CSP: " ; "}, false},
	} {
		_, err := security.NewHeaderSet(tt.p)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestCSPNonceSources(t *testing.T) {
	for _, tt := range []struct{ csp, want string }{
		{"default-src 'self'", "default-src 'self'; script-src 'self' 'nonce-N'; style-src 'self' 'nonce-N'"},
		{"default-src https:; script-src 'self' https://cdn.example", "default-src https:; script-src 'self' https://cdn.example 'nonce-N'; style-src https: 'nonce-N'"},
		{"img-src *", "img-src *"}, // nothing restricts scripts or styles: no nonce needed
		{"default-src 'self'; script-src 'none'", "default-src 'self'; script-src 'none'; style-src 'self' 'nonce-N'"},
	} {
		h := security.Headers(security.HeaderPolicy{CSP: tt.csp})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			security.Nonce(r)
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		got := rec.Header().Get("Content-Security-Policy")
		if i := strings.Index(got, "'nonce-"); i >= 0 {
			j := strings.IndexByte(got[i+1:], '\'')
			got = strings.ReplaceAll(got, got[i:i+j+2], "'nonce-N'")
		}
		if got != tt.want {
			t.Errorf("CSP %q with a nonce:\n got %q\nwant %q", tt.csp, got, tt.want)
		}
	}
}

func TestHandlerReplacesHeader(t *testing.T) {
	h := security.Headers(security.HeaderPolicy{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		security.Nonce(r)
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Header().Del("X-Frame-Options")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != "default-src 'none'" {
		t.Errorf("CSP = %q: the handler's own policy must win", got)
	}
	if _, ok := rec.Header()["X-Frame-Options"]; ok {
		t.Error("X-Frame-Options not removed")
	}
}
