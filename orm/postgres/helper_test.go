package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/postgres"
)

func TestMain(m *testing.M) {
	// A local zone that is not UTC, so a TIMESTAMPTZ that came back in
	// time.Local (pgx's default) fails the UTC checks whatever TZ the
	// machine has.
	time.Local = time.FixedZone("test+05:30", 5*3600+1800)
	os.Exit(m.Run())
}

// needPostgres skips t, naming the variable, when ANODE_TEST_POSTGRES is
// unset; for tests that open databases only in subtests.
func needPostgres(t testing.TB) {
	t.Helper()
	anodetest.Service(t, "ANODE_TEST_POSTGRES")
}

// testDB is a database opened on a schema of its own.
type testDB struct {
	orm.Database
	schema string
}

// openTest opens the dialect on a fresh schema anode_<random hex> of the
// ANODE_TEST_POSTGRES database (skipping when it is unset), with
// search_path=<schema> and any extra URL parameters (name, value pairs)
// added to the URL. Cleanup closes the pool and drops the schema, so tests
// run in parallel and leave nothing behind.
func openTest(t testing.TB, o orm.OpenOptions, params ...string) *testDB {
	t.Helper()
	raw := anodetest.Service(t, "ANODE_TEST_POSTGRES")
	var b [8]byte
	rand.Read(b[:])
	schema := "anode_" + hex.EncodeToString(b[:])

	// t.Context is cancelled before cleanups run, so the schema's lifetime
	// uses a context of its own.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := func(sql string) error {
		c, err := pgx.Connect(ctx, raw)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, sql)
		return err
	}
	ident := postgres.Dialect{}.QuoteIdent(schema)
	if err := admin("CREATE SCHEMA " + ident); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, raw)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("ANODE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	u.RawQuery = q.Encode()
	db, _, err := postgres.Open(ctx, u.String(), o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the schema is dropped
	return &testDB{Database: db, schema: schema}
}

// exec runs statements, failing the test on the first error.
func (db *testDB) exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// queryInt64 returns the single int64 a query selects.
func queryInt64(t testing.TB, c orm.Conn, query string, args ...any) int64 {
	t.Helper()
	rows, err := c.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (err %v)", query, rows.Err())
	}
	var n int64
	if err := rows.Scan(&n); err != nil {
		t.Fatalf("%s: scan: %v", query, err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
