package sqlite_test

import (
	"context"
	"fmt"
	"testing"
)

// The statement cache is invisible: schema changes, scripts, errors and more
// distinct statements than it holds all behave as without it.
func TestStatementCache(t *testing.T) {
	db, _ := openFile(t)
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE t (a INTEGER)")
	mustExec(t, db, "INSERT INTO t (a) VALUES (?)", 1)
	columns := func() int {
		rows, err := db.Query(ctx, "SELECT * FROM t")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row", rows.Err())
		}
		dest := []any{new(any), new(any), new(any)}
		for n := 1; n <= len(dest); n++ {
			if rows.Scan(dest[:n]...) == nil {
				return n
			}
		}
		return 0
	}
	if n := columns(); n != 1 {
		t.Fatalf("SELECT * has %d columns, want 1", n)
	}
	mustExec(t, db, "ALTER TABLE t ADD COLUMN b INTEGER")
	if n := columns(); n != 2 {
		t.Errorf("after ADD COLUMN, the cached SELECT * has %d columns, want 2", n)
	}

	// A script of several statements runs whole, every time.
	for range 2 {
		mustExec(t, db, "INSERT INTO t (a) VALUES (10); INSERT INTO t (a) VALUES (20)")
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t WHERE a IN (10, 20)"); n != 4 {
		t.Errorf("script inserted %d rows, want 4", n)
	}

	// A statement that fails to prepare is not remembered as good.
	if _, err := db.Exec(ctx, "INSERT INTO later (x) VALUES (1)"); err == nil {
		t.Fatal("insert into a missing table succeeded")
	}
	mustExec(t, db, "CREATE TABLE later (x INTEGER)")
	mustExec(t, db, "INSERT INTO later (x) VALUES (1)")

	// More distinct statements than the cache holds.
	for i := range 700 {
		q := fmt.Sprintf("SELECT %d + count(*) FROM t", i)
		if n := queryInt(t, db, q); n != int64(i)+5 {
			t.Fatalf("%s = %d, want %d", q, n, i+5)
		}
	}
}
