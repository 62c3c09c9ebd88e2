package anode_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

type Note struct {
	ID   int64
	Body string `anode:"max=100"`
}

type BrokenModel struct {
	Name string // no primary key
}

func TestDatabaseFromModules(t *testing.T) {
	cfg := anodetest.Config(t)
	app := anodetest.NewUnmigratedApp(t, cfg, anode.Module{Name: "notes", Models: []any{Note{}}})
	db := app.DB()
	if db == nil {
		t.Fatal("a module with models gets a database")
	}
	if db.Dialect().Name() != "sqlite" {
		t.Fatalf("default dialect %q, want the embedded SQLite", db.Dialect().Name())
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "db.sqlite3")); err != nil {
		t.Fatalf("SQLite file not in the data directory: %v", err)
	}
	if _, err := orm.ModelOf[Note](app.Registry()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.CreateTables(ctx); err != nil {
		t.Fatal(err)
	}
	anodetest.NewClient(t, app).Get("/readyz").AssertStatus(200).AssertJSON(map[string]string{"status": "ready"})

	// No models and no URL: no database, nothing written.
	plain := anodetest.NewApp(t)
	if plain.DB() != nil {
		t.Fatal("an app without models must not open a database")
	}
}

func TestDatabaseOnPostgres(t *testing.T) {
	cfg := anodetest.Config(t)
	// A schema of its own: NewApp migrates, and tables of another test
	// (or an earlier run) in the shared schema must not collide.
	cfg.DatabaseURL = anodetest.PostgresSchema(t, anodetest.Service(t, "ANODE_TEST_POSTGRES"))
	app := anodetest.NewAppConfig(t, cfg)
	if app.DB() == nil || app.DB().Dialect().Name() != "postgres" {
		t.Fatalf("ANODE_DATABASE_URL must select PostgreSQL")
	}
	anodetest.NewClient(t, app).Get("/readyz").AssertStatus(200)
}

func TestDatabaseErrors(t *testing.T) {
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(&strings.Builder{})
	app.Install(anode.Module{Name: "broken", Models: []any{BrokenModel{}}})
	err := app.Start(context.Background())
	var me *orm.ModelError
	if !errors.As(err, &me) || me.Model != "broken.BrokenModel" || !strings.Contains(err.Error(), "no primary key") {
		t.Fatalf("Start = %v, want a ModelError naming broken.BrokenModel", err)
	}

	cfg := anodetest.Config(t)
	cfg.DatabaseURL = "postgres://nobody:s3cret@127.0.0.1:1/none?connect_timeout=2"
	app = anode.New(cfg)
	app.SetLogOutput(&strings.Builder{})
	err = app.Start(context.Background())
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("unreachable database: %v (must fail without showing the password)", err)
	}

	// A database that goes away turns readiness 503.
	app = anodetest.NewApp(t, anode.Module{Name: "notes", Models: []any{Note{}}})
	app.DB().Close()
	anodetest.NewClient(t, app).Get("/readyz").AssertStatus(http.StatusServiceUnavailable)
}
