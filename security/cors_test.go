package security_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/security"
)

func TestCORSMatrix(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("data")) })
	list := security.CORS(security.CORSOptions{
		AllowedOrigins:   []string{"https://app.example"},
		AllowOrigin:      func(o string, _ *http.Request) bool { return strings.HasSuffix(o, ".tenant.example") },
		AllowedMethods:   []string{"GET", "PUT"},
		AllowedHeaders:   []string{"Content-Type", "X-Token"},
		ExposedHeaders:   []string{"X-Total"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	})(ok)
	star := security.CORS(security.CORSOptions{AllowedOrigins: []string{"*"}})(ok)
	type want struct {
		status                      int
		allowOrigin, creds, methods string
		allowHeaders, vary, body    string
	}
	for _, tt := range []struct {
		name   string
		h      http.Handler
		method string
		hdr    map[string]string
		want   want
	}{
		{"simple allowed", list, "GET", map[string]string{"Origin": "https://app.example"}, want{200, "https://app.example", "true", "", "", "Origin", "data"}},
		{"simple dynamic", list, "GET", map[string]string{"Origin": "https://a.tenant.example"}, want{200, "https://a.tenant.example", "true", "", "", "Origin", "data"}},
		{"simple other origin", list, "GET", map[string]string{"Origin": "https://evil.example"}, want{200, "", "", "", "", "Origin", "data"}},
		{"no origin", list, "GET", nil, want{200, "", "", "", "", "Origin", "data"}},
		{"null origin", list, "GET", map[string]string{"Origin": "null"}, want{200, "", "", "", "", "Origin", "data"}},
		{"preflight allowed", list, "OPTIONS", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-token"}, want{204, "https://app.example", "true", "GET, PUT", "content-type,x-token", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", ""}},
		{"preflight bad method", list, "OPTIONS", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}, want{204, "", "", "", "", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", ""}},
		{"preflight bad header", list, "OPTIONS", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Admin"}, want{204, "", "", "", "", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", ""}},
		{"preflight bad origin", list, "OPTIONS", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, want{204, "", "", "", "", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", ""}},
		{"plain OPTIONS reaches handler", list, "OPTIONS", map[string]string{"Origin": "https://app.example"}, want{200, "https://app.example", "true", "", "", "Origin", "data"}},
		{"star simple", star, "GET", map[string]string{"Origin": "https://any.example"}, want{200, "*", "", "", "", "", "data"}},
		{"star preflight", star, "OPTIONS", map[string]string{"Origin": "https://any.example", "Access-Control-Request-Method": "POST"}, want{204, "*", "", "GET, HEAD, POST", "", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", ""}},
	} {
		req := httptest.NewRequest(tt.method, "/api/", nil)
		for k, v := range tt.hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		tt.h.ServeHTTP(rec, req)
		h := rec.Header()
		got := want{rec.Code, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"), h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Headers"), strings.Join(h.Values("Vary"), ", "), rec.Body.String()}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if tt.want.allowOrigin == "https://app.example" && tt.method == "GET" && h.Get("Access-Control-Expose-Headers") != "X-Total" {
			t.Errorf("%s: expose headers %q", tt.name, h.Get("Access-Control-Expose-Headers"))
		}
		if tt.name == "preflight allowed" && h.Get("Access-Control-Max-Age") != "600" {
			t.Errorf("max age %q", h.Get("Access-Control-Max-Age"))
		}
	}
}

func TestCORSCredentialsWithStarPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	security.CORS(security.CORSOptions{AllowedOrigins: []string{"*"}, AllowCredentials: true})
}
