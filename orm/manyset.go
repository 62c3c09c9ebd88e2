package orm

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// ManySet is one object's side of a many-to-many relation: the related
// objects of model T. ManyOf returns it; its methods change the pairs (in a
// transaction each) and query the related objects. An error found by ManyOf
// is returned by every method.
type ManySet[T any] struct {
	db  *DB
	end manyEnd
	key any
	err error
}

// ManyOf returns obj's many-to-many relation name to model T: the M2M field
// of obj's model ("Tags" or "tags"), or the related= name of an M2M field of
// T that refers to obj's model ("questions"):
//
//	err := orm.ManyOf[Tag](db, &question, "Tags").Add(ctx, golang, sql)
//	tags, err := orm.ManyOf[Tag](db, &question, "Tags").Query().OrderBy("name").All(ctx)
//	questions, err := orm.ManyOf[Question](db, &golang, "questions").Query().All(ctx)
//
// A name that is not such a relation, or an obj never saved, is a
// *LookupError naming the valid relations.
func ManyOf[T, P any](db *DB, obj *P, name string) *ManySet[T] {
	s := &ManySet[T]{db: db}
	tm, err := ModelOf[T](db.registry)
	if err != nil {
		s.err = err
		return s
	}
	pm, err := ModelOf[P](db.registry)
	if err != nil {
		s.err = err
		return s
	}
	e, ok := pm.manyByName(name)
	if !ok || e.farModel() != tm {
		s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: fmt.Sprintf("not a many-to-many relation to %s (relations to %s: %s)", tm.Label(), tm.Label(), strings.Join(relationNames(pm, tm), ", "))}
		return s
	}
	if obj == nil {
		s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: "nil object"}
		return s
	}
	s.end, s.key = e, pkOf(pm, unsafe.Pointer(obj))
	if isZeroKey(s.key) {
		s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: "the object has no primary key yet (save it first)"}
	}
	return s
}

// Query returns the related objects as a QuerySet, to filter, order or run.
func (s *ManySet[T]) Query() *QuerySet[T] {
	q := From[T](s.db).clone() // From's QuerySet is shared: never change it
	if q.err != nil {
		return q
	}
	if s.err != nil {
		q.err = s.err
		return q
	}
	q.where = append(q.where, s.cond())
	return q
}

// cond is "pk IN (SELECT far FROM through WHERE near = key)".
func (s *ManySet[T]) cond() expr {
	return relCondition{owner: s.end.farModel(), inner: s.end.mm.Through, fk: s.end.far(),
		cond: condition{field: s.end.near(), lookup: "exact", value: s.key}}
}

// Add relates objs to the object; pairs that exist already are left alone.
// A new pair is a row of the through model with its other fields at their
// defaults, checked as Create checks a row: a UUID primary key is assigned,
// and a value Create refuses (outside the choices, a zero Date) is a
// *ValueError, adding nothing. No hooks run, as with BulkCreate.
func (s *ManySet[T]) Add(ctx context.Context, objs ...T) error {
	if s.err != nil {
		return s.err
	}
	keys, err := s.keysOf(objs)
	if err != nil {
		return err
	}
	return s.db.Atomic(ctx, func(ctx context.Context) error { return s.add(ctx, keys) })
}

// Remove unrelates objs from the object.
func (s *ManySet[T]) Remove(ctx context.Context, objs ...T) error {
	if s.err != nil {
		return s.err
	}
	keys, err := s.keysOf(objs)
	if err != nil || len(keys) == 0 {
		return err
	}
	return s.db.Atomic(ctx, func(ctx context.Context) error { return s.remove(ctx, keys, false) })
}

// Clear removes every pair of the object.
func (s *ManySet[T]) Clear(ctx context.Context) error {
	if s.err != nil {
		return s.err
	}
	return s.remove(ctx, nil, true)
}

// Set makes objs exactly the related objects: others are removed, missing
// ones added as by Add, in one transaction; an error changes nothing.
func (s *ManySet[T]) Set(ctx context.Context, objs ...T) error {
	if s.err != nil {
		return s.err
	}
	keys, err := s.keysOf(objs)
	if err != nil {
		return err
	}
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		if err := s.remove(ctx, keys, true); err != nil {
			return err
		}
		return s.add(ctx, keys)
	})
}

