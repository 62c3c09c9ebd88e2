// Command hellopprof is the hello example app with net/http/pprof served on a
// second address, so bench/hello-profile can take a CPU profile under load
// without adding anything to the app. The app is built exactly as
// examples/hello builds it and reads the same ANODE_* configuration.
//
//	PPROF_ADDR=127.0.0.1:6060 ANODE_ADDR=127.0.0.1:8000 go run ./bench/hellopprof
package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/examples/hello/hello"
)

func main() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go func() { log.Fatal(http.ListenAndServe(addr, nil)) }()

	app := anode.New(anode.ConfigFromEnv())
	app.Install(hello.Module())
	app.Run()
}
