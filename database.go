package anode

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/postgres" // dialects selected by ANODE_DATABASE_URL
	_ "github.com/anode-go/anode/orm/sqlite"
)

// DB returns the App's database, opened by Start from ANODE_DATABASE_URL, or
// nil when no module has models and no URL is configured.
func (a *App) DB() *orm.DB { return a.db }

// Registry returns the registry of every installed module's models.
func (a *App) Registry() *orm.Registry { return a.registry }

// databaseURL is the configured URL, or the embedded default: a SQLite file
// in the data directory.
func (a *App) databaseURL() string {
	if a.cfg.DatabaseURL != "" {
		return a.cfg.DatabaseURL
	}
	// sqlite:///rel/path is relative to the working directory and
	// sqlite:////abs/path absolute; an absolute DataDir supplies the fourth slash.
	return "sqlite:///" + filepath.ToSlash(filepath.Join(a.cfg.DataDir, "db.sqlite3"))
}

// openDatabase opens the database when there is something to store (a module
// with models) or a URL was configured, and registers its readiness check.
func (a *App) openDatabase(ctx context.Context) error {
	if a.cfg.DatabaseURL == "" && len(a.registry.Models()) == 0 {
		return nil
	}
	db, err := orm.Open(ctx, a.databaseURL(), a.registry, orm.OpenOptions{
		MaxConns:  a.cfg.DatabaseMaxConns,
		Logger:    a.logger,
		SlowQuery: a.cfg.DatabaseSlowQuery,
	})
	if err != nil {
		return fmt.Errorf("anode: database: %w", err)
	}
	a.db = db
	a.AddReadyCheck("database", db.Ping)
	return nil
}

// Close releases what New and Start opened (the caches, the database). Run
// calls it when the command ends; anodetest calls it when the test ends.
func (a *App) Close() error {
	err := a.closeCaches()
	err = errors.Join(err, a.closeRealtime())
	a.closeRateLimitStore()
	if c := a.sessCfg.closeStore; c != nil {
		err = errors.Join(err, c())
	}
	if a.db != nil {
		err = errors.Join(err, a.db.Close())
	}
	return err
}
