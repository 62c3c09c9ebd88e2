// Command polls is Anode's flagship example: the polls app of Django's
// tutorial, with sign-in, CSRF protection, flash messages, a staff page
// that creates polls, and results that update live in every open browser.
//
//	go run ./examples/polls                     # http://localhost:8000
//	go run ./examples/polls createsuperuser     # any command of the app binary
//
// With no arguments it serves (debug mode unless ANODE_DEBUG says
// otherwise), applying pending migrations first. On a fresh database it
// creates a superuser, printing the generated password once, and a few
// sample questions. The same binary scales out by configuration:
// ANODE_DATABASE_URL=postgres://…, ANODE_CACHE_URL=redis://…,
// ANODE_BROKER_URL=… (see docs/polls.md).
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/examples/polls/polls"
	"github.com/anode-go/anode/orm"
)

func main() {
	if os.Getenv("ANODE_DEBUG") == "" {
		// An example should just work: debug mode (localhost allowed, a
		// per-process secret key, mail to the console) unless told otherwise.
		os.Setenv("ANODE_DEBUG", "true")
	}
	if len(os.Args) == 1 {
		// No command: serve, applying pending migrations first even in
		// production, so one command starts the app on a fresh database.
		os.Args = append(os.Args, "serve", "--migrate")
	}
	app := anode.New(anode.ConfigFromEnv())
	// polls comes before auth so that its auth/login.html (in the site's
	// layout) replaces the auth module's plain one.
	app.Install(polls.Module(), auth.Module(), site())
	app.Run()
}

// site is this binary's own module: the first-run steps, run after every
// complete migrate (serve applies migrations first).
func site() anode.Module {
	return anode.Module{Name: "site", PostMigrate: firstRun}
}

// firstRun says where the SQLite database is, and fills a fresh database:
// a superuser with a generated password, printed once, and the sample
// questions.
func firstRun(ctx context.Context, app *anode.App) error {
	cfg := app.Config()
	if cfg.DatabaseURL == "" {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return err
		}
		fmt.Printf("polls: SQLite database in %s\n", filepath.Join(dir, "db.sqlite3"))
	}
	db := app.DB()
	users, err := orm.From[auth.User](db).Count(ctx)
	if err != nil {
		return err
	}
	if users == 0 {
		pw := rand.Text() // 26 random base32 characters: 130 bits
		if _, err := auth.CreateSuperuser(ctx, db, "admin", "", pw); err != nil {
			return err
		}
		fmt.Printf("polls: created the superuser admin with the password %s\n", pw)
		fmt.Println("polls: it is shown only this once; change it with the changepassword command")
	}
	seeded, err := polls.Seed(ctx, db)
	if seeded {
		fmt.Println("polls: added sample questions")
	}
	return err
}
