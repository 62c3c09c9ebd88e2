// Command bare is the baseline for bench/hello-vs-bare: a plain net/http server
// with the two TechEmpower-style routes the hello example serves, and nothing
// else (no middleware, no logging, default http.Server settings).
//
//	go run ./bench/bare -addr 127.0.0.1:8081
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
)

var helloWorld = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
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
	log.Fatal(http.ListenAndServe(*addr, mux))
}
