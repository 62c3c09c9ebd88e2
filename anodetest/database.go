package anodetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/postgres" // the dialects Databases opens
	_ "github.com/anode-go/anode/orm/sqlite"
)

// Databases runs fn as parallel subtests "sqlite" and "postgres", each with
// the URL of an empty database of its own: a new SQLite file always, and a
// new PostgreSQL schema (dropped at the end) in the server named by
// ANODE_TEST_POSTGRES, which CI=true requires (see Service).
func Databases(t *testing.T, fn func(t *testing.T, rawURL string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLiteURL(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, PostgresSchema(t, Service(t, "ANODE_TEST_POSTGRES")))
	})
}

// SQLiteURL returns the URL of a new SQLite database file in a temporary
// directory removed after the test.
func SQLiteURL(t testing.TB) string {
	return "sqlite:///" + filepath.Join(t.TempDir(), "test.db")
}

// PostgresSchema creates a schema of its own for the test in the PostgreSQL
// database at base, drops it when the test ends, and returns base with
// search_path set to it, so tables the test creates are its alone.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "anode_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	admin, err := orm.Open(ctx, base, orm.NewRegistry(), orm.OpenOptions{MaxConns: 1})
	if err != nil {
		t.Fatalf("anodetest: PostgreSQL at ANODE_TEST_POSTGRES: %v", err)
	}
	if _, err := admin.Conn(ctx).Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("anodetest: %v", err)
	}
	t.Cleanup(func() {
		admin.Conn(ctx).Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("anodetest: ANODE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
