package orm

import (
	"reflect"
	"time"
	"unsafe"
)

// accessors are a field's precomputed ways into a struct, so reading and
// writing rows needs no reflection: dest gives the scan destination, arg the
// bound argument, both from the address of the struct.
type accessors struct {
	offset uintptr
	dest   func(p unsafe.Pointer) any // *T for the field (a **T when Null)
	arg    func(p unsafe.Pointer) any // a *T (the field's own pointer when Null)
}

func typed[T any]() (dest, arg func(unsafe.Pointer) any) {
	return func(p unsafe.Pointer) any { return (*T)(p) },
		func(p unsafe.Pointer) any { return (*T)(p) }
}

func typedNull[T any]() (dest, arg func(unsafe.Pointer) any) {
	return func(p unsafe.Pointer) any { return (**T)(p) },
		func(p unsafe.Pointer) any { return *(**T)(p) }
}

var emptyBytes = []byte{}

// newAccessors picks typed accessors for the common exact types and falls back
// to reflection for named types (type Status string), which works the same,
// a little slower.
func newAccessors(sf reflect.StructField, null bool) accessors {
	a := accessors{offset: sf.Offset}
	t := sf.Type
	if null {
		t = t.Elem()
	}
	var dest, arg func(unsafe.Pointer) any
	pick := func(d, g func(unsafe.Pointer) any) { dest, arg = d, g }
	switch t {
	case reflect.TypeFor[int64]():
		pick(choose[int64](null))
	case reflect.TypeFor[int]():
		pick(choose[int](null))
	case reflect.TypeFor[int32]():
		pick(choose[int32](null))
	case reflect.TypeFor[string]():
		pick(choose[string](null))
	case reflect.TypeFor[bool]():
		pick(choose[bool](null))
	case reflect.TypeFor[float64]():
		pick(choose[float64](null))
	case timeType:
		pick(choose[time.Time](null))
	case durationType:
		pick(choose[time.Duration](null))
	case reflect.TypeFor[[]byte]():
		pick(choose[[]byte](null))
		if !null {
			// A NOT NULL bytes column: a nil slice is stored as empty, the
			// same on every dialect.
			arg = func(p unsafe.Pointer) any {
				if b := *(*[]byte)(p); b != nil {
					return b
				}
				return emptyBytes
			}
		}
	default:
		if d, g, ok := namedAccessors(t, null); ok {
			pick(d, g)
			break
		}
		ft := sf.Type
		dest = func(p unsafe.Pointer) any { return reflect.NewAt(ft, p).Interface() }
		if null {
			arg = func(p unsafe.Pointer) any {
				v := reflect.NewAt(ft, p).Elem()
				if v.IsNil() {
					return nil
				}
				return v.Elem().Convert(baseType(v.Elem().Type())).Interface()
			}
		} else {
			arg = func(p unsafe.Pointer) any {
				v := reflect.NewAt(ft, p).Elem()
				return v.Convert(baseType(ft)).Interface()
			}
		}
	}
	a.dest, a.arg = dest, arg
	return a
}

func choose[T any](null bool) (func(unsafe.Pointer) any, func(unsafe.Pointer) any) {
	if null {
		return typedNull[T]()
	}
	return typed[T]()
}

// baseType is the unnamed type of t's kind, for binding named types
// (type Status string binds as string).
func baseType(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.String:
		return reflect.TypeFor[string]()
	case reflect.Bool:
		return reflect.TypeFor[bool]()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflect.TypeFor[int64]()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return reflect.TypeFor[int64]()
	case reflect.Float32, reflect.Float64:
		return reflect.TypeFor[float64]()
	}
	return t
}

// newRefAccessors reads and binds a foreign key through its ID (the first
// field of Ref, at the field's own address). A nullable one goes through
// Ref's Scan and Value, which map the zero key to NULL.
func newRefAccessors(sf reflect.StructField, null bool, key reflect.Type) accessors {
	a := accessors{offset: sf.Offset}
	ft := sf.Type
	if null {
		a.dest = func(p unsafe.Pointer) any { return reflect.NewAt(ft, p).Interface() }
		a.arg = func(p unsafe.Pointer) any { return reflect.NewAt(ft, p).Elem().Interface() }
		return a
	}
	if vt, ok := reflect.New(key).Elem().Interface().(valueType); ok {
		a.dest, a.arg = vt.accessors(plainField)
		return a
	}
	switch key {
	case reflect.TypeFor[int64]():
		a.dest, a.arg = typed[int64]()
	case reflect.TypeFor[string]():
		a.dest, a.arg = typed[string]()
	default:
		a.dest = func(p unsafe.Pointer) any { return reflect.NewAt(key, p).Interface() }
		a.arg = func(p unsafe.Pointer) any { return reflect.NewAt(key, p).Elem().Interface() }
	}
	return a
}

// namedAccessors serves named types (type Status string) through the typed
// accessors of their underlying type, which has the same memory layout, so
// enum-like fields need no reflection per row either.
func namedAccessors(t reflect.Type, null bool) (dest, arg func(unsafe.Pointer) any, ok bool) {
	switch t.Kind() {
	case reflect.String:
		dest, arg = choose[string](null)
	case reflect.Bool:
		dest, arg = choose[bool](null)
	case reflect.Int64:
		dest, arg = choose[int64](null)
	case reflect.Int:
		dest, arg = choose[int](null)
	case reflect.Int32:
		dest, arg = choose[int32](null)
	case reflect.Float64:
		dest, arg = choose[float64](null)
	default:
		return nil, nil, false
	}
	return dest, arg, true
}

// fieldMode is how a field holds its value: plainly, through a pointer
// (nil is NULL) or in an orm.Null.
type fieldMode uint8

const (
	plainField fieldMode = iota
	pointerField
	nullWrapped
)

// valueType is implemented by the ORM's own column types (UUID, Decimal,
// Date, TimeOfDay, JSON[T]): their kind and typed accessors.
type valueType interface {
	kind() Kind
	accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any)
}

// ownAccessors are the accessors of one of the ORM's own types X, which
// scans itself (sql.Scanner) and binds its bindValue.
func ownAccessors[X binder](mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	switch mode {
	case pointerField:
		return func(p unsafe.Pointer) any { return (**X)(p) },
			func(p unsafe.Pointer) any {
				x := *(**X)(p)
				if x == nil {
					return nil
				}
				return (*x).bindValue()
			}
	case nullWrapped:
		return Null[X]{}.nullAccessors()
	}
	return func(p unsafe.Pointer) any { return (*X)(p) },
		func(p unsafe.Pointer) any { return (*(*X)(p)).bindValue() }
}
