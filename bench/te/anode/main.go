// Command anode is the Anode contestant of the TechEmpower-style suite
// (bench/run): the world module served by an ordinary Anode app, default
// middleware on. Configure it like any app, from ANODE_* variables:
//
//	ANODE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anode_bench ANODE_SECRET_KEY=... \
//	ANODE_ALLOWED_HOSTS=127.0.0.1 ANODE_ADDR=127.0.0.1:8080 ANODE_BENCH_SQLITE_URL=sqlite:////tmp/w.db anode
//
// ANODE_BENCH_PPROF=127.0.0.1:6060 serves net/http/pprof on that address, on
// a server of its own, for bench/run's BENCH_PROFILE=1.
package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // only served when ANODE_BENCH_PPROF is set
	"os"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/bench/te/anode/world"
)

func main() {
	if addr := os.Getenv("ANODE_BENCH_PPROF"); addr != "" {
		go func() { log.Print(http.ListenAndServe(addr, http.DefaultServeMux)) }()
	}
	app := anode.New(anode.ConfigFromEnv())
	app.Install(world.Module())
	app.Run()
}