// keysOf returns the primary keys of objs, refusing an object never saved.
func (s *ManySet[T]) keysOf(objs []T) ([]any, error) {
	m := s.end.farModel()
	keys := make([]any, len(objs))
	for i := range objs {
		keys[i] = pkOf(m, unsafe.Pointer(&objs[i]))
		if isZeroKey(keys[i]) {
			return nil, &LookupError{Model: m.Label(), Lookup: s.end.mm.Name, Reason: fmt.Sprintf("object %d has no primary key yet (save it first)", i)}
		}
	}
	return keys, nil
}

// where writes " WHERE near = key" on the through table.
func (s *ManySet[T]) where(b *builder) {
	b.sql.WriteString(" WHERE ")
	b.column(s.end.near())
	b.sql.WriteString(" = ")
	b.arg(s.key)
}

func (s *ManySet[T]) add(ctx context.Context, keys []any) error {
	th := s.end.mm.Through
	b := newBuilder(s.db)
	b.sql.WriteString("SELECT ")
	b.column(s.end.far())
	b.sql.WriteString(" FROM ")
	b.table(th)
	s.where(b)
	have, err := scanKeyList(ctx, s.db, b)
	if err != nil {
		return wrapWrite(th, "add to", err)
	}
	seen := map[any]bool{}
	for _, k := range have {
		seen[k] = true
	}
	// The missing pairs, as rows of the through model (its other fields at
	// their defaults), checked as Create checks a row (a UUID key assigned,
	// choices, decimals, dates) before any is inserted, then inserted in
	// multi-row statements.
	var objs []unsafe.Pointer
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		p := th.newObj()
		if err := setKey(s.end.near(), p, s.key); err != nil {
			return err
		}
		if err := setKey(s.end.far(), p, k); err != nil {
			return err
		}
		if err := prepareCreate(th, p); err != nil {
			return fmt.Errorf("orm: add to %s.%s: %w", s.end.mm.Model.Label(), s.end.mm.Name, err)
		}
		objs = append(objs, p)
	}
	if th.hasDBDefaults {
		// The database fills unset db_default fields: row by row, as
		// BulkCreate does (this runs in Add's or Set's transaction).
		for _, p := range objs {
			if err := insertWithDBDefaults(ctx, s.db, th, p); err != nil {
				return err
			}
		}
		return nil
	}
	return eachBatch(len(objs), batchRows(len(insertColumns(th)), 0), func(start, end int) error {
		ib := newBuilder(s.db)
		cols := insertHead(ib, th)
		for i, p := range objs[start:end] {
			if i > 0 {
				ib.sql.WriteString(", ")
			}
			valuesRow(ib, cols, p)
		}
		_, err := s.db.Conn(ctx).Exec(ctx, ib.sql.String(), ib.args...)
		return wrapWrite(th, "add to", err)
	})
}

// remove deletes the object's pairs with the given far keys, or (keep) every
// pair except those.
func (s *ManySet[T]) remove(ctx context.Context, keys []any, keep bool) error {
	th := s.end.mm.Through
	b := newBuilder(s.db)
	b.sql.WriteString("DELETE FROM ")
	b.table(th)
	s.where(b)
	if len(keys) > 0 {
		b.sql.WriteString(" AND ")
		b.column(s.end.far())
		if keep {
			b.sql.WriteString(" NOT")
		}
		b.sql.WriteString(" IN (")
		b.argList(keys)
		b.sql.WriteString(")")
	}
	_, err := s.db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	return wrapWrite(th, "remove from", err)
}

// setKey stores key (normalised by normKey) in foreign key (or key-typed)
// field f of the object at p: through the key type's Scan (UUID), or as a
// value of the same kind.
func setKey(f *Field, p unsafe.Pointer, key any) error {
	t := f.relKey
	if t == nil {
		t = f.Type
	}
	dst := reflect.NewAt(t, unsafe.Add(p, f.acc.offset))
	if sc, ok := dst.Interface().(sql.Scanner); ok {
		return sc.Scan(key)
	}
	kv := reflect.ValueOf(key)
	switch {
	case kv.CanInt() && (dst.Elem().CanInt() || dst.Elem().CanUint()),
		kv.Kind() == reflect.String && t.Kind() == reflect.String:
		dst.Elem().Set(kv.Convert(t))
		return nil
	}
	return fmt.Errorf("orm: a %T key does not fit %s.%s (%s)", key, f.model.Label(), f.Name, t)
}
