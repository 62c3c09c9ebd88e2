package sqlite_test

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/sqlite"
)

// fileURL is the URL of a new database file in a fresh temporary directory.
func fileURL(tb testing.TB) string {
	return "sqlite:///" + filepath.Join(tb.TempDir(), "test.db")
}

// open opens rawURL and closes it when the test ends.
func open(tb testing.TB, rawURL string, o orm.OpenOptions) (orm.Database, orm.Dialect) {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	db, d, err := sqlite.Open(context.Background(), u, o)
	if err != nil {
		tb.Fatalf("Open(%q): %v", rawURL, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db, d
}

// openFile opens a new database file.
func openFile(tb testing.TB) (orm.Database, orm.Dialect) {
	tb.Helper()
	return open(tb, fileURL(tb), orm.OpenOptions{})
}

func mustExec(tb testing.TB, c orm.Conn, query string, args ...any) int64 {
	tb.Helper()
	n, err := c.Exec(context.Background(), query, args...)
	if err != nil {
		tb.Fatalf("Exec(%q): %v", query, err)
	}
	return n
}

// queryInt runs a query returning one integer.
func queryInt(tb testing.TB, c orm.Conn, query string, args ...any) int64 {
	tb.Helper()
	rows, err := c.Query(context.Background(), query, args...)
	if err != nil {
		tb.Fatalf("Query(%q): %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		tb.Fatalf("Query(%q): no row (err %v)", query, rows.Err())
	}
	var n int64
	if err := rows.Scan(&n); err != nil {
		tb.Fatalf("Query(%q): Scan: %v", query, err)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("Query(%q): %v", query, err)
	}
	return n
}

// queryWriteErr runs a statement through QueryWrite, reading every row, and
// returns the first error from Query, Scan or Err.
func queryWriteErr(c orm.Conn, query string, args ...any) error {
	rows, err := c.QueryWrite(context.Background(), query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
	}
	return rows.Err()
}
