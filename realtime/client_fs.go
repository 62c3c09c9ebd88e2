package realtime

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// ClientFS returns the JavaScript client's files: anode.js at its root.
// Every Anode application serves them under /static/ (so
// /static/anode.js); another server can serve them the same way.
func ClientFS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	return sub
}
