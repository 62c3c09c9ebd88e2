package orm_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
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
		fn(t, openDB(t, postgresSchema(t, base), models))
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

// postgresSchema creates a schema of its own for the test, dropped at the
// end, and returns base with search_path set to it.
func postgresSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "anode_orm_" + hex.EncodeToString(b)
	admin, err := orm.Open(context.Background(), base, orm.NewRegistry(), orm.OpenOptions{MaxConns: 1})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ANODE_TEST_POSTGRES unreachable: %v", err)
		}
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := admin.Conn(ctx).Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Conn(ctx).Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func anodetestPostgres(t testing.TB) string { return anodetest.Service(t, "ANODE_TEST_POSTGRES") }
