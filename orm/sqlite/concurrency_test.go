package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestConcurrentWriters runs 50 goroutines writing at once, each through
// transactions and plain Exec, while readers read: none may see
// "database is locked", and every row must arrive.
func TestConcurrentWriters(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		rounds int
	}{
		{"default settings", "", 10},
		// A short busy_timeout: SQLite's own waiting covers only the moments
		// a reader holds the WAL write lock while it reads a header the
		// writer is changing (microseconds); writers contending inside SQLite
		// would exceed it and fail with SQLITE_BUSY, so only the one writer
		// queueing in Go keeps this case green (with 10 writer connections it
		// fails).
		{"busy_timeout=100", "?busy_timeout=100", 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { concurrentWriters(t, tt.query, tt.rounds) })
	}
}

func concurrentWriters(t *testing.T, query string, rounds int) {
	const (
		writers = 50
		readers = 4
	)
	db, _ := open(t, fileURL(t)+query, orm.OpenOptions{MaxConns: readers})
	mustExec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, writer INTEGER, via TEXT)")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	errs := make(chan error, writers+readers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				tx, err := db.Begin(ctx)
				if err != nil {
					errs <- fmt.Errorf("writer %d: Begin: %w", w, err)
					return
				}
				if _, err := tx.Exec(ctx, "INSERT INTO t (writer, via) VALUES (?, 'tx')", w); err != nil {
					tx.Rollback(ctx)
					errs <- fmt.Errorf("writer %d: tx insert: %w", w, err)
					return
				}
				if err := tx.Commit(ctx); err != nil {
					errs <- fmt.Errorf("writer %d: Commit: %w", w, err)
					return
				}
				if _, err := db.Exec(ctx, "INSERT INTO t (writer, via) VALUES (?, 'exec')", w); err != nil {
					errs <- fmt.Errorf("writer %d: insert: %w", w, err)
					return
				}
			}
		})
	}
	var stop atomic.Bool
	var reads atomic.Int64
	var rg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			last := int64(-1)
			for !stop.Load() {
				rows, err := db.Query(ctx, "SELECT count(*) FROM t")
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				var n int64
				for rows.Next() {
					if err := rows.Scan(&n); err != nil {
						errs <- fmt.Errorf("reader %d: %w", r, err)
					}
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				if n < last {
					errs <- fmt.Errorf("reader %d: count went down from %d to %d", r, last, n)
					return
				}
				last = n
				reads.Add(1)
				time.Sleep(200 * time.Microsecond) // leave the CPU to the writers too
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	rg.Wait()
	close(errs)
	for err := range errs {
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY || strings.Contains(err.Error(), "locked") {
			t.Errorf("SQLITE_BUSY: %v", err)
		} else {
			t.Error(err)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != int64(writers*rounds*2) {
		t.Errorf("%d rows, want %d", n, writers*rounds*2)
	}
	if reads.Load() == 0 {
		t.Error("no read completed while the writers ran")
	}
	t.Logf("%d reads during %d writes", reads.Load(), writers*rounds*2)
}

func TestReadersCannotWrite(t *testing.T) {
	db, _ := openFile(t)
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	for _, q := range []string{
		"INSERT INTO t VALUES (1) RETURNING x",
		"DELETE FROM t RETURNING x",
		"CREATE TABLE u (x INTEGER)",
	} {
		// Try on more than one reader connection.
		for range 3 {
			err := func() error {
				rows, err := db.Query(context.Background(), q)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
				}
				return rows.Err()
			}()
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "readonly") {
				t.Errorf("Query(%q): err = %v, want a readonly error", q, err)
			}
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("a reader wrote %d rows", n)
	}
	if err := queryWriteErr(db, "INSERT INTO t VALUES (1) RETURNING x"); err != nil {
		t.Errorf("QueryWrite: %v", err)
	}
}

// TestOpenNewFileTogether opens one new database file from several
// connections at once, as instances starting together do: every open
// succeeds (switching the file to WAL is retried while it is busy).
func TestOpenNewFileTogether(t *testing.T) {
	for round := range 5 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new%d.db", round))
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				db, err := orm.Open(context.Background(), "sqlite:///"+path, orm.NewRegistry(), orm.OpenOptions{})
				if err == nil {
					_, err = db.Conn(context.Background()).Exec(context.Background(), "CREATE TABLE IF NOT EXISTS t (x INTEGER)")
					db.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
