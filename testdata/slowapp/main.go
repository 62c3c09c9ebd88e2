// Command slowapp is a test fixture: an Anode app with a slow route and a
// counter of requests in flight, for the graceful-shutdown test.
package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/anode-go/anode"
)

func main() {
	var inflight atomic.Int64
	app := anode.New(anode.ConfigFromEnv())
	app.Install(anode.Module{Name: "slow", Routes: func(r *anode.Router) {
		r.Get("/slow/", func(w http.ResponseWriter, r *http.Request) error {
			inflight.Add(1)
			defer inflight.Add(-1)
			time.Sleep(2 * time.Second)
			fmt.Fprint(w, "done")
			return nil
		})
		r.Get("/inflight/", func(w http.ResponseWriter, r *http.Request) error {
			fmt.Fprint(w, inflight.Load())
			return nil
		})
	}})
	app.Run()
}
