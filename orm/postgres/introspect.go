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

// The introspection queries read pg_catalog for the tables of the current
// schema (the search_path's first) only. Texts come from the server's
// deparser (format_type, pg_get_expr, pg_get_indexdef), so they are
// normalized already; they are read with pretty-printing where offered.
const (
	schemaTablesQuery = `SELECT c.relname::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname`

	schemaColumnsQuery = `SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
	COALESCE(pg_get_expr(d.adbin, d.adrelid, true), ''), a.attidentity <> ''
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.attgenerated = ''
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`

	// contype: p primary key, u unique, c check, f foreign key (PostgreSQL
	// 18 adds n for NOT NULL, which attnotnull already reports).
	schemaConstraintsQuery = `SELECT c.relname::text, k.conname::text, k.contype::text,
	ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(num, pos)
		JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.pos),
	COALESCE(f.relname::text, ''),
	ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(num, pos)
		JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.pos),
	k.confdeltype::text,
	CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid, true) ELSE '' END
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = k.confrelid
WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'c', 'f')
ORDER BY c.relname, k.conname`

	// Indexes that back a primary key or unique constraint are those
	// constraints, not indexes of their own.
	schemaIndexesQuery = `SELECT c.relname::text, i.relname::text, x.indisunique,
	ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts::int) k ORDER BY k),
	COALESCE(pg_get_expr(x.indpred, x.indrelid, true), '')
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND NOT EXISTS (SELECT 1 FROM pg_constraint k
		WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid AND k.contype IN ('p', 'u'))
ORDER BY c.relname, i.relname`
)

// onDeleteActions maps pg_constraint.confdeltype to its SQL.
var onDeleteActions = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// Schema reads the tables of the current schema into a snapshot, in four
// queries over pg_catalog. Column types are format_type's
// ("character varying(100)", "timestamp with time zone"); defaults, check
// expressions, index terms and predicates are the server's deparsed text.
func (Dialect) Schema(ctx context.Context, c orm.Conn) (*orm.SchemaSnapshot, error) {
	s := &orm.SchemaSnapshot{}
	names, err := orm.Strings(ctx, c, schemaTablesQuery)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*orm.TableSnapshot, len(names))
	s.Tables = make([]orm.TableSnapshot, len(names))
	for i, name := range names {
		s.Tables[i].Name = name
		byName[name] = &s.Tables[i]
	}
	// table finds the snapshot of a row's table; a table created between
	// the queries (outside a transaction) is skipped.
	table := func(name string) *orm.TableSnapshot {
		if t := byName[name]; t != nil {
			return t
		}
		return &orm.TableSnapshot{}
	}
	err = orm.EachRow(ctx, c, schemaColumnsQuery, nil, func(r orm.Rows) error {
		var name string
		var col orm.ColumnSnapshot
		if err := r.Scan(&name, &col.Name, &col.Type, &col.NotNull, &col.Default, &col.Identity); err != nil {
			return err
		}
		t := table(name)
		t.Columns = append(t.Columns, col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = orm.EachRow(ctx, c, schemaConstraintsQuery, nil, func(r orm.Rows) error {
		var name, conname, contype, refTable, onDelete, expr string
		var cols, refCols []string
		if err := r.Scan(&name, &conname, &contype, &cols, &refTable, &refCols, &onDelete, &expr); err != nil {
			return err
		}
		t := table(name)
		switch contype {
		case "p":
			t.PrimaryKey = cols
		case "u":
			t.Uniques = append(t.Uniques, orm.UniqueSnapshot{Name: conname, Columns: cols})
		case "c":
			t.Checks = append(t.Checks, orm.CheckSnapshot{Name: conname, Expr: expr})
		case "f":
			t.ForeignKeys = append(t.ForeignKeys, orm.ForeignKeySnapshot{Name: conname, Columns: cols,
				RefTable: refTable, RefColumns: refCols, OnDelete: onDeleteActions[onDelete]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = orm.EachRow(ctx, c, schemaIndexesQuery, nil, func(r orm.Rows) error {
		var name string
		var ix orm.IndexSnapshot
		if err := r.Scan(&name, &ix.Name, &ix.Unique, &ix.Terms, &ix.Where); err != nil {
			return err
		}
		t := table(name)
		t.Indexes = append(t.Indexes, ix)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Sort()
	return s, nil
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
