package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/anode-go/anode/security"
)

// A RateLimiter's Handler is middleware: here, two requests a minute per
// client address. Inside an App, give it app.RateLimitStore() so the limit
// holds across instances when ANODE_RATELIMIT_URL names a Redis server,
// and install it with app.Use or Router.With.
func ExampleRateLimiter() {
	limiter := &security.RateLimiter{
		Policy: security.Policy{Limit: 2, Window: time.Minute},
	}
	h := limiter.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("RateLimit-Remaining"), w.Header().Get("Retry-After") != "")
	}
	// Output:
	// 200 1 false
	// 200 0 false
	// 429 0 true
}

// The token bucket allows bursts: here up to 20 requests at once, refilled
// at 10 a second, counted per API key rather than per address.
func ExampleRateLimiter_tokenBucket() {
	limiter := &security.RateLimiter{
		Name:   "api",
		Policy: security.Policy{Algorithm: security.TokenBucket, Limit: 10, Window: time.Second, Burst: 20},
		Key:    func(r *http.Request) string { return r.Header.Get("X-API-Key") }, // "" is not limited
	}
	h := limiter.Handler(http.NotFoundHandler())
	allowed := 0
	for range 25 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-API-Key", "k1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusTooManyRequests {
			allowed++
		}
	}
	fmt.Println(allowed, "of 25 allowed")
	// Output: 20 of 25 allowed
}
