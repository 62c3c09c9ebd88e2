package orm

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// Null is a value of type T that may be NULL, like sql.Null but usable as a
// model field of any supported type:
//
//	type Book struct {
//		ID       int64
//		Subtitle orm.Null[string] // TEXT NULL
//		Price    orm.Null[orm.Decimal] `anode:"digits=8,places=2"`
//	}
//
// A Null[T] field is a NULL-able column of T's kind; Valid false is NULL.
// Its zero value is NULL. It marshals to JSON as null or as V. Lookups on a
// Null[T] field take a T, a Null[T] (an invalid one meaning NULL) or nil,
// and isnull works as for pointer fields.
type Null[T any] struct {
	V     T
	Valid bool
}

// NullOf returns a valid Null holding v.
func NullOf[T any](v T) Null[T] { return Null[T]{V: v, Valid: true} }

// Ptr returns a pointer to a copy of V, or nil when n is NULL.
func (n Null[T]) Ptr() *T {
	if !n.Valid {
		return nil
	}
	v := n.V
	return &v
}

// MarshalJSON writes null or V.
func (n Null[T]) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(n.V)
}

// UnmarshalJSON reads null (Valid false) or a value of T.
func (n *Null[T]) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = Null[T]{}
		return nil
	}
	if err := json.Unmarshal(b, &n.V); err != nil {
		return err
	}
	n.Valid = true
	return nil
}

// Scan reads a column value: NULL makes n invalid; anything else is
// converted to T.
func (n *Null[T]) Scan(src any) error {
	if src == nil {
		*n = Null[T]{}
		return nil
	}
	if err := scanValue(&n.V, src); err != nil {
		return err
	}
	n.Valid = true
	return nil
}

// Value binds V, or NULL when n is invalid.
func (n Null[T]) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	v := bindForm(n.V)
	if vr, ok := v.(driver.Valuer); ok {
		return vr.Value()
	}
	if d, ok := v.(time.Duration); ok {
		return int64(d), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

// nullField lets newField recognise Null[T] and build its accessors without
// reflection per row.
type nullField interface {
	nullOf() reflect.Type
	nullAccessors() (dest, arg func(unsafe.Pointer) any)
	nullValue() (any, bool)
}

func (Null[T]) nullOf() reflect.Type { return reflect.TypeFor[T]() }

// nullValue returns V (in the form to bind) and Valid, for lookups.
func (n Null[T]) nullValue() (any, bool) { return n.V, n.Valid }

func (Null[T]) nullAccessors() (dest, arg func(unsafe.Pointer) any) {
	return func(p unsafe.Pointer) any { return (*Null[T])(p) },
		func(p unsafe.Pointer) any {
			n := (*Null[T])(p)
			if !n.Valid {
				return nil
			}
			return bindForm(n.V)
		}
}

// binder is implemented by the ORM's own value types: the value a driver
// binds for them.
type binder interface{ bindValue() any }

// bindForm returns v in the form a dialect binds: the ORM's own types give
// their column value; other values pass unchanged.
func bindForm(v any) any {
	if b, ok := v.(binder); ok {
		return b.bindValue()
	}
	return v
}

// scanValue converts a driver value src into *dst. The common types are
// handled by a type switch; sql.Scanner types scan themselves; named types
// (type Status string) fall back to a reflect conversion.
func scanValue[T any](dst *T, src any) error {
	switch p := any(dst).(type) {
	case sql.Scanner:
		return p.Scan(src)
	case *string:
		switch v := src.(type) {
		case string:
			*p = v
			return nil
		case []byte:
			*p = string(v)
			return nil
		}
	case *[]byte:
		switch v := src.(type) {
		case []byte:
			*p = bytes.Clone(v)
			return nil
		case string:
			*p = []byte(v)
			return nil
		}
	case *int64:
		return scanInt(p, src)
	case *int:
		var n int64
		err := scanInt(&n, src)
		*p = int(n)
		return err
	case *int32:
		var n int64
		err := scanInt(&n, src)
		*p = int32(n)
		return err
	case *time.Duration:
		var n int64
		err := scanInt(&n, src)
		*p = time.Duration(n)
		return err
	case *bool:
		switch v := src.(type) {
		case bool:
			*p = v
			return nil
		case int64:
			*p = v != 0
			return nil
		}
	case *float64:
		switch v := src.(type) {
		case float64:
			*p = v
			return nil
		case int64:
			*p = float64(v)
			return nil
		case string:
			f, err := strconv.ParseFloat(v, 64)
			*p = f
			return err
		}
	case *time.Time:
		switch v := src.(type) {
		case time.Time:
			*p = v.UTC()
			return nil
		case string:
			t, err := parseStoredTime(v)
			*p = t
			return err
		case []byte:
			t, err := parseStoredTime(string(v))
			*p = t
			return err
		}
	}
	// Named types (type Status string) share their base type's layout: write
	// through it, without reflection per row for the common kinds.
	switch reflect.TypeFor[T]().Kind() {
	case reflect.String:
		switch v := src.(type) {
		case string:
			*(*string)(unsafe.Pointer(dst)) = v
			return nil
		case []byte:
			*(*string)(unsafe.Pointer(dst)) = string(v)
			return nil
		}
	case reflect.Int64:
		return scanInt((*int64)(unsafe.Pointer(dst)), src)
	case reflect.Int:
		var n int64
		err := scanInt(&n, src)
		*(*int)(unsafe.Pointer(dst)) = int(n)
		return err
	case reflect.Int32:
		var n int64
		err := scanInt(&n, src)
		*(*int32)(unsafe.Pointer(dst)) = int32(n)
		return err
	}
	// Other named types: convert by kind.
	dv := reflect.ValueOf(dst).Elem()
	sv := reflect.ValueOf(src)
	if b, ok := src.([]byte); ok && dv.Kind() == reflect.String {
		sv = reflect.ValueOf(string(b))
	}
	if sv.Type().ConvertibleTo(dv.Type()) && (sv.Kind() == dv.Kind() || sv.CanInt() && dv.CanInt() || sv.CanInt() && dv.CanUint() || sv.CanFloat() && dv.CanFloat()) {
		dv.Set(sv.Convert(dv.Type()))
		return nil
	}
	if sv.Kind() == reflect.Int64 && dv.Kind() == reflect.Bool {
		dv.SetBool(sv.Int() != 0)
		return nil
	}
	return fmt.Errorf("orm: cannot read a %T column value into %T", src, *dst)
}

func scanInt(p *int64, src any) error {
	switch v := src.(type) {
	case int64:
		*p = v
		return nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		*p = n
		return err
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		*p = n
		return err
	}
	return fmt.Errorf("orm: cannot read a %T column value into an integer", src)
}

// parseStoredTime reads a time a database returned as text (SQLite's
// fixed-width UTC form, or ISO 8601).
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range [...]string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("orm: cannot read %q as a time", s)
}
