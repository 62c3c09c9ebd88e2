package anode

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/migrate"
)

// Module is one installable part of an application, ours or the user's: the
// explicit, type-checked equivalent of an entry in Django's INSTALLED_APPS.
// Every field is optional except Name. Modules are installed in order with
// App.Install; for templates and static files an earlier module wins over a
// later one with the same file, so an app can override a contrib module.
type Module struct {
	// Name identifies the module (lowercase, e.g. "polls"); it prefixes table
	// names and must be unique within an App.
	Name string
	// Models are the module's model types, read by the ORM.
	Models []any
	// Migrations are the module's migrations, compiled in: the All list of
	// the module's migrations package, which makemigrations writes (see
	// docs/migrations.md).
	Migrations []*migrate.Migration
	// Dir is the module's source directory, where makemigrations writes the
	// migrations package (Dir/migrations). SourceDir(".") fills it; a binary
	// deployed away from its source never needs it.
	Dir string
	// Routes registers the module's routes on the App's router.
	Routes func(r *Router)
	// Middleware wraps every request the App serves (matched or not), in install
	// order, outermost first, after the middleware of modules installed earlier
	// and App.Use calls made before Install.
	Middleware []Middleware
	// Commands returns the module's subcommands of the app binary (like Django's
	// management commands). It is called once, with the App.
	Commands func(app *App) []*cobra.Command
	// Templates holds the module's templates (usually go:embed templates),
	// rendered with App.Render; see docs/templates.md.
	Templates fs.FS
	// TemplatesDir is the on-disk directory of Templates, read instead of
	// Templates in debug and re-read when a file changes, so edits show
	// without a rebuild. SourceDir("templates") fills it.
	TemplatesDir string
	// Static holds the module's static files (usually go:embed static), served
	// under /static/ with content-hashed URLs.
	Static fs.FS
	// StaticDir is the on-disk directory of Static, read instead of Static in
	// debug so edits show without a rebuild. SourceDir("static") fills it.
	StaticDir string
	// Settings are the module's typed configuration values (see Var).
	Settings []Setting
	// PostMigrate runs after App.Migrate or the migrate command leaves every
	// migration applied (even when none was pending), for each module in
	// install order: where a module fills tables its code relies on, as the
	// auth module creates every model's permissions (Django's post_migrate
	// signal). An error fails the migrate run.
	PostMigrate func(ctx context.Context, app *App) error
	// Init runs once when the App starts (before serving or running a command),
	// after every module is installed. An error stops start-up.
	Init func(ctx context.Context, app *App) error
}

// SourceDir returns the directory of the Go source file that calls it, joined
// with rel, or "" when that directory does not exist on this machine (a binary
// deployed away from its source). Modules use it for StaticDir, so that in debug
// mode edits to static files show without a rebuild.
func SourceDir(rel string) string {
	_, file, _, ok := runtime.Caller(1)
	if !ok {
		return ""
	}
	dir := filepath.Join(filepath.Dir(file), rel)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}
