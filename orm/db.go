package orm

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// DB is the ORM's handle on one database: a dialect's connection pool, the
// dialect and the model registry. Its methods are safe for concurrent use.
type DB struct {
	db       Database
	dialect  Dialect
	registry *Registry
	quoted   map[*Model]*quotedModel // identifiers quoted once, at Open
}

// quotedModel holds a model's identifiers quoted by the DB's dialect.
// It also keeps what the hot paths reuse per model: the get-by-primary-key
// statement, the unrefined QuerySet From returns, and a pool of scan
// buffers.
type quotedModel struct {
	table   string
	columns []string // by field position
	list    string   // every column, comma-separated: the SELECT list
	getSQL  string   // SELECT list FROM table WHERE pk = <first placeholder>

	base atomic.Value // the *QuerySet[T] From returns: immutable, so shared
	scan sync.Pool    // *scanBuf[T]
}

func quoteModel(d Dialect, m *Model) *quotedModel {
	qm := &quotedModel{table: d.QuoteIdent(m.Table), columns: make([]string, len(m.Fields))}
	for i, f := range m.Fields {
		qm.columns[i] = d.QuoteIdent(f.Column)
	}
	qm.list = strings.Join(qm.columns, ", ")
	if m.PK != nil {
		qm.getSQL = "SELECT " + qm.list + " FROM " + qm.table + " WHERE " + qm.columns[m.PK.pos] + " = " + d.Placeholder(1)
	}
	return qm
}

// q returns m's quoted identifiers (quoting now for a model registered
// after Open).
func (db *DB) q(m *Model) *quotedModel {
	if qm, ok := db.quoted[m]; ok {
		return qm
	}
	return quoteModel(db.dialect, m)
}

// Open connects to the database at rawURL ("sqlite:///data/app.db",
// "postgres://user@host/db") through the dialect registered for its scheme;
// import the dialect package for its side effect. The registry supplies every
// identifier the DB will use.
func Open(ctx context.Context, rawURL string, r *Registry, o OpenOptions) (*DB, error) {
	if err := r.Resolve(); err != nil {
		return nil, err
	}
	db, d, err := openDialect(ctx, rawURL, o)
	if err != nil {
		return nil, err
	}
	quoted := map[*Model]*quotedModel{}
	for _, m := range r.Models() {
		if _, ok := d.(JSONDialect); !ok {
			for _, f := range m.Fields {
				if f.Kind == KindJSON {
					db.Close()
					return nil, &ModelError{Model: m.Label(), Field: f.Name, Reason: "the " + d.Name() + " dialect does not support JSON fields"}
				}
			}
		}
		quoted[m] = quoteModel(d, m)
	}
	return &DB{db: db, dialect: d, registry: r, quoted: quoted}, nil
}

// Dialect returns the DB's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Registry returns the DB's model registry.
func (db *DB) Registry() *Registry { return db.registry }

// Ping checks that the database answers; an App registers it as a readiness
// check.
func (db *DB) Ping(ctx context.Context) error { return db.db.Ping(ctx) }

// Close closes every connection.
func (db *DB) Close() error { return db.db.Close() }

// Conn returns the connection statements in ctx should use: the transaction
// Atomic put in ctx for this DB, or the pool.
func (db *DB) Conn(ctx context.Context) Conn {
	if st, ok := ctx.Value(txKey{db}).(*txState); ok {
		return st.tx
	}
	return db.db
}

// CreateTables creates the tables, constraints and indexes of every
// registered model, in one transaction. It is for tests and first runs until
// migrations manage the schema, and uses the same SQL migrations use.
func (db *DB) CreateTables(ctx context.Context) error {
	return db.Atomic(ctx, func(ctx context.Context) error {
		c := db.Conn(ctx)
		models, err := db.registry.Ordered()
		if err != nil {
			return err
		}
		for _, m := range models {
			stmts, err := CreateTableSQL(db.dialect, m)
			if err != nil {
				return err
			}
			for _, s := range stmts {
				if _, err := c.Exec(ctx, s); err != nil {
					return fmt.Errorf("orm: creating %s: %w", m.Label(), err)
				}
			}
		}
		return nil
	})
}
