package orm

import (
	"context"
	"database/sql/driver"
	"fmt"
	"unsafe"
)

// PrefetchRelated loads related objects with one extra query per relation
// (per 1,000 rows) after the main one — never one query per row — and
// attaches them to the rows. A foreign key's object goes to its Ref
// (Loaded, and Get needs no query):
//
//	choices, err := orm.From[Choice](db).PrefetchRelated("question").All(ctx)
//	q := choices[0].Question.Loaded() // *Question, already loaded
//
// A reverse foreign key (by its related= name) or a many-to-many relation
// fills a holder field of the row: the M2M[T] field itself, or for a
// reverse relation a Many[T] field tagged with its name; Loaded returns the
// objects, in the related model's order (an empty slice for none):
//
//	qs, err := orm.From[Question](db).PrefetchRelated("choices", "tags").All(ctx)
//	qs[0].Choices.Loaded() // []Choice; qs[0].Tags.Loaded() // []Tag
func (q *QuerySet[T]) PrefetchRelated(fields ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	c.own()
	for _, name := range fields {
		f, ok := c.model.Field(name)
		if ok && f.Kind == KindForeignKey && c.model.through == nil {
			c.prefetch = append(c.prefetch, f)
			continue
		}
		pm, err := prefetchManyOf(c.model, name) // prefetch_reverse.go
		if err != nil {
			c.err = err
			return c
		}
		c.many = append(c.many, pm)
	}
	return c
}

// prefetchInto loads and attaches the related objects of rows.
func (q *QuerySet[T]) prefetchInto(ctx context.Context, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	for _, pm := range q.many {
		if err := prefetchManyInto(ctx, q.db, q.model, pm, rows); err != nil {
			return err
		}
	}
	for _, f := range q.prefetch {
		// Distinct keys, in first-seen order.
		byKey := map[any][]unsafe.Pointer{}
		var keys []any
		for i := range rows {
			p := unsafe.Pointer(&rows[i])
			k := refKey(f, p)
			if k == nil {
				continue // a NULL foreign key
			}
			if _, seen := byKey[k]; !seen {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], p)
		}
		target := f.Related
		for start := 0; start < len(keys); start += 1000 {
			chunk := keys[start:min(start+1000, len(keys))]
			if err := q.loadChunk(ctx, f, target, chunk, byKey); err != nil {
				return err
			}
		}
	}
	return nil
}

// refKey is the key a row's foreign key holds, or nil for NULL.
func refKey(f *Field, row unsafe.Pointer) any {
	v := f.acc.arg(unsafe.Add(row, f.acc.offset))
	switch k := v.(type) {
	case nil:
		return nil
	case *int64:
		if *k == 0 && f.Null {
			return nil
		}
		return *k
	case *string:
		if *k == "" && f.Null {
			return nil
		}
		return *k
	case driver.Valuer: // a nullable foreign key: Ref's Value maps the zero key to NULL
		key, _ := k.Value()
		if key == nil {
			return nil
		}
		return key
	}
	return v
}

func (q *QuerySet[T]) loadChunk(ctx context.Context, f *Field, target *Model, keys []any, byKey map[any][]unsafe.Pointer) error {
	b := q.builder()
	qm := q.db.q(target)
	b.sql.WriteString("SELECT " + qm.list + " FROM " + qm.table + " WHERE " + qm.columns[target.PK.pos] + " IN (")
	b.argList(keys)
	b.sql.WriteString(")")
	rows, err := q.db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return fmt.Errorf("orm: PrefetchRelated %s: %w", f.Name, err)
	}
	defer rows.Close()
	dest := make([]any, len(target.Fields))
	for rows.Next() {
		obj := target.newObj()
		for i, tf := range target.Fields {
			dest[i] = tf.acc.dest(unsafe.Add(obj, tf.acc.offset))
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("orm: PrefetchRelated %s: %w", f.Name, err)
		}
		key := refKey(target.PK, obj)
		if ik, ok := key.(int64); ok {
			key = ik
		}
		for _, row := range byKey[key] {
			*(*unsafe.Pointer)(unsafe.Add(row, f.objOffset)) = unsafe.Add(obj, f.relEmbed)
		}
	}
	return rows.Err()
}
