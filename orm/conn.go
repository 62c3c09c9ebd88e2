package orm

import "context"

// Conn runs SQL on a database or inside a transaction. Dialect packages
// implement it over their driver; the ORM never hands it raw user text, only
// SQL it built from the model registry with values as bound arguments.
type Conn interface {
	// Exec runs a statement that returns no rows and reports how many rows
	// it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a read-only statement. On SQLite it may run on a reader
	// connection, concurrently with the writer.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryWrite runs a statement that writes and returns rows
	// (INSERT ... RETURNING); it always runs on a connection that may write.
	QueryWrite(ctx context.Context, query string, args ...any) (Rows, error)
}

// Rows is the result of Query or QueryWrite. Callers must Close it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
	// Columns names the result columns, in order.
	Columns() ([]string, error)
}

// Database is a dialect's connection pool. Its methods are safe for
// concurrent use.
type Database interface {
	Conn
	// Begin starts a transaction. On SQLite it takes the single writer
	// connection (BEGIN IMMEDIATE), so transactions never fail with "database
	// is locked"; they wait their turn, bounded by ctx.
	Begin(ctx context.Context) (Tx, error)
	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	// Close closes every connection.
	Close() error
}

// Tx is a transaction: every statement runs on its one connection.
type Tx interface {
	Conn
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}
