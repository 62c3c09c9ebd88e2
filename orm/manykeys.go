package orm

import (
	"context"
	"fmt"
	"strings"
	"unsafe"
)

// ManyKeys is one object's side of a many-to-many relation seen through the
// related objects' primary keys, for code that knows the related model only
// at run time (forms, the admin). ManyKeysOf returns it; an error found there
// is returned by every method.
type ManyKeys struct {
	s ManySet[struct{}] // only its key-based methods are used
}

// ManyKeysOf returns obj's many-to-many relation name, as ManyOf does,
// without naming the related model's type.
func ManyKeysOf[P any](db *DB, obj *P, name string) *ManyKeys {
	k := &ManyKeys{s: ManySet[struct{}]{db: db}}
	pm, err := ModelOf[P](db.registry)
	if err != nil {
		k.s.err = err
		return k
	}
	e, ok := pm.manyByName(name)
	if !ok {
		k.s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: fmt.Sprintf("not a many-to-many relation (relations: %s)", strings.Join(pm.manyNames, ", "))}
		return k
	}
	if obj == nil {
		k.s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: "nil object"}
		return k
	}
	k.s.end, k.s.key = e, pkOf(pm, unsafe.Pointer(obj))
	if isZeroKey(k.s.key) {
		k.s.err = &LookupError{Model: pm.Label(), Lookup: name, Reason: "the object has no primary key yet (save it first)"}
	}
	return k
}

// Related returns the model at the other end of the relation, or nil when
// ManyKeysOf failed.
func (k *ManyKeys) Related() *Model {
	if k.s.end.mm == nil {
		return nil
	}
	return k.s.end.farModel()
}

// Keys returns the primary keys of the related objects, in no particular
// order.
func (k *ManyKeys) Keys(ctx context.Context) ([]any, error) {
	if k.s.err != nil {
		return nil, k.s.err
	}
	b := newBuilder(k.s.db)
	b.sql.WriteString("SELECT ")
	b.column(k.s.end.far())
	b.sql.WriteString(" FROM ")
	b.table(k.s.end.mm.Through)
	k.s.where(b)
	return scanKeyList(ctx, k.s.db, b)
}

// Set makes the objects with these primary keys exactly the related ones,
// as ManySet.Set does, in one transaction. A key of no object is an
// *IntegrityError of kind IntegrityForeignKey from the database.
func (k *ManyKeys) Set(ctx context.Context, keys ...any) error {
	if k.s.err != nil {
		return k.s.err
	}
	return k.s.db.Atomic(ctx, func(ctx context.Context) error {
		if err := k.s.remove(ctx, keys, true); err != nil {
			return err
		}
		return k.s.add(ctx, keys)
	})
}
