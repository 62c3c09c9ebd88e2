package orm

import (
	"database/sql"
	"fmt"
	"reflect"
	"time"
)

// valueHolder scans one column of a given kind and returns it as a plain Go
// value (nil for NULL), chosen once per query, not per row.
type valueHolder struct {
	dest any
	get  func() any
}

func newHolder(f *Field) valueHolder {
	if h, ok := ownHolder(f); ok {
		return h
	}
	kind := f.Kind
	if kind == KindForeignKey {
		if f.relKey != nil && f.relKey.Kind() == reflect.String {
			kind = KindText
		} else {
			kind = KindInt
		}
	}
	switch kind {
	case KindBool:
		var v sql.NullBool
		return valueHolder{&v, func() any { return nullable(v.Valid, v.Bool) }}
	case KindInt:
		var v sql.NullInt64
		return valueHolder{&v, func() any { return nullable(v.Valid, v.Int64) }}
	case KindFloat:
		var v sql.NullFloat64
		return valueHolder{&v, func() any { return nullable(v.Valid, v.Float64) }}
	case KindDuration:
		var v sql.NullInt64
		return valueHolder{&v, func() any { return nullable(v.Valid, time.Duration(v.Int64)) }}
	case KindTime:
		var v *time.Time
		return valueHolder{timeScan{ptr: &v}, func() any {
			if v == nil {
				return nil
			}
			return *v
		}}
	case KindDate:
		var v sql.Null[Date]
		return valueHolder{&v, func() any { return nullable(v.Valid, v.V) }}
	case KindBytes:
		var v []byte
		return valueHolder{&v, func() any {
			if v == nil {
				return nil
			}
			return append([]byte(nil), v...)
		}}
	default:
		var v sql.NullString
		return valueHolder{&v, func() any { return nullable(v.Valid, v.String) }}
	}
}

func nullable[V any](valid bool, v V) any {
	if !valid {
		return nil
	}
	return v
}

// timeScan reads a time that arrives as time.Time, or as the text SQLite
// returns for an expression over a DATETIME column (MIN, MAX), which has no
// declared type for the driver to convert by. It writes *dst, or *ptr for a
// nullable destination.
type timeScan struct {
	dst *time.Time
	ptr **time.Time
}

// timeLayouts are the text forms of stored times.
var timeLayouts = []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"}

// Scan implements sql.Scanner.
func (s timeScan) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if s.ptr != nil {
			*s.ptr = nil
			return nil
		}
		return fmt.Errorf("orm: NULL time into a time.Time (use *time.Time)")
	case time.Time:
		t = v
	case string, []byte:
		var text string
		if b, ok := v.([]byte); ok {
			text = string(b)
		} else {
			text = v.(string)
		}
		var err error
		for _, layout := range timeLayouts {
			if t, err = time.Parse(layout, text); err == nil {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("orm: reading a time from %q: %w", text, err)
		}
	default:
		return fmt.Errorf("orm: reading a time from %T", src)
	}
	t = t.UTC()
	if s.ptr != nil {
		*s.ptr = &t
	} else {
		*s.dst = t
	}
	return nil
}
