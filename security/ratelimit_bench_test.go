package security_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/anode-go/anode/security"
)

// discard is a ResponseWriter that keeps headers and drops the body, so the
// benchmark measures the middleware, not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchHandler(b *testing.B, store security.LimitStore) {
	for _, p := range []security.Policy{
		{Algorithm: security.SlidingWindow, Limit: 1 << 30, Window: time.Hour},
		{Algorithm: security.TokenBucket, Limit: 1 << 30, Window: time.Hour},
	} {
		b.Run(p.Algorithm.String(), func(b *testing.B) {
			l := &security.RateLimiter{Policy: p, Store: store}
			h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "192.0.2.1:1234"
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}

func BenchmarkRateLimitMemory(b *testing.B) {
	benchHandler(b, security.NewMemoryLimitStore(0))
}

func BenchmarkRateLimitRedis(b *testing.B) {
	client := redisClient(b)
	benchHandler(b, security.NewRedisLimitStore(client, security.RedisLimitOptions{Prefix: testPrefix(b, client)}))
}

// BenchmarkRateLimitMemoryParallel spreads requests over many keys from
// every CPU: the shards keep the lock contention down.
func BenchmarkRateLimitMemoryParallel(b *testing.B) {
	l := &security.RateLimiter{Policy: security.Policy{Limit: 1 << 30, Window: time.Hour}, Key: func(r *http.Request) string { return r.RemoteAddr }}
	h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		reqs := make([]*http.Request, 256)
		for i := range reqs {
			reqs[i] = httptest.NewRequest("GET", "/", nil)
			reqs[i].RemoteAddr = "192.0.2." + string(rune('0'+i%10)) + string(rune('0'+i/10%10)) + ":1"
		}
		w := &discard{h: http.Header{}}
		i := 0
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, reqs[i%len(reqs)])
			i++
		}
	})
}
