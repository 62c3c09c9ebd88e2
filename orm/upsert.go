package orm

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// BulkOptions configures BulkCreateWith. Its zero value is a plain
// BulkCreate.
type BulkOptions struct {
	// BatchSize caps the rows per statement; 0 picks the largest the
	// databases allow, up to 1000.
	BatchSize int
	// IgnoreConflicts skips rows that would violate a unique constraint
	// (ON CONFLICT DO NOTHING), on UniqueFields when given, else on any.
	IgnoreConflicts bool
	// UniqueFields and UpdateFields make rows that conflict on UniqueFields
	// (the primary key, a unique field, or a set in Meta.UniqueTogether or a
	// unique Meta.Indexes entry) update UpdateFields of the existing row
	// with the new values instead (ON CONFLICT (…) DO UPDATE SET f =
	// EXCLUDED.f).
	UniqueFields, UpdateFields []string
}

// BulkCreateWith is BulkCreate with options, for upserts:
//
//	n, err := orm.BulkCreateWith(ctx, db, tags, orm.BulkOptions{
//		UniqueFields: []string{"slug"}, UpdateFields: []string{"name"},
//	})
//
// It returns the number of rows inserted or updated (skipped rows do not
// count). Auto-increment keys are set on the objects only without conflict
// handling: with it, the database may skip or update rows, so the keys it
// returns no longer line up with objs; read the rows back by their unique
// fields. Bad options are a *LookupError before any SQL is sent.
func BulkCreateWith[T any](ctx context.Context, db *DB, objs []T, o BulkOptions) (int64, error) {
	if !o.IgnoreConflicts && len(o.UniqueFields) == 0 && len(o.UpdateFields) == 0 {
		if err := BulkCreate(ctx, db, objs, o.BatchSize); err != nil {
			return 0, err
		}
		return int64(len(objs)), nil
	}
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return 0, err
	}
	clause, err := conflictClause(db, m, o)
	if err != nil {
		return 0, err
	}
	cols := insertColumns(m)
	var total int64
	err = eachBatch(len(objs), batchRows(len(cols), o.BatchSize), func(start, end int) error {
		b, err := insertRows(db, m, cols, objs[start:end], start)
		if err != nil {
			return err
		}
		b.sql.WriteString(clause)
		n, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
		if err != nil {
			return wrapWrite(m, "bulk create", err)
		}
		total += n
		return nil
	})
	return total, err
}

// conflictClause renders ON CONFLICT … for o, checking its fields against
// m's unique constraints.
func conflictClause(db *DB, m *Model, o BulkOptions) (string, error) {
	fail := func(format string, args ...any) (string, error) {
		return "", &LookupError{Model: m.Label(), Lookup: strings.Join(append(slices.Clip(o.UniqueFields), o.UpdateFields...), ","), Reason: "BulkCreateWith: " + fmt.Sprintf(format, args...)}
	}
	if o.IgnoreConflicts && len(o.UpdateFields) > 0 {
		return fail("IgnoreConflicts and UpdateFields exclude each other")
	}
	if len(o.UpdateFields) > 0 && len(o.UniqueFields) == 0 {
		return fail("UpdateFields needs UniqueFields, the constraint that detects the conflict")
	}
	if !o.IgnoreConflicts && len(o.UpdateFields) == 0 {
		return fail("UniqueFields needs UpdateFields (or IgnoreConflicts)")
	}
	unique, err := fieldList(m, "UniqueFields", o.UniqueFields)
	if err != nil {
		return "", err
	}
	update, err := fieldList(m, "UpdateFields", o.UpdateFields)
	if err != nil {
		return "", err
	}
	if len(unique) > 0 && !isUniqueSet(m, unique) {
		return fail("UniqueFields %s are not the primary key, a unique field, or a set in Meta.UniqueTogether or a unique index", fieldNames(unique))
	}
	qm := db.q(m)
	b := newBuilder(db)
	b.sql.WriteString(" ON CONFLICT")
	if len(unique) > 0 {
		b.sql.WriteString(" (")
		b.columns(qm, unique)
		b.sql.WriteString(")")
	}
	if o.IgnoreConflicts {
		b.sql.WriteString(" DO NOTHING")
		return b.sql.String(), nil
	}
	b.sql.WriteString(" DO UPDATE SET ")
	for i, f := range update {
		if f.PrimaryKey || containsField(unique, f) {
			return fail("UpdateFields: %s is part of the conflict's key", f.Name)
		}
		if i > 0 {
			b.sql.WriteString(", ")
		}
		col := qm.columns[f.pos]
		b.sql.WriteString(col + " = EXCLUDED." + col)
	}
	return b.sql.String(), nil
}

// isUniqueSet reports whether fs is exactly the fields of one of m's unique
// constraints, which ON CONFLICT needs as its target.
func isUniqueSet(m *Model, fs []*Field) bool {
	same := func(names []string) bool {
		if len(names) != len(fs) {
			return false
		}
		for _, n := range names {
			f, ok := m.Field(n)
			if !ok || !containsField(fs, f) {
				return false
			}
		}
		return true
	}
	if len(fs) == 1 && (fs[0].PrimaryKey || fs[0].Unique) {
		return true
	}
	for _, set := range m.Meta.UniqueTogether {
		if same(set) {
			return true
		}
	}
	for _, ix := range m.Meta.Indexes {
		if ix.Unique && ix.Where.isZero() && same(ix.Fields) { // a partial index is no conflict target
			return true
		}
	}
	return false
}
