package orm

import (
	"context"
	"fmt"
)

// Introspector is implemented by dialects that can read the live schema.
// Migrations use it to find their history table; tests use it to compare
// a migrated schema with a freshly created one.
type Introspector interface {
	// Tables lists the tables of the connection's current schema (the
	// search_path's first schema on PostgreSQL), sorted.
	Tables(ctx context.Context, c Conn) ([]string, error)
	// Schema reads every table of the current schema — columns, primary
	// key, unique, check and foreign key constraints, indexes — into a
	// sorted, comparable snapshot. It runs several queries: pass a
	// transaction's Conn for a snapshot of one moment.
	Schema(ctx context.Context, c Conn) (*SchemaSnapshot, error)
}

// Introspect reads db's live schema with its dialect's Introspector (see
// SchemaSnapshot); it is an error if the dialect has none.
func (db *DB) Introspect(ctx context.Context) (*SchemaSnapshot, error) {
	in, ok := db.dialect.(Introspector)
	if !ok {
		return nil, fmt.Errorf("orm: the %s dialect cannot read the schema (orm.Introspector)", db.dialect.Name())
	}
	return in.Schema(ctx, db.Conn(ctx))
}

// AdvisoryLocker is implemented by dialects whose transactions can take an
// application-defined lock (PostgreSQL's advisory locks). Without it, a
// dialect's write transactions must already exclude each other, as
// SQLite's do.
type AdvisoryLocker interface {
	// AdvisoryLock takes the lock named key inside transaction tx, waiting
	// for it (bounded by ctx); it is released when tx ends.
	AdvisoryLock(ctx context.Context, tx Conn, key int64) error
}

// Strings runs query (built by a dialect, never from input) on c and
// returns its single text column: a helper for Introspector
// implementations.
func Strings(ctx context.Context, c Conn, query string, args ...any) ([]string, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EachRow runs query (built by a dialect, never from input) with args on c
// and calls scan for every row, closing the rows before it returns, so no
// two statements are open at once on a transaction's single connection: a
// helper for Introspector implementations.
func EachRow(ctx context.Context, c Conn, query string, args []any, scan func(Rows) error) error {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
