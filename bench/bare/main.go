// Command bare is the baseline for bench/hello-vs-bare: a plain net/http server
// with the two TechEmpower-style routes the hello example serves, and nothing
// else (no middleware, no logging). By default it uses a zero http.Server; with
// -safe it sets the same timeouts and header limit Anode's serve uses by
// default and sends the response headers an Anode app sends by default (the
// seven security headers, Vary: Accept-Encoding and an X-Request-Id), written
// the cheapest way net/http allows, which separates the cost of those
// settings and headers from the framework's.
//
//	go run ./bench/bare -addr 127.0.0.1:8081 [-safe]
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

var helloWorld = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	safe := flag.Bool("safe", false, "use Anode's default server timeouts and header limit")
	flag.Parse()

	mux := http.NewServeMux()
	var handler http.Handler = mux
	if *safe {
		handler = withSafeHeaders(mux)
	}
	mux.HandleFunc("GET /plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(helloWorld)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Message string `json:"message"`
		}{"Hello, World!"})
	})
	srv := &http.Server{Addr: *addr, Handler: handler}
	if *safe {
		srv.ReadHeaderTimeout = 5 * time.Second
		srv.ReadTimeout = 60 * time.Second
		srv.WriteTimeout = 60 * time.Second
		srv.IdleTimeout = 120 * time.Second
		srv.MaxHeaderBytes = 64 << 10
	}
	log.Fatal(srv.ListenAndServe())
}

// safeHeaders are the headers every Anode response carries by default
// (docs/security.md), as pre-built values.
var safeHeaders = map[string][]string{
	"Content-Security-Policy":      {"default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"},
	"Cross-Origin-Opener-Policy":   {"same-origin"},
	"Cross-Origin-Resource-Policy": {"same-origin"},
	"Permissions-Policy":           {"camera=(), geolocation=(), microphone=(), payment=(), usb=()"},
	"Referrer-Policy":              {"same-origin"},
	"Vary":                         {"Accept-Encoding"},
	"X-Content-Type-Options":       {"nosniff"},
	"X-Frame-Options":              {"DENY"},
}

// withSafeHeaders sets safeHeaders and a request ID (a counter) on every
// response before next runs.
func withSafeHeaders(next http.Handler) http.Handler {
	var seq atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range safeHeaders {
			h[k] = v
		}
		h["X-Request-Id"] = []string{strconv.FormatUint(seq.Add(1), 36)}
		next.ServeHTTP(w, r)
	})
}
