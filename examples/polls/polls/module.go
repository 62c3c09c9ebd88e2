// Package polls is the polls app of Django's tutorial, built the Anode way:
// one module whose models drive the schema, the migrations and the forms,
// with templates, static files, sign-in from the auth module, CSRF
// protection, flash messages and results that update live in every open
// browser through the realtime hub.
//
// The folder has the shape every Anode module has:
//
//	module.go    Module(): what the module brings to the App
//	models.go    Question and Choice
//	views.go     the handlers
//	results.go   Results: the results page, the JSON endpoint and the live updates
//	forms.go     the vote form and the fields of the "new poll" forms
//	routes.go    URLs and their names
//	seed.go      sample questions for a fresh database
//	migrations/  written by makemigrations, compiled into the binary
//	templates/   polls/*.html, and auth/login.html in the site's look
//	static/      polls/style.css, polls/results.js
//
// See docs/polls.md.
package polls

import (
	"context"
	"embed"
	"io/fs"
	"strconv"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/examples/polls/polls/migrations"
	"github.com/anode-go/anode/realtime"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Module returns the polls module, ready for App.Install. Install it before
// auth.Module(): its auth/login.html then replaces the auth module's plain
// one, so the login page has the site's layout.
func Module() anode.Module {
	tpl, _ := fs.Sub(templateFiles, "templates")
	st, _ := fs.Sub(staticFiles, "static")
	return anode.Module{
		Name:         "polls",
		Models:       []any{Question{}, Choice{}},
		Migrations:   migrations.All,       // written by makemigrations
		Dir:          anode.SourceDir("."), // makemigrations writes ./migrations
		Routes:       routes,
		Templates:    tpl,
		TemplatesDir: anode.SourceDir("templates"), // debug: edits show without a rebuild
		Static:       st,
		StaticDir:    anode.SourceDir("static"),
		Init:         initRealtime,
	}
}

// initRealtime opens the results topics to browsers: anyone may subscribe
// to "poll:<id>" (the results page is public), and no client may publish
// (the Rule has no Publish policy); only the vote view publishes, on the
// server, after the vote is counted.
func initRealtime(ctx context.Context, app *anode.App) error {
	app.Realtime().Topic("poll:*", realtime.Rule{Subscribe: realtime.Anyone})
	return nil
}

// resultsTopic is the realtime topic of a question's results.
func resultsTopic(questionID int64) string {
	return "poll:" + strconv.FormatInt(questionID, 10)
}
