// Package world is the module of the Anode contestant in bench/run: the
// TechEmpower test types (plaintext, json, db, queries, fortunes, updates,
// cached-queries) written the way an Anode app is written — router, ORM,
// templates and cache — plus db and fortunes on SQLite, the embedded default.
package world

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/orm"
)

//go:embed templates
var templateFiles embed.FS

// sqliteURL is the SQLite copy of the database, for /sqlite/db and
// /sqlite/fortunes; empty leaves those routes answering 404.
var sqliteURL string

// sqliteDB is opened by Init from sqliteURL.
var sqliteDB *orm.DB

// Module returns the world module, ready for App.Install.
func Module() anode.Module {
	tpl, _ := fs.Sub(templateFiles, "templates")
	return anode.Module{
		Name:       "world",
		Models:     []any{World{}, Fortune{}},
		Templates:  tpl,
		Routes:     routes,
		Middleware: []anode.Middleware{serverHeader},
		Settings: []anode.Setting{
			anode.Var(&sqliteURL, "ANODE_BENCH_SQLITE_URL", "", "SQLite database for the /sqlite/ routes"),
		},
		Init: func(ctx context.Context, app *anode.App) error {
			if sqliteURL == "" {
				return nil
			}
			db, err := orm.Open(ctx, sqliteURL, app.Registry(), orm.OpenOptions{Logger: app.Logger()})
			if err != nil {
				return err
			}
			sqliteDB = db
			app.OnShutdown(func(context.Context) error { return db.Close() })
			return nil
		},
	}
}

var serverName = []string{"anode"}

// serverHeader names the server on every response, as the TechEmpower rules
// require (net/http adds Date itself).
func serverHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Server"] = serverName
		next.ServeHTTP(w, r)
	})
}
