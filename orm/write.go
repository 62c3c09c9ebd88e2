package orm

import (
	"context"
	"errors"
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
	if err := prepareCreate(m, unsafe.Pointer(obj)); err != nil {
		return err
	}
	return withHooks(ctx, db, m, obj, OpCreate, func(ctx context.Context) error {
		if len(m.validated) > 0 && m.hooks.any() {
			if err := m.validateNew(unsafe.Pointer(obj)); err != nil { // a hook may have changed obj
				return err
			}
		}
		return insertRow(ctx, db, m, obj)
	})
}

// prepareInsert readies a new object: declared defaults, a version 7 UUID
// for a zero UUID primary key, and the value checks (choices, decimal
// precision, JSON encoding).
func prepareInsert(m *Model, p unsafe.Pointer) error {
	applyDefaults(m, p)
	if m.PK.Kind == KindUUID {
		if u := (*UUID)(unsafe.Add(p, m.PK.acc.offset)); u.IsZero() {
			*u = NewUUIDv7()
		}
	}
	return m.validate(p)
}

// prepareCreate is prepareInsert for Create and BulkCreate, which leave a
// field with a db_default to the database when it is unset, so such a
// field is not checked then.
func prepareCreate(m *Model, p unsafe.Pointer) error {
	if !m.hasDBDefaults {
		return prepareInsert(m, p)
	}
	applyDefaults(m, p)
	if m.PK.Kind == KindUUID {
		if u := (*UUID)(unsafe.Add(p, m.PK.acc.offset)); u.IsZero() {
			*u = NewUUIDv7()
		}
	}
	return m.validateNew(p)
}

func insertRow[T any](ctx context.Context, db *DB, m *Model, obj *T) error {
	p := unsafe.Pointer(obj)
	if m.hasDBDefaults || onlyAutoKey(m) {
		return insertWithDBDefaults(ctx, db, m, p) // it writes DEFAULT VALUES for no columns
	}
	b := newBuilder(db)
	cols := insertHead(b, m)
	valuesRow(b, cols, p)
	conn := db.Conn(ctx)
	if !m.PK.AutoIncrement {
		_, err := conn.Exec(ctx, b.sql.String(), b.args...)
		return wrapWrite(m, "create", err)
	}
	b.sql.WriteString(" RETURNING ")
	b.column(m.PK)
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
	if m.PK.AutoIncrement && isZeroInt(m.PK, pk) || m.PK.Kind == KindUUID && (*UUID)(pk).IsZero() {
		return Create(ctx, db, obj)
	}
	if err := m.validate(p); err != nil {
		return err
	}
	if m.hooks.any() {
		// Whether this is an update or a create is known only after trying.
		exists, err := From[T](db).Filter(m.PK.Name, reflect.NewAt(m.PK.Type, pk).Elem().Interface()).Exists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			return Create(ctx, db, obj)
		}
		return withHooks(ctx, db, m, obj, OpUpdate, func(ctx context.Context) error {
			if err := m.validate(p); err != nil { // a hook may have changed obj
				return err
			}
			_, err := updateRow(ctx, db, m, p)
			return err
		})
	}
	affected, err := updateRow(ctx, db, m, p)
	if err != nil {
		return err
	}
	if affected == 0 {
		return Create(ctx, db, obj)
	}
	return nil
}

// updateRow writes every non-key field of the object at p by primary key.
func updateRow(ctx context.Context, db *DB, m *Model, p unsafe.Pointer) (int64, error) {
	b := newBuilder(db)
	if len(m.Fields) == 1 { // only a primary key: nothing to update; report whether the row exists
		b.sql.WriteString("SELECT COUNT(*) FROM ")
		b.table(m)
		b.sql.WriteString(" WHERE ")
		b.column(m.PK)
		b.sql.WriteString(" = ")
		b.arg(m.PK.acc.arg(unsafe.Add(p, m.PK.acc.offset)))
		rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
		if err != nil {
			return 0, wrapWrite(m, "save", err)
		}
		defer rows.Close()
		var count int64
		if rows.Next() {
			err = rows.Scan(&count)
		}
		if err == nil {
			err = rows.Err()
		}
		return count, wrapWrite(m, "save", err)
	}
	writeUpdate(b, m, p, m.Fields)
	affected, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	return affected, wrapWrite(m, "save", err)
}

