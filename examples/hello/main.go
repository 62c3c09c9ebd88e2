// Command hello is the smallest complete Anode app: an HTML page, a JSON
// endpoint, a plain-text endpoint and a static file.
//
//	go run ./examples/hello          # serves http://localhost:8000 in debug mode
//	go run ./examples/hello routes   # lists the routes
package main

import (
	"os"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/examples/hello/hello"
)

func main() {
	if os.Getenv("ANODE_DEBUG") == "" {
		// An example should just work: debug mode unless told otherwise.
		os.Setenv("ANODE_DEBUG", "true")
	}
	app := anode.New(anode.ConfigFromEnv())
	app.Install(hello.Module())
	app.Run()
}
