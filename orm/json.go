package orm

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"unsafe"
)

// JSON holds any Go value stored as JSON, like Django's JSONField: JSONB on
// PostgreSQL, TEXT holding JSON on SQLite (queried with its JSON functions).
// V is encoded with encoding/json on write and decoded on read; a value
// that cannot be encoded is a *ValueError before any SQL is sent.
//
//	type Event struct {
//		ID   int64
//		Data orm.JSON[map[string]any]
//	}
//
// Lookups follow keys and array indexes into the document; see the JSON
// section of docs/orm.md.
type JSON[T any] struct {
	V T
}

// JSONOf wraps v.
func JSONOf[T any](v T) JSON[T] { return JSON[T]{V: v} }

// MarshalJSON encodes V.
func (j JSON[T]) MarshalJSON() ([]byte, error) { return json.Marshal(j.V) }

// UnmarshalJSON decodes into V.
func (j *JSON[T]) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &j.V) }

// Scan decodes a JSON column.
func (j *JSON[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		return fmt.Errorf("orm: cannot read NULL into a JSON (use orm.Null[orm.JSON[T]])")
	default:
		return fmt.Errorf("orm: cannot read %T as JSON", src)
	}
	var zero T
	j.V = zero
	if err := json.Unmarshal(b, &j.V); err != nil {
		return fmt.Errorf("orm: reading JSON into %T: %w", j.V, err)
	}
	return nil
}

// Value binds the encoded text.
func (j JSON[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (j JSON[T]) bindValue() any {
	b, err := json.Marshal(j.V)
	return jsonArg{v: j.V, text: string(b), err: err}
}
func (JSON[T]) kind() Kind { return KindJSON }
func (JSON[T]) accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	return ownAccessors[JSON[T]](mode)
}

// jsonArg is a JSON field's encoded value; the builder binds its text, and
// the write check reports err.
type jsonArg struct {
	v    any
	text string
	err  error
}

// Value binds the encoded text, should a jsonArg reach a driver without
// passing through the builder.
func (a jsonArg) Value() (driver.Value, error) { return a.text, a.err }