// writeUpdate writes "UPDATE t SET f = ?, … WHERE pk = ?" for the fields
// fs of the object at p (the primary key among them is skipped).
func writeUpdate(b *builder, m *Model, p unsafe.Pointer, fs []*Field) {
	b.sql.WriteString("UPDATE ")
	b.table(m)
	b.sql.WriteString(" SET ")
	n := 0
	for _, f := range fs {
		if f.PrimaryKey {
			continue
		}
		if n > 0 {
			b.sql.WriteString(", ")
		}
		b.column(f)
		b.sql.WriteString(" = ")
		b.arg(f.acc.arg(unsafe.Add(p, f.acc.offset)))
		n++
	}
	b.sql.WriteString(" WHERE ")
	b.column(m.PK)
	b.sql.WriteString(" = ")
	b.arg(m.PK.acc.arg(unsafe.Add(p, m.PK.acc.offset)))
}

// Delete deletes obj's row by primary key. Deleting a row that is already
// gone is not an error. A protect or restrict foreign key that refuses the
// delete (see OnDelete) makes it return a *ProtectedError, deleting nothing.
func Delete[T any](ctx context.Context, db *DB, obj *T) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	return withHooks(ctx, db, m, obj, OpDelete, func(ctx context.Context) error { return deleteRow(ctx, db, m, obj) })
}

func deleteRow[T any](ctx context.Context, db *DB, m *Model, obj *T) error {
	b := newBuilder(db)
	b.sql.WriteString("DELETE FROM ")
	b.table(m)
	b.sql.WriteString(" WHERE ")
	b.column(m.PK)
	b.sql.WriteString(" = ")
	b.arg(m.PK.acc.arg(unsafe.Add(unsafe.Pointer(obj), m.PK.acc.offset)))
	exec := func(ctx context.Context) (int64, error) { return db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...) }
	if !m.deleteCheck {
		_, err := exec(ctx)
		return wrapWrite(m, "delete", err)
	}
	keys := func(context.Context) ([]any, error) { return []any{pkOf(m, unsafe.Pointer(obj))}, nil }
	_, err := deleteChecked(ctx, db, m, keys, exec)
	var pe *ProtectedError
	if errors.As(err, &pe) {
		return err
	}
	return wrapWrite(m, "delete", err)
}

func wrapWrite(m *Model, op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("orm: %s %s: %w", op, m.Label(), err)
}

// isZeroInt reports whether an integer primary key is still zero, through the
// field's typed accessor for the common key types.
func isZeroInt(f *Field, p unsafe.Pointer) bool {
	switch v := f.acc.arg(p).(type) {
	case *int64:
		return *v == 0
	case *int:
		return *v == 0
	}
	return reflect.NewAt(f.Type, p).Elem().IsZero()
}

// applyDefaults gives zero-valued fields their declared defaults.
func applyDefaults(m *Model, p unsafe.Pointer) {
	for _, f := range m.Fields {
		if f.Default == nil || f.Null {
			continue
		}
		t := f.Type
		if f.Kind == KindForeignKey {
			t = f.relKey // the default is a key: Ref's ID, its first field
		}
		v := reflect.NewAt(t, unsafe.Add(p, f.acc.offset)).Elem()
		if v.IsZero() {
			v.Set(reflect.ValueOf(f.Default).Convert(t))
		}
	}
}

// GetOrCreate returns the one row matching q, or creates obj and returns it
// with created set. It is safe against a concurrent GetOrCreate of the same
// row: the insert runs in a savepoint, and if a unique constraint shows that
// someone else created the row first, that row is returned. (As in Django,
// this relies on a unique constraint over the fields q filters on.)
func (q *QuerySet[T]) GetOrCreate(ctx context.Context, obj T) (row T, created bool, err error) {
	row, err = q.Get(ctx)
	if !errors.Is(err, ErrNotFound) {
		return row, false, err
	}
	err = q.db.Atomic(ctx, func(ctx context.Context) error {
		return Create(ctx, q.db, &obj)
	})
	var ie *IntegrityError
	if errors.As(err, &ie) && ie.Kind == IntegrityUnique {
		row, err = q.Get(ctx)
		return row, false, err
	}
	if err != nil {
		return row, false, err
	}
	return obj, true, nil
}

