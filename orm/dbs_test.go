package orm_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/postgres"
	_ "github.com/anode-go/anode/orm/sqlite"
)

// forEachDB runs fn against a fresh SQLite database always, and against a
// fresh PostgreSQL schema when ANODE_TEST_POSTGRES is set (always in CI),
// each with the given models registered and their tables created.
func forEachDB(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, "sqlite:///"+filepath.Join(t.TempDir(), "test.db"), models)
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		base := anodetest.Service(t, "ANODE_TEST_POSTGRES")
		fn(t, openDB(t, anodetest.PostgresSchema(t, base), models))
	})
}

func openDB(t testing.TB, rawURL string, models []any) *orm.DB {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register("app", models...); err != nil {
		t.Fatal(err)
	}
	db, err := orm.Open(context.Background(), rawURL, r, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateTables(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func anodetestPostgres(t testing.TB) string { return anodetest.Service(t, "ANODE_TEST_POSTGRES") }
