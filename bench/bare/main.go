// Command bare is the baseline for bench/hello-vs-bare: a plain net/http server
// with the two TechEmpower-style routes the hello example serves, and nothing
// else (no middleware, no logging). By default it uses a zero http.Server; with
// -safe it sets the same timeouts and header limit Anode's serve uses by
// default, which separates the cost of those settings from the framework's.
//
//	go run ./bench/bare -addr 127.0.0.1:8081 [-safe]
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"
)

var helloWorld = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	safe := flag.Bool("safe", false, "use Anode's default server timeouts and header limit")
	flag.Parse()

	mux := http.NewServeMux()
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
	srv := &http.Server{Addr: *addr, Handler: mux}
	if *safe {
		srv.ReadHeaderTimeout = 5 * time.Second
		srv.ReadTimeout = 60 * time.Second
		srv.WriteTimeout = 60 * time.Second
		srv.IdleTimeout = 120 * time.Second
		srv.MaxHeaderBytes = 64 << 10
	}
	log.Fatal(srv.ListenAndServe())
}
