package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"

	"github.com/anode-go/anode/orm"
)

var _ orm.Tx = (*tx)(nil)

// tx is a transaction on the writer connection. Its methods are safe for
// concurrent use; they run one at a time.
type tx struct {
	d    *db
	conn *sql.Conn
	stop func() bool // cancels the rollback on ctx done

	mu   sync.Mutex // held while a statement runs and while ending
	done bool
}

// newTx wraps conn, on which BEGIN IMMEDIATE has run. Like database/sql, the
// transaction is rolled back when ctx is canceled, so that a request that
// gives up does not keep the only writer.
func newTx(ctx context.Context, d *db, conn *sql.Conn) *tx {
	t := &tx{d: d, conn: conn}
	t.stop = context.AfterFunc(ctx, func() {
		t.end(context.Background(), "ROLLBACK")
	})
	return t
}

func (t *tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return 0, errTxDone
	}
	return exec(ctx, t.d.log, t.conn, query, args)
}

func (t *tx) Query(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, errTxDone
	}
	return runQuery(ctx, t.d.log, t.conn, query, args)
}

func (t *tx) QueryWrite(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	return t.Query(ctx, query, args...)
}

// Commit commits the transaction and gives the writer back. If COMMIT
// fails (a deferred foreign key, a canceled ctx) the transaction is rolled
// back and the error, translated, is returned.
func (t *tx) Commit(ctx context.Context) error {
	t.stop()
	return t.end(ctx, "COMMIT")
}

// Rollback rolls the transaction back and gives the writer back. It
// returns nil after Commit or Rollback, so it can be deferred. It runs even
// when ctx is canceled: the writer must not stay inside the transaction.
func (t *tx) Rollback(ctx context.Context) error {
	t.stop()
	if err := t.end(ctx, "ROLLBACK"); !errors.Is(err, errTxDone) {
		return err
	}
	return nil
}

// end runs COMMIT or ROLLBACK and releases the connection.
func (t *tx) end(ctx context.Context, stmt string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return errTxDone
	}
	t.done = true
	if stmt == "COMMIT" {
		_, err := exec(ctx, t.d.log, t.conn, stmt, nil)
		if err == nil {
			t.conn.Close()
			return nil
		}
		// A failed COMMIT leaves the transaction open.
		t.rollback(ctx)
		return err
	}
	return t.rollback(ctx)
}

// rollback runs ROLLBACK, whatever the state of ctx, and returns the
// connection to the writer pool, which must never get it back inside a
// transaction: if ROLLBACK fails, a file database discards the connection
// and the pool opens a fresh one. "No transaction is active" is success:
// SQLite rolls back by itself after some errors and interrupts.
func (t *tx) rollback(ctx context.Context) error {
	_, err := exec(context.WithoutCancel(ctx), t.d.log, t.conn, "ROLLBACK", nil)
	if err != nil && strings.Contains(err.Error(), "no transaction is active") {
		err = nil
	}
	if err != nil && !t.d.memory {
		_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	t.conn.Close()
	return err
}
