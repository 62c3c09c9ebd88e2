package sqlite

import (
	"context"

	"github.com/anode-go/anode/orm"
)

var _ orm.Introspector = dialect{}

// Tables lists the database's tables, without SQLite's own.
func (dialect) Tables(ctx context.Context, c orm.Conn) ([]string, error) {
	return orm.Strings(ctx, c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
}
