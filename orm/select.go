package orm

import (
	"fmt"
	"strings"
	"unsafe"
)

// loadFields are the fields a row of T is read from: Only's or Defer's
// choice, or every field.
func (q *QuerySet[T]) loadFields() []*Field {
	if q.only != nil {
		return q.only
	}
	if q.groupBy != nil {
		return q.groupBy
	}
	return q.model.Fields
}

// joined reports whether a SELECT of fields reads SelectRelated's joins:
// only when it reads whole rows of T (the joined columns follow them).
func (q *QuerySet[T]) joined(fields []*Field) bool {
	return len(q.joins) > 0 && len(fields) == len(q.model.Fields) && q.only == nil && q.groupBy == nil && len(q.annots) == 0
}

// grouped reports whether the query's rows are groups or distinct rows, so
// counting them needs the query as a derived table.
func (q *QuerySet[T]) grouped() bool {
	return q.distinct || q.groupBy != nil || len(q.having) > 0 || q.aggregating()
}

// renderSelect writes SELECT [DISTINCT] fields, annotations FROM table WHERE
// … GROUP BY … HAVING … [ORDER BY …] LIMIT … [lock]. The order is left out
// unless asked for or a limit makes it matter (in a derived table).
func (q *QuerySet[T]) renderSelect(b *builder, fields []*Field, order bool) {
	qm := b.db.q(q.model)
	b.push(qm.table)
	defer b.pop()
	b.sql.WriteString("SELECT ")
	if q.distinct {
		b.sql.WriteString("DISTINCT ")
	}
	if len(fields) == len(q.model.Fields) && q.only == nil && q.groupBy == nil {
		b.sql.WriteString(qm.list)
	} else {
		b.columns(qm, fields)
	}
	for i, a := range q.annots {
		if i > 0 || len(fields) > 0 {
			b.sql.WriteString(", ")
		}
		a.render(b)
		b.sql.WriteString(" AS ")
		b.sql.WriteString(b.d.QuoteIdent(a.alias))
	}
	if q.joined(fields) {
		renderJoinColumns(b, q.joins)
	}
	b.sql.WriteString(" FROM ")
	b.sql.WriteString(qm.table)
	if q.joined(fields) {
		renderJoins(b, q.model, q.joins)
	}
	q.renderWhere(b)
	q.renderGroup(b)
	if (order || q.limit >= 0 || q.offset > 0) && len(q.order) > 0 && !(q.defaultOrder && q.groupBy != nil) {
		q.renderOrder(b)
	}
	q.renderLimit(b)
	if q.lock != "" && b.d.Name() != "sqlite" {
		lock := q.lock
		if len(q.joins) > 0 { // lock the base rows only (not the nullable side of a LEFT JOIN)
			lock = "FOR UPDATE OF " + qm.table + strings.TrimPrefix(lock, "FOR UPDATE")
		}
		b.sql.WriteString(" " + lock)
	}
}

// renderGroup writes GROUP BY and HAVING: by the GroupBy fields, or by the
// primary key when an annotation aggregates the model's own rows (each row
// is then its own group, as in Django).
func (q *QuerySet[T]) renderGroup(b *builder) {
	switch {
	case q.groupBy != nil:
		b.sql.WriteString(" GROUP BY ")
		b.columns(b.db.q(q.model), q.groupBy)
	case q.aggregating():
		b.sql.WriteString(" GROUP BY ")
		b.column(q.model.PK)
	default:
		return
	}
	for i, c := range q.having {
		if i == 0 {
			b.sql.WriteString(" HAVING ")
		} else {
			b.sql.WriteString(" AND ")
		}
		c.render(b)
	}
}

// eachPartial reads rows of some of T's fields (Only, Defer) and
// annotations, which the pooled scan buffer of whole rows does not fit.
func (q *QuerySet[T]) eachPartial(rows Rows, fn func(*T) error) error {
	fields := q.loadFields()
	dest := make([]any, len(fields), len(fields)+len(q.annots))
	var row T
	p := unsafe.Pointer(&row)
	for i, f := range fields {
		dest[i] = f.acc.dest(unsafe.Add(p, f.acc.offset))
	}
	for range q.annots {
		dest = append(dest, new(any)) // selected for ordering; read with Values
	}
	for rows.Next() {
		var zero T
		row = zero
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("orm: scanning %s: %w", q.model.Label(), err)
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// renderOrder writes ORDER BY and the query's order terms.
func (q *QuerySet[T]) renderOrder(b *builder) {
	b.sql.WriteString(" ORDER BY ")
	for i, o := range q.order {
		if i > 0 {
			b.sql.WriteString(", ")
		}
		o.render(b)
		if o.desc {
			b.sql.WriteString(" DESC")
		}
	}
}
