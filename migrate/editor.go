package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/anode-go/anode/orm"
)

// editor turns one table's change between two states into statements for
// one database. Every schema operation reduces to createTable, dropTable
// or alterTable; the editors differ in how they alter: PostgreSQL alters in
// place, SQLite rebuilds the table.
type editor interface {
	// alterTable changes old's table into new's. from maps each field of
	// new to the field of old whose column it keeps (renames included);
	// a field of new missing from it is a new column.
	alterTable(ctx context.Context, env *Env, old, new *orm.Model, from map[string]string) error
	// beforeStep and afterStep bracket the transaction of each migration
	// (SQLite turns foreign key enforcement off around it); check runs
	// inside it, last.
	beforeStep(ctx context.Context, db *orm.DB) error
	afterStep(ctx context.Context, db *orm.DB) error
	check(ctx context.Context, env *Env) error
}

// editorFor returns the editor of a dialect.
func editorFor(d orm.Dialect) (editor, error) {
	switch d.Name() {
	case "sqlite":
		return sqliteEditor{}, nil
	case "postgres":
		return pgEditor{}, nil
	}
	return nil, fmt.Errorf("migrate: no schema editor for the %s database", d.Name())
}

// createTable creates m's table and its indexes.
func createTable(ctx context.Context, env *Env, m *orm.Model) error {
	stmts, err := orm.CreateTableSQL(env.Dialect, m)
	if err != nil {
		return err
	}
	return execAll(ctx, env, stmts)
}

// dropTable drops m's table.
func dropTable(ctx context.Context, env *Env, m *orm.Model) error {
	return execAll(ctx, env, []string{"DROP TABLE " + env.Dialect.QuoteIdent(m.Table)})
}

func execAll(ctx context.Context, env *Env, stmts []string) error {
	for _, s := range stmts {
		if _, err := env.Conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(strings.Fields(s), " "), err)
		}
	}
	return nil
}

// fill is the literal that fills a new NOT NULL column, or one that stops
// accepting NULL, in rows that already exist: the field's default, else
// the zero value of its kind; "" when there is none (the column's
// db_default applies, or the database refuses rows without a value).
func fill(f *orm.Field) string {
	if f.Null || f.DBDefault != nil {
		return ""
	}
	v := f.Default
	if v == nil {
		switch f.Kind {
		case orm.KindBool:
			v = false
		case orm.KindInt, orm.KindFloat:
			v = int64(0)
		case orm.KindString, orm.KindText:
			v = ""
		default:
			return ""
		}
	}
	lit, err := orm.Literal(v)
	if err != nil {
		return ""
	}
	return lit
}

// sqliteEditor rebuilds tables, the procedure SQLite documents for changes
// ALTER TABLE cannot make: create the new table under a temporary name,
// copy the rows, drop the old table, rename the new one, create its
// indexes. Foreign key enforcement is off during the migration (it cannot
// change inside a transaction), so dropping the old table neither
// cascades nor fails, and PRAGMA foreign_key_check runs before the commit.
type sqliteEditor struct{}

func (sqliteEditor) beforeStep(ctx context.Context, db *orm.DB) error {
	_, err := db.Conn(ctx).Exec(ctx, "PRAGMA foreign_keys = OFF")
	return err
}

func (sqliteEditor) afterStep(ctx context.Context, db *orm.DB) error {
	_, err := db.Conn(ctx).Exec(ctx, "PRAGMA foreign_keys = ON")
	return err
}

func (sqliteEditor) check(ctx context.Context, env *Env) error {
	rows, err := env.Conn.Query(ctx, "SELECT \"table\", parent FROM pragma_foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		if err := rows.Scan(&table, &parent); err != nil {
			return err
		}
		return fmt.Errorf("rows of %s refer to missing rows of %s (foreign key check)", table, parent)
	}
	return rows.Err()
}

