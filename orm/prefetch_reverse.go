package orm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"
)

// prefetchMany is a reverse foreign key or a many-to-many relation that
// PrefetchRelated loads into a holder field of each row (Many[T], or the
// M2M[T] field itself).
type prefetchMany struct {
	name   string
	fk     *Field  // a reverse foreign key: the other model's key to this one
	end    manyEnd // else a many-to-many relation
	offset uintptr // the holder field in the row
	set    func(at unsafe.Pointer, objs []unsafe.Pointer)
}

// prefetchManyOf resolves name as a relation of m to load in bulk, or
// explains what is missing.
func prefetchManyOf(m *Model, name string) (prefetchMany, error) {
	fail := func(reason string) (prefetchMany, error) {
		return prefetchMany{}, &LookupError{Model: m.Label(), Lookup: name, Reason: "PrefetchRelated: " + reason}
	}
	if e, ok := m.many[name]; ok {
		if e.forward {
			return prefetchMany{name: name, end: e, offset: e.mm.offset, set: e.mm.set}, nil
		}
		if h, ok := m.holders[name]; ok {
			return prefetchMany{name: name, end: e, offset: h.offset, set: h.set}, nil
		}
		return fail(holderHint(m, name, e.farModel()))
	}
	if fk, ok := m.reverse[name]; ok {
		h, ok := m.holders[name]
		if !ok {
			return fail(holderHint(m, name, fk.model))
		}
		return prefetchMany{name: name, fk: fk, offset: h.offset, set: h.set}, nil
	}
	var names []string
	for _, f := range m.Fields {
		if f.Kind == KindForeignKey {
			names = append(names, snakeCase(f.Name))
		}
	}
	for n := range m.reverse {
		names = append(names, n)
	}
	names = append(names, m.manyNames...)
	slices.Sort(names)
	return fail("not a relation of " + m.Label() + " (relations: " + strings.Join(names, ", ") + ")")
}

// exportName turns "choices" into "Choices" for a suggested field name.
func exportName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

// prefetchManyInto loads one relation for rows: one query per 1,000 rows,
// whatever the number of related objects.
func prefetchManyInto[T any](ctx context.Context, db *DB, m *Model, pm prefetchMany, rows []T) error {
	byKey := map[any][]unsafe.Pointer{} // related objects by the row's key
	keys := make([]any, 0, len(rows))
	seen := make(map[any]bool, len(rows))
	for i := range rows {
		if k := pkOf(m, unsafe.Pointer(&rows[i])); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for start := 0; start < len(keys); start += 1000 {
		if err := pm.loadChunk(ctx, db, keys[start:min(start+1000, len(keys))], byKey); err != nil {
			return fmt.Errorf("orm: PrefetchRelated %s: %w", pm.name, err)
		}
	}
	for i := range rows {
		p := unsafe.Pointer(&rows[i])
		pm.set(unsafe.Add(p, pm.offset), byKey[pkOf(m, p)])
	}
	return nil
}

// loadChunk runs one query for the related objects of keys and groups them
// by the key they belong to.
func (pm prefetchMany) loadChunk(ctx context.Context, db *DB, keys []any, byKey map[any][]unsafe.Pointer) error {
	b := newBuilder(db)
	var target *Model
	var owner *Field // the column holding the row's key
	if pm.fk != nil {
		// SELECT cols FROM child WHERE fk IN (…) ORDER BY …
		target, owner = pm.fk.model, pm.fk
		qt := db.q(target)
		b.sql.WriteString("SELECT " + qt.columns[owner.pos] + ", " + qt.list + " FROM " + qt.table + " WHERE " + qt.columns[owner.pos] + " IN (")
	} else {
		// SELECT through.near, target.cols FROM target JOIN through ON through.far = target.pk WHERE through.near IN (…)
		target, owner = pm.end.farModel(), pm.end.near()
		qt, qth := db.q(target), db.q(pm.end.mm.Through)
		near := qth.table + "." + qth.columns[owner.pos]
		b.sql.WriteString("SELECT " + near)
		for _, c := range qt.columns {
			b.sql.WriteString(", " + qt.table + "." + c)
		}
		b.sql.WriteString(" FROM " + qt.table + " INNER JOIN " + qth.table + " ON " + qth.table + "." + qth.columns[pm.end.far().pos] +
			" = " + qt.table + "." + qt.columns[target.PK.pos] + " WHERE " + near + " IN (")
	}
	b.argList(keys)
	b.sql.WriteString(") ORDER BY ")
	qt := db.q(target)
	for _, o := range target.Meta.Ordering {
		f, _ := target.Field(strings.TrimPrefix(o, "-"))
		b.sql.WriteString(qt.table + "." + qt.columns[f.pos])
		if strings.HasPrefix(o, "-") {
			b.sql.WriteString(" DESC")
		}
		b.sql.WriteString(", ")
	}
	b.sql.WriteString(qt.table + "." + qt.columns[target.PK.pos])
	rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var key any
	dest := make([]any, 1+len(target.Fields))
	dest[0] = &key
	for rows.Next() {
		obj := target.newObj()
		for i, f := range target.Fields {
			dest[i+1] = f.acc.dest(unsafe.Add(obj, f.acc.offset))
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		k := normKey(key)
		byKey[k] = append(byKey[k], obj)
	}
	return rows.Err()
}

// holderHint says how to declare the Many[T] field a relation needs.
func holderHint(m *Model, name string, target *Model) string {
	return fmt.Sprintf("add a field %s orm.Many[%s] tagged anode:\"related=%s\" to %s to hold the objects", exportName(name), target.Name, name, m.Name)
}
