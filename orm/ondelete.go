package orm

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// ErrProtected is matched (errors.Is) by every *ProtectedError: a delete
// refused because protect or restrict foreign keys still refer to the rows.
var ErrProtected = errors.New("orm: delete refused: protected foreign key")

// ProtectedError reports a delete refused by an on_delete=protect or
// on_delete=restrict foreign key, found before anything was deleted. It
// matches ErrProtected with errors.Is, and errors.As finds in it an
// *IntegrityError of kind IntegrityForeignKey (the error the database
// constraint would have raised), so code that handles either works.
type ProtectedError struct {
	// Model is the referenced model whose rows were to be deleted
	// ("polls.Question").
	Model string
	// Referencing is the model whose rows refer to them ("polls.Choice"),
	// through its foreign key Field ("Question").
	Referencing, Field string
	// Rule is Protect or Restrict.
	Rule OnDelete
	// Count is the number of referencing rows in the way; Keys holds the
	// primary keys of up to ten of them.
	Count int
	Keys  []any

	table, constraint string
}

func (e *ProtectedError) Error() string {
	keys := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		keys[i] = fmt.Sprint(k)
	}
	more := ""
	if e.Count > len(e.Keys) {
		more = ", …"
	}
	return fmt.Sprintf("orm: cannot delete %s: %d %s row(s) refer to it through %s foreign key %s (keys: %s%s)",
		e.Model, e.Count, e.Referencing, e.Rule, e.Field, strings.Join(keys, ", "), more)
}

// Unwrap returns ErrProtected and the equivalent *IntegrityError.
func (e *ProtectedError) Unwrap() []error {
	return []error{ErrProtected, &IntegrityError{Kind: IntegrityForeignKey, Table: e.table, Constraint: e.constraint}}
}

// maxProtectedKeys bounds ProtectedError.Keys.
const maxProtectedKeys = 10