func (sqliteEditor) alterTable(ctx context.Context, env *Env, old, new *orm.Model, from map[string]string) error {
	q := env.Dialect.QuoteIdent
	if old.Table != new.Table {
		// A native rename also rewrites the foreign keys of other tables.
		if err := execAll(ctx, env, []string{fmt.Sprintf("ALTER TABLE %s RENAME TO %s", q(old.Table), q(new.Table))}); err != nil {
			return err
		}
	}
	ddl, err := orm.NewTableDDL(env.Dialect, new)
	if err != nil {
		return err
	}
	tmp := q("new__" + new.Table)
	var cols, exprs []string
	for _, f := range new.Fields {
		src, kept := from[f.Name]
		var of *orm.Field
		if kept {
			of, kept = old.Field(src)
		}
		switch {
		case kept && of.Null && !f.Null && fill(f) != "":
			exprs = append(exprs, fmt.Sprintf("COALESCE(%s, %s)", q(of.Column), fill(f)))
		case kept:
			exprs = append(exprs, q(of.Column))
		case fill(f) != "":
			exprs = append(exprs, fill(f))
		default:
			continue // NULL or the column's DEFAULT
		}
		cols = append(cols, q(f.Column))
	}
	stmts := ddl.Create(tmp)
	create, indexes := stmts[0], stmts[1:]
	run := []string{create}
	if len(cols) > 0 {
		run = append(run, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", tmp, strings.Join(cols, ", "), strings.Join(exprs, ", "), q(new.Table)))
	}
	run = append(run,
		"DROP TABLE "+q(new.Table),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", tmp, q(new.Table)))
	run = append(run, indexes...)
	return execAll(ctx, env, run)
}

// pgEditor alters tables in place: it drops the constraints and indexes
// that change, alters the columns, and creates the new constraints and
// indexes, comparing the two tables' rendered schema.
type pgEditor struct{}

func (pgEditor) beforeStep(context.Context, *orm.DB) error { return nil }
func (pgEditor) afterStep(context.Context, *orm.DB) error  { return nil }
func (pgEditor) check(context.Context, *Env) error         { return nil }

func (pgEditor) alterTable(ctx context.Context, env *Env, old, new *orm.Model, from map[string]string) error {
	d := env.Dialect
	q := d.QuoteIdent
	oldDDL, err := orm.NewTableDDL(d, old)
	if err != nil {
		return err
	}
	newDDL, err := orm.NewTableDDL(d, new)
	if err != nil {
		return err
	}
	table := q(new.Table)
	var run []string
	if old.Table != new.Table {
		run = append(run, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", q(old.Table), table))
	}
	// Constraints and indexes whose text changes (a renamed table or column
	// changes their names) are dropped first and created last.
	for _, c := range oldDDL.Constraints {
		if !slices.Contains(newDDL.Constraints, c) {
			run = append(run, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, q(c.Name)))
		}
	}
	for _, ix := range oldDDL.Indexes {
		if !slices.Contains(newDDL.Indexes, ix) {
			run = append(run, "DROP INDEX "+q(ix.Name))
		}
	}
	kept := map[string]bool{}
	for _, nf := range new.Fields {
		if src, ok := from[nf.Name]; ok {
			kept[src] = true
		}
	}
	for _, of := range old.Fields {
		if !kept[of.Name] {
			run = append(run, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", table, q(of.Column)))
		}
	}
	oldCols := map[string]orm.ColumnDDL{}
	for _, c := range oldDDL.Columns {
		oldCols[c.Field.Name] = c
	}
	for _, c := range newDDL.Columns {
		f := c.Field
		src, ok := from[f.Name]
		oc, had := oldCols[src]
		if !ok || !had {
			if lit := fill(f); lit != "" {
				run = append(run,
					fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s DEFAULT %s NOT NULL", table, c.Name, c.Type, lit),
					fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", table, c.Name))
			} else {
				run = append(run, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, c.Name, c.Def))
			}
			continue
		}
		if oc.Name != c.Name {
			run = append(run, fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", table, oc.Name, c.Name))
		}
		if oc.Def == c.Def {
			continue
		}
		if oc.Field.PrimaryKey != f.PrimaryKey || (f.PrimaryKey && oc.Type != c.Type) {
			return fmt.Errorf("changing the primary key of %s (%s) is not supported: create a new model and copy the rows", new.Label(), f.Name)
		}
		if oc.Type != c.Type {
			run = append(run, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s", table, c.Name, c.Type, c.Name, c.Type))
		}
		if oc.Default != c.Default {
			if c.Default == "" {
				run = append(run, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", table, c.Name))
			} else {
				run = append(run, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", table, c.Name, c.Default))
			}
		}
		if oc.Field.Null != f.Null {
			if f.Null {
				run = append(run, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", table, c.Name))
			} else {
				if lit := fill(f); lit != "" {
					run = append(run, fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IS NULL", table, c.Name, lit, c.Name))
				}
				run = append(run, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", table, c.Name))
			}
		}
	}
	for _, c := range newDDL.Constraints {
		if !slices.Contains(oldDDL.Constraints, c) {
			run = append(run, fmt.Sprintf("ALTER TABLE %s ADD %s", table, c.SQL))
		}
	}
	for _, ix := range newDDL.Indexes {
		if !slices.Contains(oldDDL.Indexes, ix) {
			run = append(run, ix.SQL)
		}
	}
	return execAll(ctx, env, run)
}