// BulkCreate inserts objs in as few statements as it can (batches of at most
// batchSize rows; 0 picks the largest batch the databases allow, up to
// 1000). Declared defaults apply, and auto-increment keys are set on the
// objects, in order, from the database. Each batch is one statement: a
// constraint violation fails that batch as a whole; wrap the call in Atomic
// to make all batches one unit.
func BulkCreate[T any](ctx context.Context, db *DB, objs []T, batchSize int) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	if m.hasDBDefaults || onlyAutoKey(m) {
		// Which columns the database fills differs per row (or, with no
		// column to write, each row is INSERT … DEFAULT VALUES): insert row
		// by row, as one unit.
		return db.Atomic(ctx, func(ctx context.Context) error {
			for i := range objs {
				p := unsafe.Pointer(&objs[i])
				if err := prepareCreate(m, p); err != nil {
					return fmt.Errorf("orm: bulk create %s: object %d: %w", m.Label(), i, err)
				}
				if err := insertWithDBDefaults(ctx, db, m, p); err != nil {
					return err
				}
			}
			return nil
		})
	}
	cols := insertColumns(m)
	return eachBatch(len(objs), batchRows(len(cols), batchSize), func(start, end int) error {
		b, err := insertRows(db, m, cols, objs[start:end], start)
		if err != nil {
			return err
		}
		if !m.PK.AutoIncrement {
			_, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
			return wrapWrite(m, "bulk create", err)
		}
		b.sql.WriteString(" RETURNING ")
		b.column(m.PK)
		return scanKeys(ctx, db, m, b, objs[start:end])
	})
}

