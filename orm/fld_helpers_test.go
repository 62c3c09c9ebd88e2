package orm_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/postgres"
)

// sqliteDialect returns the SQLite dialect (unexported in its package) from
// a throwaway database.
func sqliteDialect(t *testing.T) orm.Dialect {
	t.Helper()
	db, err := orm.Open(context.Background(), "sqlite:///"+filepath.Join(t.TempDir(), "d.db"), orm.NewRegistry(), orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.Dialect()
}

func postgresDialect() orm.Dialect { return postgres.Dialect{} }
