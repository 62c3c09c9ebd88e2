package orm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"
)

// RelatedOf returns the objects of model T whose foreign key refers to obj,
// found by the key's related= name — Django's question.choices.all():
//
//	choices, err := orm.RelatedOf[Choice](db, &question, "choices").OrderBy("votes").All(ctx)
//
// The result is an ordinary QuerySet, to refine further. A name that is not
// a reverse relation of obj's model from T, or an obj never saved (zero
// primary key), makes the QuerySet return a *LookupError naming the valid
// relations, before any SQL is sent.
func RelatedOf[T, P any](db *DB, obj *P, name string) *QuerySet[T] {
	q := From[T](db).clone() // From's QuerySet is shared: never change it
	if q.err != nil {
		return q
	}
	fk, key, err := reverseKey[P](db, q.model, obj, name)
	if err != nil {
		q.err = err
		return q
	}
	if fk == nil { // a many-to-many relation: through its table
		return ManyOf[T](db, obj, name).Query()
	}
	q.where = append(slices.Clip(q.where), condition{field: fk, lookup: "exact", value: key})
	return q
}

// RelatedOne returns the one object of model T whose one_to_one foreign key
// refers to obj, by the key's related= name — Django's user.profile:
//
//	profile, err := orm.RelatedOne[Profile](ctx, db, &user, "profile")
//
// It returns an error matching ErrNotFound when there is none, and a
// *LookupError when name is not a one-to-one reverse relation of obj's model
// from T.
func RelatedOne[T, P any](ctx context.Context, db *DB, obj *P, name string) (T, error) {
	var zero T
	q := RelatedOf[T](db, obj, name)
	if q.err != nil {
		return zero, q.err
	}
	if fk, _, _ := reverseKey[P](db, q.model, obj, name); fk == nil || !fk.OneToOne {
		what := "a many-to-many relation"
		if fk != nil {
			what = fk.model.Label() + "." + fk.Name + " is not one_to_one"
		}
		return zero, &LookupError{Model: q.model.Label(), Lookup: name, Reason: "RelatedOne: " + what + "; use RelatedOf for a set of objects"}
	}
	return q.Get(ctx)
}

// reverseKey resolves name as a reverse relation of P's model from model
// target and returns the foreign key (nil for a many-to-many relation) and
// obj's primary key.
func reverseKey[P any](db *DB, target *Model, obj *P, name string) (*Field, any, error) {
	pm, err := ModelOf[P](db.registry)
	if err != nil {
		return nil, nil, err
	}
	if obj == nil {
		return nil, nil, &LookupError{Model: pm.Label(), Lookup: name, Reason: "nil object"}
	}
	fk := pm.reverse[name]
	e, isMany := pm.manyByName(name)
	switch {
	case fk != nil && fk.model == target:
	case isMany && e.farModel() == target:
		fk = nil
	default:
		return nil, nil, &LookupError{Model: pm.Label(), Lookup: name, Reason: fmt.Sprintf("not a relation from %s to %s (relations from %s to %s: %s)", target.Label(), pm.Label(), target.Label(), pm.Label(), strings.Join(relationNames(pm, target), ", "))}
	}
	key := pkOf(pm, unsafe.Pointer(obj))
	if isZeroKey(key) {
		return nil, nil, &LookupError{Model: pm.Label(), Lookup: name, Reason: "the object has no primary key yet (save it first)"}
	}
	return fk, key, nil
}

// relationNames lists the names by which m reaches rows of from: reverse
// foreign keys and many-to-many relations, sorted; "none" when there are none.
func relationNames(m, from *Model) []string {
	var names []string
	for n, f := range m.reverse {
		if f.model == from {
			names = append(names, n)
		}
	}
	for _, n := range m.manyNames {
		if m.many[n].farModel() == from {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		names = []string{"none"}
	}
	return names
}

// resolveHolders checks m's Many[T] fields: each names a reverse foreign key
// of m from T.
func resolveHolders(m *Model) error {
	for name, h := range m.holders {
		if e, ok := m.many[name]; ok && !e.forward && e.farModel().Type == h.target {
			continue // the reverse side of a many-to-many relation
		}
		fk, ok := m.reverse[name]
		if !ok || fk.model.Type != h.target {
			var names []string
			for n, f := range m.reverse {
				if f.model.Type == h.target {
					names = append(names, n)
				}
			}
			slices.Sort(names)
			if len(names) == 0 {
				names = []string{"none"}
			}
			return &ModelError{Model: m.Label(), Field: h.name, Reason: fmt.Sprintf("related=%q is not a reverse foreign key of %s from %s (reverse foreign keys from it: %s)", name, m.Label(), h.target, strings.Join(names, ", "))}
		}
	}
	return nil
}
