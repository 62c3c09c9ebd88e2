package orm

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// M2M is a many-to-many relation to model T. It has no column: each pair is
// a row of a through model, generated as "<module>_<model>_<field>" with two
// cascading foreign keys and a unique pair, or named with through=Model.
//
//	type Question struct {
//		ID   int64
//		Tags orm.M2M[Tag] `anode:"related=questions"`
//	}
//
// ManyOf changes and queries the pairs; lookups follow the relation both ways
// ("tags__name", "questions__text"). Its value holds the objects
// PrefetchRelated loaded (Loaded); the zero value holds none.
type M2M[T any] struct {
	loaded []T
}

// Loaded returns the related objects PrefetchRelated loaded, or nil.
func (m M2M[T]) Loaded() []T { return m.loaded }

// Many holds the objects of model T that refer to the model it is declared
// on through a foreign key, for PrefetchRelated to fill. It has no column;
// its related= tag names the reverse relation:
//
//	type Question struct {
//		ID      int64
//		Choices orm.Many[Choice] `anode:"related=choices"`
//	}
//
// The zero value holds none.
type Many[T any] struct {
	loaded []T
}

// Loaded returns the objects PrefetchRelated loaded, or nil.
func (m Many[T]) Loaded() []T { return m.loaded }

func (M2M[T]) holderOf() (reflect.Type, bool, func(at unsafe.Pointer, objs []unsafe.Pointer)) {
	return reflect.TypeFor[T](), true, func(at unsafe.Pointer, objs []unsafe.Pointer) {
		(*M2M[T])(at).loaded = copyObjs[T](objs)
	}
}

func (Many[T]) holderOf() (reflect.Type, bool, func(at unsafe.Pointer, objs []unsafe.Pointer)) {
	return reflect.TypeFor[T](), false, func(at unsafe.Pointer, objs []unsafe.Pointer) {
		(*Many[T])(at).loaded = copyObjs[T](objs)
	}
}

func copyObjs[T any](objs []unsafe.Pointer) []T {
	out := make([]T, len(objs))
	for i, p := range objs {
		out[i] = *(*T)(p)
	}
	return out
}

type holderField interface {
	holderOf() (target reflect.Type, many bool, set func(at unsafe.Pointer, objs []unsafe.Pointer))
}

// holder is a Many[T] field: where PrefetchRelated puts a reverse relation.
type holder struct {
	name   string
	offset uintptr
	target reflect.Type
	set    func(at unsafe.Pointer, objs []unsafe.Pointer)
}

// ManyToMany is the metadata of an M2M field, resolved by Registry.Resolve.
type ManyToMany struct {
	// Name is the Go field name ("Tags").
	Name string
	// Model declares the field; Related is T.
	Model, Related *Model
	// RelatedName is the relation's name from Related (related=).
	RelatedName string
	// Through is the model whose rows are the pairs; From refers to Model,
	// To to Related. Auto is set when Through was generated.
	Through  *Model
	From, To *Field
	Auto     bool

	target      reflect.Type
	throughName string
	offset      uintptr
	set         func(at unsafe.Pointer, objs []unsafe.Pointer)
}

// manyEnd is a many-to-many relation seen from one side: forward from the
// model declaring it, or backward from the related model.
type manyEnd struct {
	mm      *ManyToMany
	forward bool
}

func (e manyEnd) near() *Field { // the through key to this side
	if e.forward {
		return e.mm.From
	}
	return e.mm.To
}

func (e manyEnd) far() *Field { // the through key to the other side
	if e.forward {
		return e.mm.To
	}
	return e.mm.From
}

func (e manyEnd) farModel() *Model { return e.far().Related }

func (m *Model) manyByName(name string) (manyEnd, bool) {
	e, ok := m.many[name]
	return e, ok
}

// addHolder records sf when it is an M2M or Many field, parsing its tag.
func (m *Model) addHolder(sf reflect.StructField) (bool, error) {
	if sf.Type.Kind() != reflect.Struct {
		return false, nil
	}
	h, ok := reflect.New(sf.Type).Elem().Interface().(holderField)
	if !ok {
		return false, nil
	}
	target, isM2M, set := h.holderOf()
	fail := func(format string, args ...any) (bool, error) {
		return true, &ModelError{Model: m.Module + "." + m.Name, Field: sf.Name, Reason: fmt.Sprintf(format, args...)}
	}
	var related, through string
	for _, part := range splitTag(sf.Tag.Get("anode")) {
		key, val, _ := strings.Cut(part, "=")
		switch {
		case key == "related" && identRE.MatchString(val):
			related = val
		case key == "related":
			return fail("related=%q: want lowercase letters, digits and _", val)
		case key == "through" && isM2M && val != "":
			through = val
		case key == "":
		default:
			known := "related="
			if isM2M {
				known += ", through="
			}
			return fail("unknown tag option %q (known: %s)", key, known)
		}
	}
	if !isM2M {
		if related == "" {
			return fail("a Many field needs related= naming the reverse relation it holds")
		}
		if m.holders == nil {
			m.holders = map[string]*holder{}
		}
		m.holders[related] = &holder{name: sf.Name, offset: sf.Offset, target: target, set: set}
		return true, nil
	}
	m.ManyToMany = append(m.ManyToMany, &ManyToMany{Name: sf.Name, Model: m, RelatedName: related, target: target, throughName: through, offset: sf.Offset, set: set})
	return true, nil
}

