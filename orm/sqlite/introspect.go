package sqlite

import (
	"context"
	"strings"

	"github.com/anode-go/anode/orm"
)

var _ orm.Introspector = dialect{}

// Tables lists the database's tables, without SQLite's own.
func (dialect) Tables(ctx context.Context, c orm.Conn) ([]string, error) {
	return orm.Strings(ctx, c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
}

// Schema reads every table (SQLite's own excepted) into a snapshot.
// Columns, keys, foreign keys and indexes come from the pragma functions;
// CHECK constraints, constraint names, AUTOINCREMENT, index expressions
// and partial-index predicates exist only in the DDL text SQLite stores,
// which is parsed (see sqltext.go). An unnamed constraint has Name "";
// a UNIQUE constraint's automatic index is reported as the constraint,
// not as an index. Column types are the declared ones in lower case.
func (dialect) Schema(ctx context.Context, c orm.Conn) (*orm.SchemaSnapshot, error) {
	type object struct{ name, table, sql string }
	var tables, indexes []object
	err := orm.EachRow(ctx, c, "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", nil,
		func(r orm.Rows) error {
			var typ string
			var o object
			if err := r.Scan(&typ, &o.name, &o.table, &o.sql); err != nil {
				return err
			}
			if typ == "table" {
				tables = append(tables, o)
			} else {
				indexes = append(indexes, o)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	indexSQL := make(map[string]string, len(indexes))
	for _, ix := range indexes {
		indexSQL[ix.name] = ix.sql
	}
	s := &orm.SchemaSnapshot{}
	for _, t := range tables {
		ts, err := tableSchema(ctx, c, t.name, parseCreateTable(t.sql), indexSQL)
		if err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, ts)
	}
	s.Sort()
	return s, nil
}

// tableSchema reads one table. The table's name is bound as the pragma
// functions' argument, never written into the SQL.
func tableSchema(ctx context.Context, c orm.Conn, table string, ddl tableDDL, indexSQL map[string]string) (orm.TableSnapshot, error) {
	t := orm.TableSnapshot{Name: table}
	var pk []string
	err := orm.EachRow(ctx, c, `SELECT name, lower(type), "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_xinfo(?) WHERE hidden != 1 ORDER BY cid`, []any{table},
		func(r orm.Rows) error {
			var col orm.ColumnSnapshot
			var dflt string
			var pkPos int64
			if err := r.Scan(&col.Name, &col.Type, &col.NotNull, &dflt, &pkPos); err != nil {
				return err
			}
			col.Type = normalize(tokenize(col.Type))
			col.Default = normalize(tokenize(dflt))
			col.Identity = ddl.autoIncrement[strings.ToLower(col.Name)]
			t.Columns = append(t.Columns, col)
			if pkPos > 0 {
				for int64(len(pk)) < pkPos {
					pk = append(pk, "")
				}
				pk[pkPos-1] = col.Name
			}
			return nil
		})
	if err != nil {
		return t, err
	}
	t.PrimaryKey = pk
	for _, ch := range ddl.checks {
		t.Checks = append(t.Checks, orm.CheckSnapshot{Name: ch.name, Expr: ch.expr})
	}

	type index struct {
		name, origin string
		unique       bool
	}
	var list []index
	err = orm.EachRow(ctx, c, `SELECT name, "unique", origin FROM pragma_index_list(?)`, []any{table},
		func(r orm.Rows) error {
			var ix index
			if err := r.Scan(&ix.name, &ix.unique, &ix.origin); err != nil {
				return err
			}
			list = append(list, ix)
			return nil
		})
	if err != nil {
		return t, err
	}
	for _, ix := range list {
		switch ix.origin {
		case "pk":
			continue
		case "u":
			cols, err := orm.Strings(ctx, c, `SELECT COALESCE(name, '') FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			if err != nil {
				return t, err
			}
			t.Uniques = append(t.Uniques, orm.UniqueSnapshot{Name: nameFor(ddl.uniques, cols), Columns: cols})
		default:
			terms, where := parseCreateIndex(indexSQL[ix.name])
			t.Indexes = append(t.Indexes, orm.IndexSnapshot{Name: ix.name, Terms: terms, Unique: ix.unique, Where: where})
		}
	}

	type fkRow struct {
		id            int64
		ref, from, to string
		onDelete      string
	}
	var fkRows []fkRow
	err = orm.EachRow(ctx, c, `SELECT id, "table", "from", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{table},
		func(r orm.Rows) error {
			var fr fkRow
			if err := r.Scan(&fr.id, &fr.ref, &fr.from, &fr.to, &fr.onDelete); err != nil {
				return err
			}
			fkRows = append(fkRows, fr)
			return nil
		})
	if err != nil {
		return t, err
	}
	for i := 0; i < len(fkRows); {
		fr := fkRows[i]
		fk := orm.ForeignKeySnapshot{RefTable: fr.ref, OnDelete: strings.ToUpper(fr.onDelete)}
		for ; i < len(fkRows) && fkRows[i].id == fr.id; i++ {
			fk.Columns = append(fk.Columns, fkRows[i].from)
			fk.RefColumns = append(fk.RefColumns, fkRows[i].to)
		}
		if fk.RefColumns[0] == "" { // REFERENCES t without columns: t's primary key
			ref, err := orm.Strings(ctx, c, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, fk.RefTable)
			if err != nil {
				return t, err
			}
			fk.RefColumns = ref
		}
		fk.Name = nameFor(ddl.foreignKeys, fk.Columns)
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
	return t, nil
}
