package orm

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Distinct drops duplicate rows (SELECT DISTINCT). It matters with Values
// and Only, which select some columns; whole rows already differ by key. On
// PostgreSQL, ordering by a field that is not selected is then refused by
// the database.
func (q *QuerySet[T]) Distinct() *QuerySet[T] {
	c := q.clone()
	c.own().distinct = true
	return c
}

// Only loads just the named fields (and always the primary key); the others
// stay at their zero value. As a subquery (Filter("id__in", qs)), a query
// with exactly one Only field selects that field instead of the key.
//
// A struct does not remember which fields were loaded, so Save of a
// partially loaded object would write the zero values back: write it with
// SaveFields naming the loaded fields, as Django's save(update_fields=…).
func (q *QuerySet[T]) Only(fields ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	named, err := fieldList(c.model, "Only", fields)
	if err != nil {
		c.err = err
		return c
	}
	c.own().onlyNamed = named
	c.own().only = c.pick(func(f *Field) bool { return f.PrimaryKey || containsField(named, f) })
	return c
}

// Defer loads every field but the named ones (the primary key is always
// loaded); see Only for writing such an object back.
func (q *QuerySet[T]) Defer(fields ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	named, err := fieldList(c.model, "Defer", fields)
	if err != nil {
		c.err = err
		return c
	}
	c.own().onlyNamed = nil
	c.own().only = c.pick(func(f *Field) bool { return f.PrimaryKey || !containsField(named, f) })
	return c
}

// pick returns, in model order, the fields among those loaded now that keep
// satisfies.
func (q *QuerySet[T]) pick(keep func(*Field) bool) []*Field {
	var out []*Field
	for _, f := range q.loadFields() {
		if keep(f) {
			out = append(out, f)
		}
	}
	if q.groupBy != nil && len(out) == 0 {
		return q.groupBy
	}
	return out
}

// valuesField is a field of a Values result struct, computed once per type.
type valuesField struct {
	name, column string
	kind         Kind
	acc          accessors
	mode         fieldMode // plain, pointer or orm.Null, for decimalAccessors
}

var valuesPlans sync.Map // reflect.Type → []valuesField

func valuesPlanFor(t reflect.Type) ([]valuesField, error) {
	if v, ok := valuesPlans.Load(t); ok {
		return v.([]valuesField), nil
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("orm: Values reads into a struct, not %s (use ValuesMap or ValuesList)", t)
	}
	var plan []valuesField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous || sf.Tag.Get("anode") == "-" {
			continue
		}
		f, err := newProjectionField(t.String(), sf)
		if err != nil {
			return nil, err
		}
		plan = append(plan, valuesField{name: sf.Name, column: f.Column, kind: f.Kind, acc: f.acc, mode: f.mode})
	}
	valuesPlans.Store(t, plan)
	return plan, nil
}

// Values runs q and reads each row into a struct R whose exported fields
// name fields of the model or annotation aliases (by Go name or snake-case
// column name; `anode:"column=…"` to rename), like Django's values():
//
//	type Row struct {
//		Text     string
//		NChoices int64 // the alias n_choices
//	}
//	rows, err := orm.Values[Row](ctx, orm.From[Question](db).Annotate(orm.CountOf("choices").As("n_choices")))
//
// Only R's columns are selected (with Distinct, distinct combinations of
// them). An R field that names neither a field nor an alias, or whose type
// does not fit, is a *LookupError before any SQL is sent. Use a pointer
// field for an aggregate that may be NULL (a sum over no rows).
func Values[R any, T any](ctx context.Context, q *QuerySet[T]) ([]R, error) {
	if err := q.runErr(); err != nil {
		return nil, err
	}
	plan, err := valuesPlanFor(reflect.TypeFor[R]())
	if err != nil {
		return nil, err
	}
	var fields []*Field
	var fieldDest []accessors
	var annDest []accessors
	annAt := make([]int, len(q.annots)) // plan index per annotation, -1 unread
	for i := range annAt {
		annAt[i] = -1
	}
	for _, vf := range plan {
		src, a, err := q.source(vf.name, vf.column)
		if err != nil {
			return nil, err
		}
		want := src
		if a != nil {
			want = a.result
		}
		if !kindFits(vf.kind, want) {
			return nil, &LookupError{Model: q.model.Label(), Lookup: vf.name, Reason: fmt.Sprintf("Values into %s: field %s is %s, and %s is %s", reflect.TypeFor[R](), vf.name, vf.kind, want.Name, want.Kind)}
		}
		if a != nil {
			annAt[a.pos] = len(annDest)
			annDest = append(annDest, vf.acc)
			continue
		}
		fields = append(fields, src)
		if src.Kind == KindDecimal { // read at the model field's places
			vf.acc = decimalAccessors(vf.acc.offset, src.Places, vf.mode)
		}
		fieldDest = append(fieldDest, vf.acc)
	}
	c := q.clone()
	c.own().only = fields
	if len(fields) == 0 && len(q.annots) == 0 {
		return nil, fmt.Errorf("orm: Values into %s: no fields to read", reflect.TypeFor[R]())
	}
	var out []R
	var row R
	p := unsafe.Pointer(&row)
	dest := make([]any, 0, len(fields)+len(q.annots))
	for _, acc := range fieldDest {
		dest = append(dest, acc.dest(unsafe.Add(p, acc.offset)))
	}
	for _, at := range annAt {
		if at < 0 {
			dest = append(dest, new(any))
			continue
		}
		acc := annDest[at]
		d := acc.dest(unsafe.Add(p, acc.offset))
		switch x := d.(type) { // a MIN/MAX of times may come back as text
		case *time.Time:
			d = timeScan{dst: x}
		case **time.Time:
			d = timeScan{ptr: x}
		}
		dest = append(dest, d)
	}
	err = c.scanRows(ctx, dest, func() {
		out = append(out, row)
		var zero R
		row = zero
	})
	return out, err
}