// resolveMany links m's many-to-many fields: their targets, their through
// models (generating them) and their names on both sides. Registry.Resolve
// calls it with the lock held, after foreign keys are resolved.
func (r *Registry) resolveMany(m *Model) error {
	for _, mm := range m.ManyToMany {
		if mm.Through != nil {
			continue
		}
		fail := func(format string, args ...any) error {
			return &ModelError{Model: m.Label(), Field: mm.Name, Reason: fmt.Sprintf(format, args...)}
		}
		target, ok := r.byType[mm.target]
		if !ok {
			return fail("refers to %s, which is not a registered model", mm.target)
		}
		mm.Related = target
		if mm.throughName != "" {
			th, ok := r.byLabel[mm.throughName]
			if !ok {
				th, ok = r.byLabel[m.Module+"."+mm.throughName]
			}
			if !ok {
				return fail("through=%q is not a registered model", mm.throughName)
			}
			for _, f := range th.Fields {
				switch {
				case f.Kind != KindForeignKey:
				case f.Related == m && mm.From == nil:
					mm.From = f
				case f.Related == target && mm.To == nil:
					mm.To = f
				}
			}
			if mm.From == nil || mm.To == nil {
				return fail("through model %s needs a foreign key to %s and one to %s", th.Label(), m.Label(), target.Label())
			}
			mm.Through = th
		} else if err := r.generateThrough(mm); err != nil {
			return err
		}
		if err := addManyName(m, mm.Name, manyEnd{mm, true}); err != nil {
			return err
		}
		if mm.RelatedName != "" {
			if err := addManyName(target, mm.RelatedName, manyEnd{mm, false}); err != nil {
				return fail("%v", err)
			}
		}
	}
	return nil
}

func addManyName(m *Model, name string, e manyEnd) error {
	if m.many == nil {
		m.many = map[string]manyEnd{}
	}
	names := []string{snakeCase(name)}
	if e.forward {
		names = append(names, name)
	}
	for _, n := range names {
		if _, clash := m.byName[n]; clash {
			return &ModelError{Model: m.Label(), Field: name, Reason: fmt.Sprintf("relation name %q clashes with a field of %s", n, m.Label())}
		}
		if _, clash := m.reverse[n]; clash {
			return &ModelError{Model: m.Label(), Field: name, Reason: fmt.Sprintf("relation name %q is also a reverse foreign key of %s", n, m.Label())}
		}
		if _, dup := m.many[n]; dup {
			return &ModelError{Model: m.Label(), Field: name, Reason: fmt.Sprintf("relation name %q is used twice on %s", n, m.Label())}
		}
		m.many[n] = e
	}
	m.manyNames = append(m.manyNames, names[0])
	return nil
}

// generateThrough builds mm's through model: a struct type made at
// registration with an auto-increment ID and the two keys, registered like
// any model so schema creation, fixtures and migrations see it.
func (r *Registry) generateThrough(mm *ManyToMany) error {
	owner, target := mm.Model, mm.Related
	// Go names and columns as Django's: Question/question_id, and
	// FromNode/from_node_id, ToNode/to_node_id for a self-reference.
	from, to := owner.Name, target.Name
	fromCol, toCol := strings.ToLower(from)+"_id", strings.ToLower(to)+"_id"
	if owner == target {
		fromCol, toCol = "from_"+fromCol, "to_"+toCol
		from, to = "From"+from, "To"+to
	}
	tag := func(col string) reflect.StructTag { return reflect.StructTag(`anode:"column=` + col + `"`) }
	t := reflect.StructOf([]reflect.StructField{
		{Name: "ID", Type: reflect.TypeFor[int64]()},
		{Name: from, Type: owner.PK.Type, Tag: tag(fromCol)},
		{Name: to, Type: target.PK.Type, Tag: tag(toCol)},
	})
	th, err := buildModel(owner.Module, owner.Name+"_"+snakeCase(mm.Name), t)
	if err != nil {
		return err
	}
	for i, ref := range []*Model{owner, target} {
		f := th.Fields[i+1]
		f.Kind, f.Related, f.relTarget, f.relKey, f.OnDelete = KindForeignKey, ref, ref.Type, ref.PK.Type, Cascade
	}
	mm.From, mm.To = th.Fields[1], th.Fields[2]
	th.Meta.UniqueTogether = [][]string{{from, to}}
	th.Meta.VerboseName = strings.ToLower(owner.Name) + "-" + strings.ToLower(target.Name) + " relationship"
	th.Meta.VerboseNamePlural = th.Meta.VerboseName + "s"
	if prev, dup := r.tables[th.Table]; dup {
		return &ModelError{Model: owner.Label(), Field: mm.Name, Reason: fmt.Sprintf("the generated through table %q is also used by %s", th.Table, prev.Label())}
	}
	mm.Through, mm.Auto, th.through = th, true, mm
	r.models = append(r.models, th)
	r.byType[t] = th
	r.byLabel[th.Label()] = th
	r.tables[th.Table] = th
	return nil
}

// manyLookup builds a lookup through a many-to-many relation of m
// ("tags__name", "questions__text"): pk IN (SELECT near FROM through WHERE
// far IN (SELECT pk FROM other WHERE …)).
func manyLookup(m *Model, e manyEnd, text, rest string, value any) (expr, error) {
	far := e.farModel()
	inner, err := newLookup(far, rest, value)
	if err != nil {
		return nil, relabel(err, m, text)
	}
	th := e.mm.Through
	return relCondition{owner: m, inner: th, fk: e.near(),
		cond: relCondition{outer: e.far(), owner: th, inner: far, cond: inner}}, nil
}
