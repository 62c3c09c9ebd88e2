package orm

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"
)

// Create inserts obj as a new row. Fields left at their zero value get their
// declared default first; an auto-increment primary key is set from the
// database. Constraint violations are *IntegrityError.
func Create[T any](ctx context.Context, db *DB, obj *T) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	p := unsafe.Pointer(obj)
	applyDefaults(m, p)
	b := &builder{d: db.dialect}
	b.sql.WriteString("INSERT INTO ")
	b.ident(m.Table)
	b.sql.WriteString(" (")
	n := 0
	for _, f := range m.Fields {
		if f.AutoIncrement {
			continue
		}
		if n > 0 {
			b.sql.WriteString(", ")
		}
		b.ident(f.Column)
		n++
	}
	b.sql.WriteString(") VALUES (")
	n = 0
	for _, f := range m.Fields {
		if f.AutoIncrement {
			continue
		}
		if n > 0 {
			b.sql.WriteString(", ")
		}
		b.arg(f.acc.arg(unsafe.Add(p, f.acc.offset)))
		n++
	}
	b.sql.WriteString(")")
	conn := db.Conn(ctx)
	if !m.PK.AutoIncrement {
		_, err := conn.Exec(ctx, b.sql.String(), b.args...)
		return wrapWrite(m, "create", err)
	}
	b.sql.WriteString(" RETURNING ")
	b.ident(m.PK.Column)
	rows, err := conn.QueryWrite(ctx, b.sql.String(), b.args...)
	if err != nil {
		return wrapWrite(m, "create", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(m.PK.acc.dest(unsafe.Add(p, m.PK.acc.offset))); err != nil {
			return wrapWrite(m, "create", err)
		}
	}
	return wrapWrite(m, "create", rows.Err())
}

// Save writes obj: a row with an auto-increment primary key still zero is
// created; otherwise every field is updated by primary key, and if no row has
// that key, one is created (like Django's save).
func Save[T any](ctx context.Context, db *DB, obj *T) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	p := unsafe.Pointer(obj)
	pk := unsafe.Add(p, m.PK.acc.offset)
	if m.PK.AutoIncrement && isZeroInt(m.PK, pk) {
		return Create(ctx, db, obj)
	}
	b := &builder{d: db.dialect}
	b.sql.WriteString("UPDATE ")
	b.ident(m.Table)
	b.sql.WriteString(" SET ")
	n := 0
	for _, f := range m.Fields {
		if f.PrimaryKey {
			continue
		}
		if n > 0 {
			b.sql.WriteString(", ")
		}
		b.ident(f.Column)
		b.sql.WriteString(" = ")
		b.arg(f.acc.arg(unsafe.Add(p, f.acc.offset)))
		n++
	}
	if n == 0 { // only a primary key: nothing to update
		return Create(ctx, db, obj)
	}
	b.sql.WriteString(" WHERE ")
	b.ident(m.PK.Column)
	b.sql.WriteString(" = ")
	b.arg(m.PK.acc.arg(pk))
	affected, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	if err != nil {
		return wrapWrite(m, "save", err)
	}
	if affected == 0 {
		return Create(ctx, db, obj)
	}
	return nil
}

// Delete deletes obj's row by primary key. Deleting a row that is already
// gone is not an error.
func Delete[T any](ctx context.Context, db *DB, obj *T) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	b := &builder{d: db.dialect}
	b.sql.WriteString("DELETE FROM ")
	b.ident(m.Table)
	b.sql.WriteString(" WHERE ")
	b.ident(m.PK.Column)
	b.sql.WriteString(" = ")
	b.arg(m.PK.acc.arg(unsafe.Add(unsafe.Pointer(obj), m.PK.acc.offset)))
	_, err = db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	return wrapWrite(m, "delete", err)
}

func wrapWrite(m *Model, op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("orm: %s %s: %w", op, m.Label(), err)
}

// isZeroInt reports whether an integer primary key is still zero.
func isZeroInt(f *Field, p unsafe.Pointer) bool {
	return reflect.NewAt(f.Type, p).Elem().IsZero()
}

// applyDefaults gives zero-valued fields their declared defaults.
func applyDefaults(m *Model, p unsafe.Pointer) {
	for _, f := range m.Fields {
		if f.Default == nil || f.Null {
			continue
		}
		v := reflect.NewAt(f.Type, unsafe.Add(p, f.acc.offset)).Elem()
		if v.IsZero() {
			v.Set(reflect.ValueOf(f.Default).Convert(f.Type))
		}
	}
}
