package orm

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// modelFields returns the exported struct fields of t that make up a
// model, with the fields of embedded structs promoted in their place as Go
// promotes them: an embedded struct's Offset is added to its fields', and a
// field of the outer struct hides a promoted one of the same name. embeds
// receives each embedded struct type (at any depth) and its offset in t.
//
// Only plain structs embed: an embedded pointer, relation, holder or
// scanning type is an error, since its fields are not the model's.
func modelFields(label string, t reflect.Type, embeds map[reflect.Type]uintptr) ([]reflect.StructField, error) {
	return promote(label, t, 0, nil, embeds, 0)
}

func promote(label string, t reflect.Type, base uintptr, index []int, embeds map[reflect.Type]uintptr, depth int) ([]reflect.StructField, error) {
	if depth > 8 {
		return nil, &ModelError{Model: label, Reason: fmt.Sprintf("structs embedded more than 8 deep (at %s)", t)}
	}
	own := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if sf := t.Field(i); !sf.Anonymous {
			own[sf.Name] = true
		}
	}
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("anode") == "-" {
			continue
		}
		sf.Offset += base
		sf.Index = append(slices.Clone(index), sf.Index...)
		if !sf.Anonymous {
			out = append(out, sf)
			continue
		}
		if err := embeddable(sf.Type); err != nil {
			return nil, &ModelError{Model: label, Field: sf.Name, Reason: err.Error()}
		}
		if _, dup := embeds[sf.Type]; dup {
			return nil, &ModelError{Model: label, Field: sf.Name, Reason: fmt.Sprintf("%s is embedded twice", sf.Type)}
		}
		embeds[sf.Type] = sf.Offset
		inner, err := promote(label, sf.Type, sf.Offset, sf.Index, embeds, depth+1)
		if err != nil {
			return nil, err
		}
		for _, f := range inner {
			if !own[f.Name] {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// embeddable reports why an embedded field's type cannot lend its fields
// to a model, or nil if it can.
func embeddable(t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("embedded %s: only struct types embed in a model (not pointers or other kinds); declare it as a named field", t)
	}
	switch reflect.New(t).Interface().(type) { // a pointer has the value's methods too
	case sql.Scanner, driver.Valuer, relationField, holderField:
		return fmt.Errorf("embedded %s is a column or relation type, not a struct of fields; declare it as a named field", t)
	}
	return nil
}

// embedding returns the one registered model that embeds struct type t
// and t's offset in it: what a foreign key to t refers to when t is not a
// model itself. The caller holds r.mu.
func (r *Registry) embedding(t reflect.Type) (*Model, uintptr, error) {
	var found *Model
	var off uintptr
	for _, m := range r.models {
		o, ok := m.embeds[t]
		if !ok {
			continue
		}
		if found != nil {
			return nil, 0, fmt.Errorf("refers to %s, which is not a registered model and is embedded in both %s and %s", t, found.Label(), m.Label())
		}
		found, off = m, o
	}
	if found == nil {
		return nil, 0, fmt.Errorf("refers to %s, which is not a registered model (nor embedded in one)", t)
	}
	return found, off, nil
}

// embeddingOf is embedding for callers that do not hold r.mu.
func (r *Registry) embeddingOf(t reflect.Type) (*Model, uintptr, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.embedding(t)
}

// loadByKey reads the row of m whose primary key is key into a new object.
func loadByKey(ctx context.Context, db *DB, m *Model, key any) (unsafe.Pointer, error) {
	b := newBuilder(db)
	qm := db.q(m)
	b.sql.WriteString("SELECT " + qm.list + " FROM " + qm.table + " WHERE " + qm.columns[m.PK.pos] + " = ")
	b.arg(key)
	rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("orm: loading %s %v: %w", m.Label(), key, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("orm: loading %s %v: %w", m.Label(), key, err)
		}
		return nil, fmt.Errorf("orm: %s %v: %w", m.Label(), key, ErrNotFound)
	}
	obj := m.newObj()
	dest := make([]any, len(m.Fields))
	for i, f := range m.Fields {
		dest[i] = f.acc.dest(unsafe.Add(obj, f.acc.offset))
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, fmt.Errorf("orm: loading %s %v: %w", m.Label(), key, err)
	}
	return obj, rows.Err()
}
