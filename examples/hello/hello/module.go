// Package hello is the module of the hello example app: one module in the same
// shape as every Anode module (module.go, views.go, routes.go, templates/,
// static/).
package hello

import (
	"embed"
	"html/template"
	"io/fs"

	"github.com/anode-go/anode"
)

//go:embed static
var staticFiles embed.FS

//go:embed templates
var templateFiles embed.FS

// Module returns the hello module, ready for App.Install.
func Module() anode.Module {
	st, _ := fs.Sub(staticFiles, "static")
	return anode.Module{
		Name:      "hello",
		Routes:    routes,
		Static:    st,
		StaticDir: anode.SourceDir("static"),
		Templates: templateFiles,
	}
}

var pages = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))