// planDeletes computes, once at Resolve, the foreign keys that refer to each
// model and what deleting its rows must look at first. A model's delete
// needs a check (deleteCheck) when a protect or restrict key refers to it, or
// a cascade reaches a model whose rows must be collected (deleteFollow): one
// that needs a check itself or has a restrict key of its own, since those
// rows may be what a restrict is waiting for.
func planDeletes(models []*Model) {
	for _, m := range models {
		m.incoming, m.deleteCheck, m.deleteFollow = nil, false, false
	}
	for _, m := range models {
		for _, f := range m.Fields {
			if f.Kind == KindForeignKey && f.Related != nil {
				f.Related.incoming = append(f.Related.incoming, f)
				if f.OnDelete == Protect || f.OnDelete == Restrict {
					f.Related.deleteCheck, f.Related.deleteFollow = true, true
				}
				if f.OnDelete == Restrict {
					m.deleteFollow, m.restricts = true, true
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, m := range models {
			if m.deleteCheck {
				continue
			}
			for _, f := range m.incoming {
				if f.OnDelete == Cascade && f.model.deleteFollow {
					m.deleteCheck, m.deleteFollow, changed = true, true, true
					break
				}
			}
		}
	}
}

// checkDelete refuses the delete of m's rows with the given keys when a
// protect foreign key refers to any row the delete would remove (following
// cascades), or a restrict one does from a row the delete does not remove
// too. It only reads; run it in the delete's transaction.
// It returns the rows a cascade will delete, by model, as far as it followed
// them.
func checkDelete(ctx context.Context, db *DB, m *Model, keys []any) (map[*Model]map[any]bool, error) {
	deleting := map[*Model]map[any]bool{m: {}}
	for _, k := range keys {
		deleting[m][k] = true
	}
	type step struct {
		m    *Model
		keys []any
	}
	type hit struct {
		fk   *Field
		refs []any
	}
	var restricted []hit
	queue := []step{{m, keys}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, fk := range s.m.incoming {
			child := fk.model
			if fk.OnDelete == Cascade && !child.deleteFollow || fk.OnDelete != Cascade && fk.OnDelete != Protect && fk.OnDelete != Restrict {
				continue
			}
			refs, err := referencing(ctx, db, fk, s.keys)
			if err != nil {
				return nil, err
			}
			if len(refs) == 0 {
				continue
			}
			switch fk.OnDelete {
			case Protect:
				return nil, protectedError(fk, refs)
			case Restrict:
				restricted = append(restricted, hit{fk, refs})
			case Cascade:
				seen := deleting[child]
				if seen == nil {
					seen = map[any]bool{}
					deleting[child] = seen
				}
				var fresh []any
				for _, k := range refs {
					if !seen[k] {
						seen[k] = true
						fresh = append(fresh, k)
					}
				}
				if len(fresh) > 0 {
					queue = append(queue, step{child, fresh})
				}
			}
		}
	}
	for _, h := range restricted {
		var left []any
		for _, k := range h.refs {
			if !deleting[h.fk.model][k] {
				left = append(left, k)
			}
		}
		if len(left) > 0 {
			return nil, protectedError(h.fk, left)
		}
	}
	return deleting, nil
}

func protectedError(fk *Field, refs []any) *ProtectedError {
	return &ProtectedError{
		Model: fk.Related.Label(), Referencing: fk.model.Label(), Field: fk.Name, Rule: fk.OnDelete,
		Count: len(refs), Keys: refs[:min(len(refs), maxProtectedKeys)],
		table: fk.model.Table, constraint: constraintName(fk.model.Table, []string{fk.Column}, "fk"),
	}
}

// referencing returns the primary keys of fk's model's rows whose fk holds
// one of keys, in chunks of 1,000 keys.
func referencing(ctx context.Context, db *DB, fk *Field, keys []any) ([]any, error) {
	var out []any
	child := fk.model
	qm := db.q(child)
	for start := 0; start < len(keys); start += 1000 {
		chunk := keys[start:min(start+1000, len(keys))]
		b := newBuilder(db)
		b.sql.WriteString("SELECT " + qm.columns[child.PK.pos] + " FROM " + qm.table + " WHERE " + qm.columns[fk.pos] + " IN (")
		b.argList(chunk)
		b.sql.WriteString(")")
		got, err := scanKeyList(ctx, db, b)
		if err != nil {
			return nil, fmt.Errorf("orm: delete: checking %s.%s: %w", child.Label(), fk.Name, err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// scanKeyList runs a one-column query and returns its values as keys.
func scanKeyList(ctx context.Context, db *DB, b *builder) ([]any, error) {
	rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var k any
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, normKey(k))
	}
	return out, rows.Err()
}

// normKey gives a key one form whatever the driver or Go type: integers as
// int64, text as string, so keys compare equal in maps.
func normKey(k any) any {
	switch v := k.(type) {
	case int64, string, nil:
		return v
	case []byte:
		return string(v)
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case UUID:
		return v.String() // as SQLite returns it
	case [16]byte:
		return UUID(v).String() // as pgx returns a uuid column
	case driver.Valuer:
		if dv, err := v.Value(); err == nil {
			return normKey(dv)
		}
		return k
	}
	rv := reflect.ValueOf(k)
	switch {
	case rv.CanInt():
		return rv.Int()
	case rv.CanUint():
		return int64(rv.Uint())
	case rv.Kind() == reflect.String:
		return rv.String()
	}
	return k
}

// pkOf returns the primary key of the object of model m at p, normalised.
func pkOf(m *Model, p unsafe.Pointer) any {
	at := unsafe.Add(p, m.PK.acc.offset)
	switch v := m.PK.acc.arg(at).(type) {
	case *int64:
		return *v
	case *string:
		return *v
	case *int:
		return int64(*v)
	}
	return normKey(reflect.NewAt(m.PK.Type, at).Elem().Interface())
}

// isZeroKey reports whether k is a zero key (an object never saved).
func isZeroKey(k any) bool {
	switch v := k.(type) {
	case int64:
		return v == 0
	case string:
		return v == "" || v == zeroUUID
	}
	return k == nil
}

var zeroUUID = UUID{}.String()

// keyLiteral renders a foreign key's default as an SQL literal for the
// column's DEFAULT clause: an integer, or a quoted string.
func keyLiteral(v any) (string, error) {
	switch k := normKey(v).(type) {
	case int64, string:
		return Literal(k)
	}
	return "", fmt.Errorf("default=%v: a foreign key default must be an integer or string key", v)
}

// deleteChecked runs exec — a DELETE of m's rows — in a transaction after
// checkDelete passes for the keys keysOf selects. Rows with a restrict key
// that the cascade would remove are deleted first, explicitly: the database
// would otherwise check the restrict constraint against them in an order of
// its own choosing (PostgreSQL may check before its cascade reaches them).
func deleteChecked(ctx context.Context, db *DB, m *Model, keysOf func(ctx context.Context) ([]any, error), exec func(ctx context.Context) (int64, error)) (int64, error) {
	var n int64
	err := db.Atomic(ctx, func(ctx context.Context) error {
		keys, err := keysOf(ctx)
		if err != nil {
			return err
		}
		deleting, err := checkDelete(ctx, db, m, keys)
		if err != nil {
			return err
		}
		for child, set := range deleting {
			if !child.restricts || child == m || len(set) == 0 {
				continue
			}
			if err := deleteByKeys(ctx, db, child, set); err != nil {
				return err
			}
		}
		n, err = exec(ctx)
		return err
	})
	return n, err
}

// deleteByKeys deletes the rows of m with the given primary keys, in chunks.
func deleteByKeys(ctx context.Context, db *DB, m *Model, set map[any]bool) error {
	keys := make([]any, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	qm := db.q(m)
	for start := 0; start < len(keys); start += 1000 {
		b := newBuilder(db)
		b.sql.WriteString("DELETE FROM " + qm.table + " WHERE " + qm.columns[m.PK.pos] + " IN (")
		b.argList(keys[start:min(start+1000, len(keys))])
		b.sql.WriteString(")")
		if _, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...); err != nil {
			return wrapWrite(m, "delete", err)
		}
	}
	return nil
}

// deleteKeys selects the primary keys of the rows q would delete.
func (q *QuerySet[T]) deleteKeys(ctx context.Context) ([]any, error) {
	b := q.builder()
	qm := q.db.q(q.model)
	b.sql.WriteString("SELECT " + qm.columns[q.model.PK.pos] + " FROM " + qm.table)
	q.renderWhere(b)
	return scanKeyList(ctx, q.db, b)
}