func scanKeys[T any](ctx context.Context, db *DB, m *Model, b *builder, batch []T) error {
	rows, err := db.Conn(ctx).QueryWrite(ctx, b.sql.String(), b.args...)
	if err != nil {
		return wrapWrite(m, "bulk create", err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		if i >= len(batch) {
			return fmt.Errorf("orm: bulk create %s: more keys returned than rows inserted", m.Label())
		}
		if err := rows.Scan(m.PK.acc.dest(unsafe.Add(unsafe.Pointer(&batch[i]), m.PK.acc.offset))); err != nil {
			return wrapWrite(m, "bulk create", err)
		}
	}
	return wrapWrite(m, "bulk create", rows.Err())
}

// onlyAutoKey reports whether m has no column but its auto-increment key
// (say, a model whose other fields are many-to-many relations), so an
// INSERT has no column to name.
func onlyAutoKey(m *Model) bool { return len(m.Fields) == 1 && m.PK.AutoIncrement }

// insertColumns are the columns an INSERT writes: all but an auto-increment key.
func insertColumns(m *Model) []*Field {
	cols := make([]*Field, 0, len(m.Fields))
	for _, f := range m.Fields {
		if !f.AutoIncrement {
			cols = append(cols, f)
		}
	}
	return cols
}

// insertHead writes "INSERT INTO t (a, b) VALUES " and returns the columns.
func insertHead(b *builder, m *Model) []*Field {
	cols := insertColumns(m)
	b.sql.WriteString("INSERT INTO ")
	b.table(m)
	b.sql.WriteString(" (")
	b.columns(b.db.q(m), cols)
	b.sql.WriteString(") VALUES ")
	return cols
}

// valuesRow writes "(?, ?)" binding the columns of the object at p.
func valuesRow(b *builder, cols []*Field, p unsafe.Pointer) {
	b.sql.WriteString("(")
	for i, f := range cols {
		if i > 0 {
			b.sql.WriteString(", ")
		}
		b.arg(f.acc.arg(unsafe.Add(p, f.acc.offset)))
	}
	b.sql.WriteString(")")
}

// UpdateOrCreate updates the one row matching q with every field of obj
// (keeping the row's primary key), or creates obj when there is none, and
// returns the row as written with created set. It runs in a transaction with
// the row locked (SelectForUpdate), and if a concurrent call creates the row
// first (a unique constraint over the filtered fields), it updates that row.
func (q *QuerySet[T]) UpdateOrCreate(ctx context.Context, obj T) (row T, created bool, err error) {
	if q.err != nil {
		return row, false, q.err
	}
	pk := q.model.PK
	update := func(ctx context.Context, existing T) error {
		dst := reflect.NewAt(pk.Type, unsafe.Add(unsafe.Pointer(&obj), pk.acc.offset)).Elem()
		dst.Set(reflect.NewAt(pk.Type, unsafe.Add(unsafe.Pointer(&existing), pk.acc.offset)).Elem())
		return Save(ctx, q.db, &obj)
	}
	err = q.db.Atomic(ctx, func(ctx context.Context) error {
		existing, err := q.SelectForUpdate(LockWait).Get(ctx)
		if err == nil {
			return update(ctx, existing)
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		err = q.db.Atomic(ctx, func(ctx context.Context) error { return Create(ctx, q.db, &obj) })
		var ie *IntegrityError
		if errors.As(err, &ie) && ie.Kind == IntegrityUnique {
			if existing, err = q.SelectForUpdate(LockWait).Get(ctx); err != nil {
				return err
			}
			return update(ctx, existing)
		}
		created = err == nil
		return err
	})
	if err != nil {
		var zero T
		return zero, false, err
	}
	return obj, created, nil
}

// SaveFields updates only the named fields of obj's row, by primary key, like
// Django's save(update_fields=…): the way to write back an object loaded
// with Only or Defer without overwriting the fields it did not load. The
// named fields' values are checked as Save checks them (a *ValueError
// before any SQL), and hooks run as for Save. No row with obj's key is
// ErrNotFound.
func SaveFields[T any](ctx context.Context, db *DB, obj *T, fields ...string) error {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return err
	}
	fs, err := fieldList(m, "SaveFields", fields)
	if err != nil {
		return err
	}
	if len(fs) == 0 {
		return &LookupError{Model: m.Label(), Reason: "SaveFields needs at least one field"}
	}
	for _, f := range fs {
		if f.PrimaryKey {
			return &LookupError{Model: m.Label(), Lookup: f.Name, Reason: "SaveFields: the primary key cannot be updated"}
		}
	}
	p := unsafe.Pointer(obj)
	if err := validateFields(fs, p); err != nil {
		return err
	}
	return withHooks(ctx, db, m, obj, OpUpdate, func(ctx context.Context) error {
		if m.hooks.any() {
			if err := validateFields(fs, p); err != nil { // a hook may have changed obj
				return err
			}
		}
		return updateFields(ctx, db, m, p, fs)
	})
}

// updateFields writes fields fs of the object at p by primary key.
func updateFields(ctx context.Context, db *DB, m *Model, p unsafe.Pointer, fs []*Field) error {
	b := newBuilder(db)
	writeUpdate(b, m, p, fs)
	n, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	if err != nil {
		return wrapWrite(m, "save", err)
	}
	if n == 0 {
		return fmt.Errorf("orm: save %s: %w", m.Label(), ErrNotFound)
	}
	return nil
}

// insertRows renders one multi-row INSERT … VALUES of batch (the objects
// from index start of a bulk create), preparing each object first.
func insertRows[T any](db *DB, m *Model, cols []*Field, batch []T, start int) (*builder, error) {
	b := newBuilder(db)
	insertHead(b, m)
	for r := range batch {
		p := unsafe.Pointer(&batch[r])
		if err := prepareInsert(m, p); err != nil {
			return nil, fmt.Errorf("orm: bulk create %s: object %d: %w", m.Label(), start+r, err)
		}
		if r > 0 {
			b.sql.WriteString(", ")
		}
		valuesRow(b, cols, p)
	}
	return b, nil
}
