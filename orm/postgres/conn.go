package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/anode-go/anode/orm"
)

var (
	_ orm.Database = (*database)(nil)
	_ orm.Tx       = (*tx)(nil)
	_ orm.Conn     = conn{}
	_ orm.Rows     = (*rows)(nil)
)

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// conn runs statements on the pool or a transaction, translating errors and
// writing the query log.
type conn struct {
	q   querier
	log *orm.QueryLog // nil: no query log
}

// Exec runs a statement and reports the rows affected, from the command
// tag.
func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	start := c.log.Start()
	tag, err := c.q.Exec(ctx, query, bindArgs(args)...)
	err = translate(err)
	c.log.Done(ctx, start, query, len(args), tag.RowsAffected(), err)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// Query runs a statement that returns rows. PostgreSQL has no separate
// reader connections, so it is the same as QueryWrite.
func (c conn) Query(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	start := c.log.Start()
	pr, err := c.q.Query(ctx, query, bindArgs(args)...)
	if err != nil {
		// pgx has already closed pr and released its connection.
		err = translate(err)
		c.log.Done(ctx, start, query, len(args), 0, err)
		return nil, err
	}
	r := &rows{rows: pr}
	if c.log != nil {
		r.pending = &pendingLog{log: c.log, ctx: ctx, query: query, nargs: len(args), start: start}
	}
	return r, nil
}

// QueryWrite runs a statement that writes and returns rows (INSERT ...
// RETURNING).
func (c conn) QueryWrite(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	return c.Query(ctx, query, args...)
}

// rows wraps pgx.Rows. A statement's errors (a constraint violated by
// INSERT ... RETURNING, say) arrive with the rows, so Err translates too;
// the statement is logged when the rows are exhausted or closed, once its
// duration and row count are known.
type rows struct {
	rows    pgx.Rows
	pending *pendingLog // nil: no query log, or already logged
}

// pendingLog is what rows need to log their statement; it is allocated only
// when there is a query log, keeping rows small.
type pendingLog struct {
	log   *orm.QueryLog
	ctx   context.Context
	query string
	nargs int
	start time.Time
}

func (r *rows) Next() bool {
	if r.rows.Next() {
		return true
	}
	r.finish()
	return false
}

func (r *rows) Scan(dest ...any) error { return r.rows.Scan(dest...) }

func (r *rows) Err() error { return translate(r.rows.Err()) }

func (r *rows) Close() {
	r.rows.Close()
	r.finish()
}

func (r *rows) finish() {
	p := r.pending
	if p == nil {
		return
	}
	r.pending = nil
	p.log.Done(p.ctx, p.start, p.query, p.nargs, r.rows.CommandTag().RowsAffected(), translate(r.rows.Err()))
}

// database is the orm.Database over a pgx pool.
type database struct {
	conn
	pool *pgxpool.Pool
}

func newDatabase(pool *pgxpool.Pool, log *orm.QueryLog) *database {
	return &database{conn: conn{q: pool, log: log}, pool: pool}
}

// Begin starts a transaction on a connection from the pool, waiting for one
// as long as ctx allows.
func (d *database) Begin(ctx context.Context) (orm.Tx, error) {
	t, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return &tx{conn: conn{q: t, log: d.log}, tx: t}, nil
}

// Ping checks that the server answers.
func (d *database) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

// Close closes every connection, waiting for those in use to be returned.
func (d *database) Close() error {
	d.pool.Close()
	return nil
}

// tx is the orm.Tx over a pgx transaction.
type tx struct {
	conn
	tx pgx.Tx
}

// Commit commits; a deferred constraint that fails here returns an
// *orm.IntegrityError.
func (t *tx) Commit(ctx context.Context) error { return translate(t.tx.Commit(ctx)) }

// Rollback rolls back. After Commit or Rollback it returns pgx.ErrTxClosed,
// which a deferred Rollback may ignore.
func (t *tx) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

// Columns names the result columns.
func (r *rows) Columns() ([]string, error) {
	fds := r.rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return names, nil
}