// source finds what a Values name refers to: a model field (in the group,
// for a grouped query) or an annotation.
func (q *QuerySet[T]) source(names ...string) (*Field, *annotation, error) {
	for _, n := range names {
		for _, a := range q.annots {
			if a.alias == n {
				return nil, a, nil
			}
		}
	}
	for _, n := range names {
		if f, ok := q.model.Field(n); ok {
			if q.groupBy != nil && !containsField(q.groupBy, f) {
				return nil, nil, &LookupError{Model: q.model.Label(), Lookup: n, Reason: fmt.Sprintf("Values: %s is not a GroupBy field (grouped by: %s)", f.Name, fieldNames(q.groupBy))}
			}
			return f, nil, nil
		}
	}
	return nil, nil, &LookupError{Model: q.model.Label(), Lookup: names[0], Reason: fmt.Sprintf("Values: no field or annotation %q (fields: %s; annotations: %s)",
		names[0], strings.Join(q.model.FieldNames(), ", "), strings.Join(aliasNames(q.annots), ", "))}
}

func fieldNames(fs []*Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// kindFits reports whether a destination of kind dst can hold src's values.
func kindFits(dst Kind, src *Field) bool {
	switch {
	case dst == src.Kind:
		return true
	case src.Kind == KindForeignKey:
		return src.relKey != nil && (dst == KindInt && src.relKey.Kind() == reflect.Int64 || (dst == KindText || dst == KindString) && src.relKey.Kind() == reflect.String)
	case dst == KindFloat:
		return src.Kind == KindInt
	case dst == KindString || dst == KindText:
		return src.Kind == KindString || src.Kind == KindText
	}
	return false
}

// ValuesMap runs q and returns each row as a map from the given names (model
// fields or annotation aliases; by default every loaded field by Go name and
// every alias) to plain Go values: int64, float64, bool, string, []byte,
// time.Time (UTC), time.Duration, a foreign key's key, or nil for NULL.
func ValuesMap[T any](ctx context.Context, q *QuerySet[T], names ...string) ([]map[string]any, error) {
	if err := q.runErr(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		for _, f := range q.loadFields() {
			names = append(names, f.Name)
		}
		for _, a := range q.annots {
			names = append(names, a.alias)
		}
	}
	var fields []*Field
	var fieldKeys []string
	annKey := make([]string, len(q.annots))
	for _, n := range names {
		f, a, err := q.source(n)
		if err != nil {
			return nil, err
		}
		if a != nil {
			annKey[a.pos] = n
			continue
		}
		fields = append(fields, f)
		fieldKeys = append(fieldKeys, n)
	}
	keys := append(fieldKeys, annKey...)
	holders := make([]valueHolder, 0, len(keys))
	for _, f := range fields {
		holders = append(holders, newHolder(f))
	}
	for _, a := range q.annots {
		holders = append(holders, newHolder(a.result))
	}
	dest := make([]any, len(holders))
	for i, h := range holders {
		dest[i] = h.dest
	}
	c := q.clone()
	c.own().only = fields
	var out []map[string]any
	err := c.scanRows(ctx, dest, func() {
		m := make(map[string]any, len(keys))
		for i, k := range keys {
			if k != "" {
				m[k] = holders[i].get()
			}
		}
		out = append(out, m)
	})
	return out, err
}

// ValuesList runs q and returns one field's (or annotation's) values, like
// Django's values_list(field, flat=True): ValuesList[string](ctx, qs,
// "title"). V must fit the field (int64 for a foreign key's key).
func ValuesList[V any, T any](ctx context.Context, q *QuerySet[T], name string) ([]V, error) {
	if err := q.runErr(); err != nil {
		return nil, err
	}
	f, a, err := q.source(name)
	if err != nil {
		return nil, err
	}
	c := q.clone()
	var dest []any
	var v V
	var vd any = &v
	if tp, ok := vd.(*time.Time); ok { // a MIN/MAX of times may come back as text
		vd = timeScan{dst: tp}
	}
	if a != nil {
		c.own().only = []*Field{}
		for _, x := range q.annots {
			if x == a {
				dest = append(dest, vd)
			} else {
				dest = append(dest, new(any))
			}
		}
	} else {
		c.own().only = []*Field{f}
		if f.Kind == KindDecimal {
			vd = decimalScanDest(f, &v)
		}
		dest = append(dest, vd)
		for range q.annots {
			dest = append(dest, new(any))
		}
	}
	var out []V
	err = c.scanRows(ctx, dest, func() {
		out = append(out, v)
		var zero V
		v = zero
	})
	return out, err
}

// scanRows runs q's SELECT of q.only's columns and its annotations, scanning
// each row into dest and calling fn.
func (q *QuerySet[T]) scanRows(ctx context.Context, dest []any, fn func()) error {
	b := q.builder()
	q.renderSelect(b, q.only, true)
	if b.err != nil {
		return b.err
	}
	rows, err := q.db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("orm: scanning %s: %w", q.model.Label(), err)
		}
		fn()
	}
	return rows.Err()
}
