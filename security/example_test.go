package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/anode-go/anode/security"
)

// Headers sets the security headers around any handler, in a plain
// net/http server as in an App (where they are already on for every
// response, and Headers only changes them for some routes).
func ExampleHeaders() {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<script nonce="%s">start()</script>`, security.Nonce(r))
	})
	h := security.Headers(security.HeaderPolicy{FrameOptions: "SAMEORIGIN"})(page)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Header().Get("X-Frame-Options"))
	fmt.Println(rec.Header().Get("X-Content-Type-Options"))
	fmt.Println(strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self' 'nonce-"))
	// Output:
	// SAMEORIGIN
	// nosniff
	// true
}

// A Signer makes an unsubscribe link that expires after a week and keeps
// working when the secret key is rotated into the fallbacks.
func ExampleSigner() {
	s := security.NewSigner("the-secret-key", nil, "newsletter.unsubscribe")
	token, _ := s.SignJSON(map[string]int64{"user": 42})

	rotated := security.NewSigner("a-new-secret-key", []string{"the-secret-key"}, "newsletter.unsubscribe")
	var v map[string]int64
	err := rotated.UnsignJSON(token, 7*24*time.Hour, &v)
	fmt.Println(v["user"], err)

	_, err = rotated.Unsign(token + "x")
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// signing: invalid signature
}

// CORS lets one front-end origin call an API with cookies.
func ExampleCORS() {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) })
	h := security.CORS(security.CORSOptions{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{"GET", "POST"},
		AllowedHeaders:   []string{"Content-Type"},
		AllowCredentials: true,
		MaxAge:           time.Hour,
	})(api)

	req := httptest.NewRequest("OPTIONS", "/api/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Methods"))
	// Output: 204 https://app.example.com GET, POST
}
