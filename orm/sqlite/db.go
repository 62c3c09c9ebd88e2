package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/anode-go/anode/orm"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

func init() { orm.RegisterDialect("sqlite", open) }

var _ orm.Database = (*db)(nil)

// db is a SQLite database: one writer connection and a pool of read-only
// readers (see the package doc). For an in-memory database reader and
// writer are the same one-connection pool.
type db struct {
	writer *pool
	reader *pool
	memory bool
	log    *orm.QueryLog
}

// runner is what a pool and a transaction's *sql.Conn have in common.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// open is the orm.Opener for sqlite:// URLs.
func open(ctx context.Context, u *url.URL, o orm.OpenOptions) (orm.Database, orm.Dialect, error) {
	c, err := parseURL(u)
	if err != nil {
		return nil, nil, err
	}
	d := &db{memory: c.memory(), log: orm.NewQueryLog(o)}
	if !d.memory {
		if dir := filepath.Dir(c.path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, nil, fmt.Errorf("sqlite: database URL %q: %w", u.Redacted(), err)
			}
		}
	}
	w, err := sql.Open("sqlite", c.dsn(false))
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: database URL %q: %w", u.Redacted(), err)
	}
	// One connection, never recycled: it is the only writer, and for
	// :memory: it is the database.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	d.writer = newPool(w)
	if err := d.checkWriterRetry(ctx, time.Duration(c.busyTimeout)*time.Millisecond); err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("sqlite: database URL %q: %w", u.Redacted(), err)
	}
	if d.memory {
		d.reader = d.writer
		return d, dialect{}, nil
	}
	r, err := sql.Open("sqlite", c.dsn(true))
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("sqlite: database URL %q: %w", u.Redacted(), err)
	}
	n := o.MaxConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	d.reader = newPool(r)
	return d, dialect{}, nil
}

// checkWriterRetry is checkWriter, tried again while the database is busy,
// for up to wait: switching a new file to WAL needs a lock SQLite does not
// wait for, so two processes opening one new database together (two
// instances migrating at start-up) could otherwise fail with SQLITE_BUSY.
func (d *db) checkWriterRetry(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := d.checkWriter(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// checkWriter opens the writer connection, which applies the PRAGMAs, and
// makes sure the file took WAL mode: without it readers would block the
// writer and the promise of no "database is locked" would not hold.
func (d *db) checkWriter(ctx context.Context) error {
	var mode string
	if err := d.writer.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !d.memory && !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, not wal (WAL needs shared memory: is the file on a network file system?)", mode)
	}
	return nil
}

func (d *db) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return exec(ctx, d.log, d.writer, query, args)
}

func (d *db) Query(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	return runQuery(ctx, d.log, d.reader, query, args)
}

func (d *db) QueryWrite(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	return runQuery(ctx, d.log, d.writer, query, args)
}

// Begin waits for the writer connection, bounded by ctx, and starts a
// transaction on it with BEGIN IMMEDIATE.
func (d *db) Begin(ctx context.Context) (orm.Tx, error) {
	conn, err := d.writer.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := exec(ctx, d.log, conn, "BEGIN IMMEDIATE", nil); err != nil {
		conn.Close()
		return nil, err
	}
	return newTx(ctx, d, conn), nil
}

// Ping runs SELECT 1 on a reader connection.
func (d *db) Ping(ctx context.Context) error {
	var one int
	return d.reader.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes the readers, then the writer, whose closing checkpoints the
// WAL into the database file.
func (d *db) Close() error {
	var errs []error
	if d.reader != d.writer {
		errs = append(errs, d.reader.stmts.close(), d.reader.db.Close())
	}
	errs = append(errs, d.writer.stmts.close(), d.writer.db.Close())
	return errors.Join(errs...)
}

// exec runs a statement on r, translating and logging.
func exec(ctx context.Context, l *orm.QueryLog, r runner, query string, args []any) (int64, error) {
	start := l.Start()
	bound, err := bindArgs(args)
	if err != nil {
		l.Done(ctx, start, query, len(args), 0, err)
		return 0, err
	}
	var n int64
	res, err := r.ExecContext(ctx, query, bound...)
	if err == nil {
		n, err = res.RowsAffected()
	}
	err = translate(err)
	l.Done(ctx, start, query, len(args), n, err)
	return n, err
}

// runQuery starts a query on r; the statement is logged when its rows close.
func runQuery(ctx context.Context, l *orm.QueryLog, r runner, query string, args []any) (orm.Rows, error) {
	start := l.Start()
	bound, err := bindArgs(args)
	if err != nil {
		l.Done(ctx, start, query, len(args), 0, err)
		return nil, err
	}
	rs, err := r.QueryContext(ctx, query, bound...)
	if err != nil {
		err = translate(err)
		l.Done(ctx, start, query, len(args), 0, err)
		return nil, err
	}
	return &rows{rs: rs, log: l, ctx: ctx, start: start, query: query, nargs: len(args)}, nil
}
