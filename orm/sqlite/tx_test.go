package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

func TestTransactions(t *testing.T) {
	tests := []struct {
		name   string
		end    func(ctx context.Context, tx orm.Tx) error
		want   int64 // rows in t afterwards
		endErr bool
	}{
		{"commit", func(ctx context.Context, tx orm.Tx) error { return tx.Commit(ctx) }, 2, false},
		{"rollback", func(ctx context.Context, tx orm.Tx) error { return tx.Rollback(ctx) }, 0, false},
		{"rollback with canceled ctx", func(ctx context.Context, tx orm.Tx) error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return tx.Rollback(ctx)
		}, 0, false},
		{"commit with canceled ctx rolls back", func(ctx context.Context, tx orm.Tx) error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return tx.Commit(ctx)
		}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openFile(t)
			ctx := context.Background()
			mustExec(t, db, "CREATE TABLE t (x INTEGER)")
			tx, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, tx, "INSERT INTO t VALUES (1)")
			if err := queryWriteErr(tx, "INSERT INTO t VALUES (2) RETURNING x"); err != nil {
				t.Fatal(err)
			}
			// The transaction sees its own writes; readers do not, yet.
			if n := queryInt(t, tx, "SELECT count(*) FROM t"); n != 2 {
				t.Errorf("inside the transaction: %d rows, want 2", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 0 {
				t.Errorf("a reader sees %d uncommitted rows", n)
			}
			if err := tt.end(ctx, tx); (err != nil) != tt.endErr {
				t.Fatalf("ending: err = %v, want error: %t", err, tt.endErr)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM t"); n != tt.want {
				t.Errorf("after: %d rows, want %d", n, tt.want)
			}
			// The transaction is over ...
			if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (3)"); err == nil {
				t.Error("Exec after the end succeeded")
			}
			if _, err := tx.Query(ctx, "SELECT 1"); err == nil {
				t.Error("Query after the end succeeded")
			}
			if err := tx.Commit(ctx); err == nil {
				t.Error("Commit after the end succeeded")
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Errorf("Rollback after the end: %v, want nil (it is deferred)", err)
			}
			// ... and the writer is free, outside any transaction.
			mustExec(t, db, "INSERT INTO t VALUES (4)")
			if n := queryInt(t, db, "SELECT count(*) FROM t"); n != tt.want+1 {
				t.Errorf("after a plain insert: %d rows, want %d", n, tt.want+1)
			}
		})
	}
}

func TestDeferredForeignKeyFailsCommit(t *testing.T) {
	db, _ := openFile(t)
	ctx := context.Background()
	mustExec(t, db, `CREATE TABLE parent (id INTEGER PRIMARY KEY);
		CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO child VALUES (7)") // fine until COMMIT
	err = tx.Commit(ctx)
	var ie *orm.IntegrityError
	if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
		t.Fatalf("Commit: %v, want a foreign key IntegrityError", err)
	}
	// The failed COMMIT was rolled back, not left open on the writer.
	if n := queryInt(t, db, "SELECT count(*) FROM child"); n != 0 {
		t.Errorf("%d child rows after the failed commit", n)
	}
	tx, err = db.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin after a failed commit: %v", err)
	}
	mustExec(t, tx, "INSERT INTO parent VALUES (7)")
	mustExec(t, tx, "INSERT INTO child VALUES (7)")
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func TestBeginWaitsForWriter(t *testing.T) {
	db, _ := openFile(t)
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := db.Begin(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Begin while the writer is taken: %v, want context.DeadlineExceeded", err)
	}
	if _, err := db.Exec(short, "INSERT INTO t VALUES (1)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec while the writer is taken: %v, want context.DeadlineExceeded", err)
	}
	// Readers are not blocked by the transaction.
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("%d rows", n)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.Exec(ctx, "INSERT INTO t VALUES (2)")
		done <- err
	}()
	mustExec(t, tx, "INSERT INTO t VALUES (1)")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiting Exec: %v", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
}

func TestCanceledContextRollsBack(t *testing.T) {
	db, _ := openFile(t)
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	ctx, cancel := context.WithCancel(context.Background())
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO t VALUES (1)")
	cancel() // the request gave up without ending the transaction
	// The writer comes back: this would wait forever otherwise.
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if _, err := db.Exec(wait, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("Exec after the canceled transaction: %v", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("%d rows, want 1 (the canceled transaction's row rolled back)", n)
	}
	if err := tx.Commit(context.Background()); err == nil {
		t.Error("Commit after cancellation succeeded")
	}
}
