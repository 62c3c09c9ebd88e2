package postgres

import (
	"context"

	"github.com/anode-go/anode/orm"
)

var (
	_ orm.Introspector   = Dialect{}
	_ orm.AdvisoryLocker = Dialect{}
)

// Tables lists the tables of the current schema (the first schema of the
// search_path).
func (Dialect) Tables(ctx context.Context, c orm.Conn) ([]string, error) {
	return orm.Strings(ctx, c, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
}

// AdvisoryLock takes a transaction-level advisory lock
// (pg_advisory_xact_lock), released at commit or rollback.
func (Dialect) AdvisoryLock(ctx context.Context, tx orm.Conn, key int64) error {
	rows, err := tx.Query(ctx, "SELECT pg_advisory_xact_lock($1)", key)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}
