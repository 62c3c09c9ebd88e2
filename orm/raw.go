package orm

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"unsafe"
)

// Raw runs a hand-written SELECT — the explicit escape hatch — and scans the
// rows into T: a registered model (columns matched to fields by column name)
// or any struct (columns matched to exported fields by their snake-case name,
// or an `anode:"column=…"` tag). Values are always bound: pass them as args,
// with the dialect's placeholders ($1 on PostgreSQL, ? on SQLite; see
// db.Dialect().Placeholder). A result column with no matching field is an
// error, so a typo cannot silently drop data.
func Raw[T any](ctx context.Context, db *DB, query string, args ...any) ([]T, error) {
	plan, err := rawPlanFor[T](db)
	if err != nil {
		return nil, err
	}
	rows, err := db.Conn(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var row T
	p := unsafe.Pointer(&row)
	dest := make([]any, len(cols))
	for i, c := range cols {
		acc, ok := plan[c]
		if !ok {
			return nil, fmt.Errorf("orm: Raw into %s: result column %q matches no field", reflect.TypeFor[T](), c)
		}
		dest[i] = acc.dest(unsafe.Add(p, acc.offset))
	}
	var out []T
	for rows.Next() {
		var zero T
		row = zero
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("orm: Raw into %s: %w", reflect.TypeFor[T](), err)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// rawPlans caches, per struct type, the accessors by column name.
var rawPlans sync.Map // reflect.Type → map[string]accessors

func rawPlanFor[T any](db *DB) (map[string]accessors, error) {
	t := reflect.TypeFor[T]()
	if m, ok := db.registry.Lookup(t); ok {
		plan := make(map[string]accessors, len(m.Fields))
		for _, f := range m.Fields {
			plan[f.Column] = f.acc
		}
		return plan, nil
	}
	if v, ok := rawPlans.Load(t); ok {
		return v.(map[string]accessors), nil
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("orm: Raw scans into structs, not %s", t)
	}
	plan := map[string]accessors{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous || sf.Tag.Get("anode") == "-" {
			continue
		}
		f, err := newField(t.String(), sf)
		if err != nil {
			return nil, err
		}
		plan[f.Column] = f.acc
	}
	rawPlans.Store(t, plan)
	return plan, nil
}
