package orm

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"unsafe"
)

// Ref is a foreign key to model T whose primary key has type K: the field
// holds the key (ID), and its column is "<field>_id". FK[T] is the common
// case of an int64 key.
//
//	type Choice struct {
//		ID       int64
//		Question orm.FK[Question] `anode:"on_delete=cascade,related=choices"`
//	}
//
// A foreign key tagged null may be empty: its zero ID is stored as NULL.
type Ref[T any, K comparable] struct {
	ID  K
	obj *T
}

// FK is a foreign key to a model with an int64 primary key.
type FK[T any] = Ref[T, int64]

// RefTo returns a reference to obj, taking its key from id.
func RefTo[T any, K comparable](id K, obj *T) Ref[T, K] { return Ref[T, K]{ID: id, obj: obj} }

// IsZero reports whether the reference is empty (NULL).
func (r Ref[T, K]) IsZero() bool {
	var zero K
	return r.ID == zero
}

// Loaded returns the referenced object if it was loaded with the row, or nil.
func (r Ref[T, K]) Loaded() *T { return r.obj }

// Get returns the referenced object: the loaded one, or a query by primary key.
func (r Ref[T, K]) Get(ctx context.Context, db *DB) (T, error) {
	if r.obj != nil {
		return *r.obj, nil
	}
	m, err := ModelOf[T](db.registry)
	if err != nil {
		// T may be a struct embedded in the target model (a custom user
		// model embedding auth.User): load that row and return T's part.
		target, off, eerr := db.registry.embeddingOf(reflect.TypeFor[T]())
		if eerr != nil {
			var zero T
			return zero, err
		}
		obj, err := loadByKey(ctx, db, target, r.ID)
		if err != nil {
			var zero T
			return zero, err
		}
		return *(*T)(unsafe.Add(obj, off)), nil
	}
	return From[T](db).Filter(m.PK.Name, r.ID).Get(ctx)
}

// relation lets the registry find the target and key types.
func (Ref[T, K]) relation() (target, key reflect.Type) {
	return reflect.TypeFor[T](), reflect.TypeFor[K]()
}

type relationField interface {
	relation() (target, key reflect.Type)
}

// Scan reads a nullable foreign key column: NULL leaves the zero key.
func (r *Ref[T, K]) Scan(src any) error {
	r.obj = nil
	var zero K
	if src == nil {
		r.ID = zero
		return nil
	}
	switch p := any(&r.ID).(type) {
	case *int64:
		switch v := src.(type) {
		case int64:
			*p = v
			return nil
		case []byte:
			n, err := strconv.ParseInt(string(v), 10, 64)
			*p = n
			return err
		case string:
			n, err := strconv.ParseInt(v, 10, 64)
			*p = n
			return err
		}
	case *string:
		switch v := src.(type) {
		case string:
			*p = v
			return nil
		case []byte:
			*p = string(v)
			return nil
		}
	}
	if sc, ok := any(&r.ID).(sql.Scanner); ok { // orm.UUID and other scanning keys
		return sc.Scan(src)
	}
	rv := reflect.ValueOf(src)
	kt := reflect.TypeFor[K]()
	if rv.Type().ConvertibleTo(kt) {
		reflect.ValueOf(&r.ID).Elem().Set(rv.Convert(kt))
		return nil
	}
	return fmt.Errorf("orm: cannot read %T into a key of type %s", src, kt)
}

// Value binds the key, or NULL for the zero key.
func (r Ref[T, K]) Value() (driver.Value, error) {
	if r.IsZero() {
		return nil, nil
	}
	switch v := any(r.ID).(type) {
	case int64:
		return v, nil
	case string:
		return v, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(r.ID)
}

// OnDelete says what deleting a referenced row does to the rows that refer to
// it, as in Django. Cascade, SetNull and SetDefault are carried out by the
// database; Protect and Restrict are checked by orm.Delete and
// QuerySet.Delete before anything is deleted (a *ProtectedError), with the
// database constraint as the backstop.
type OnDelete uint8

// Delete behaviours.
const (
	Cascade    OnDelete = iota + 1 // delete the referring rows too
	Protect                        // refuse the delete, even one reached by a cascade
	Restrict                       // refuse, unless the referring rows are deleted by a cascade of the same delete
	SetNull                        // set the key to NULL (the field must be null)
	DoNothing                      // no action; the database checks at the end of the statement
	SetDefault                     // set the key to the field's default (the field needs default=)
)

var onDeleteNames = map[string]OnDelete{"cascade": Cascade, "protect": Protect, "restrict": Restrict, "set_null": SetNull, "do_nothing": DoNothing, "set_default": SetDefault}

// String returns the tag spelling: "cascade", "protect", ….
func (o OnDelete) String() string {
	for name, v := range onDeleteNames {
		if v == o {
			return name
		}
	}
	return "on_delete(" + strconv.Itoa(int(o)) + ")"
}

// sql is the constraint's ON DELETE action. Restrict is NO ACTION, checked at
// the end of the statement, so that rows a cascade of the same statement
// removes do not block it (RESTRICT would check before the cascade ran).
func (o OnDelete) sql() string {
	switch o {
	case Cascade:
		return "CASCADE"
	case Protect:
		return "RESTRICT"
	case SetNull:
		return "SET NULL"
	case SetDefault:
		return "SET DEFAULT"
	}
	return "NO ACTION"
}
