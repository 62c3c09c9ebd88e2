package orm

import (
	"context"
	"fmt"
	"unsafe"
)

// Reading rows reuses pooled scan buffers, and the most common read of all,
// From[T](db).Filter("id", id).Get(ctx), runs a statement rendered once per
// model: on that path the ORM allocates nothing but the QuerySet Filter
// returns (see BenchmarkORM).

// scanBuf is a row of T with its scan destinations bound to it, and room for
// one bound argument. Buffers are pooled per model (quotedModel.scan).
type scanBuf[T any] struct {
	row  T
	dest []any
	args [1]any
	pool *quotedModel
}

// getScanBuf takes a scan buffer for m's rows from db's pool, or makes one.
func getScanBuf[T any](db *DB, m *Model) *scanBuf[T] {
	qm := db.q(m)
	if b, ok := qm.scan.Get().(*scanBuf[T]); ok {
		return b
	}
	b := &scanBuf[T]{dest: make([]any, len(m.Fields)), pool: qm}
	p := unsafe.Pointer(&b.row)
	for i, f := range m.Fields {
		b.dest[i] = f.acc.dest(unsafe.Add(p, f.acc.offset))
	}
	return b
}

// scan reads the current row into b.row, from a zero value.
func (b *scanBuf[T]) scan(rows Rows) error {
	var zero T
	b.row = zero
	return rows.Scan(b.dest...)
}

// put returns b to its pool, dropping what the row and argument refer to.
func (b *scanBuf[T]) put() {
	var zero T
	b.row = zero
	b.args[0] = nil
	b.pool.scan.Put(b)
}

// isPKExact reports whether c is "pk = value" with a value: a test at most
// one row passes.
func (c *condition) isPKExact() bool {
	return c.lookup == "exact" && c.field == c.field.model.PK && c.value != nil && c.rhs == nil && c.part == "" && c.values == nil
}

// getByPK is Get for a QuerySet that is exactly From plus one primary-key
// Filter: the model's precomputed statement, no ORDER BY or LIMIT (the key
// is unique), one pooled buffer.
func (q *QuerySet[T]) getByPK(ctx context.Context) (T, error) {
	var zero T
	buf := getScanBuf[T](q.db, q.model)
	defer buf.put()
	buf.args[0] = q.cond0.value
	rows, err := q.db.Conn(ctx).Query(ctx, buf.pool.getSQL, buf.args[:]...)
	if err != nil {
		return zero, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("orm: %s: %w", q.model.Label(), ErrNotFound)
	}
	if err := buf.scan(rows); err != nil {
		return zero, fmt.Errorf("orm: scanning %s: %w", q.model.Label(), err)
	}
	return buf.row, rows.Err()
}

// pkCondition builds "pk = value" for a lookup that names m's primary key
// plainly ("id" or "ID") with a plain value, without parsing the lookup:
// the Filter of the most common query. Anything else (another lookup, a
// value of another type, one bindable refuses) takes lookupExpr, which
// also reports the errors.
func pkCondition(m *Model, text string, value any) (condition, bool) {
	f := m.PK
	if f == nil || text != f.Name && text != f.Column {
		return condition{}, false
	}
	switch value.(type) {
	case int64, int, int32, string, UUID:
	default:
		return condition{}, false
	}
	v, err := bindable(f, value)
	if err != nil {
		return condition{}, false
	}
	return condition{field: f, lookup: "exact", value: v}, true
}
