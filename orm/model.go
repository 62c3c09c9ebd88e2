package orm

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// Meta holds a model's options, the equivalent of Django's class Meta. A
// model declares them with a method on its value type:
//
//	func (Question) Meta() orm.Meta {
//		return orm.Meta{Ordering: []string{"-pub_date"}, VerboseName: "question"}
//	}
type Meta struct {
	// Table overrides the table name (default "<module>_<model>").
	Table string
	// Ordering is the default order of queries: field names, "-" for
	// descending.
	Ordering []string
	// UniqueTogether lists sets of fields whose combination is unique.
	UniqueTogether [][]string
	// Indexes are extra indexes over one or more fields.
	Indexes []Index
	// Checks are named CHECK constraints the database enforces; a write that
	// violates one fails with an *IntegrityError of kind IntegrityCheck
	// naming it.
	Checks []Check
	// VerboseName and VerboseNamePlural name the model for people.
	VerboseName, VerboseNamePlural string
}

// Index is an index over fields of one model.
type Index struct {
	// Name is the index name; empty means one is derived from the table and
	// fields.
	Name string
	// Fields are Go field names, in order; "Lower(Email)" indexes the
	// lower-cased text of a string field (for iexact lookups and
	// case-insensitive uniqueness).
	Fields []string
	// Unique makes it a unique index.
	Unique bool
	// Where makes it a partial index over the rows matching a condition on
	// the model's own fields, e.g. orm.Q("Deleted", false). Its values are
	// rendered as SQL literals (see Literal).
	Where Cond
}

type metaer interface{ Meta() Meta }

// Model is the metadata of one model type, computed once at registration and
// read-only afterwards (safe for concurrent use).
type Model struct {
	// Module is the installing module's name ("polls").
	Module string
	// Name is the Go type name ("Question").
	Name string
	// Table is the table name ("polls_question").
	Table string
	// Type is the struct type.
	Type reflect.Type
	// Fields are the persistent fields in declaration order.
	Fields []*Field
	// ManyToMany are the model's many-to-many fields (M2M[T]), which have
	// no column: their rows live in a through model.
	ManyToMany []*ManyToMany
	// PK is the primary key field.
	PK *Field
	// Meta is the model's options, with field names checked.
	Meta Meta

	byName map[string]*Field
	hooks  hooks
	// embeds holds the struct types embedded in Type, at any depth, and
	// their offsets: a foreign key to one of them may refer to this model
	// (see Registry.Resolve).
	embeds map[reflect.Type]uintptr

	// validated are the fields checked before every write (choices, decimal
	// precision, JSON encoding).
	validated []*Field
	// hasDBDefaults is set when a field has a db_default, which Create
	// leaves to the database when the field is unset.
	hasDBDefaults bool

	// newObj allocates a zero value of the model, for rows loaded without
	// its Go type at hand (PrefetchRelated).
	newObj func() unsafe.Pointer

	// reverse maps a related name ("choices") to the foreign key of another
	// model that refers to this one, set by Registry.Resolve.
	reverse map[string]*Field

	// incoming are the foreign keys of every model that refer to this one;
	// deleteCheck is set when deleting a row must first look for protect
	// and restrict references (directly or through cascades), deleteFollow
	// when a cascade into this model must be followed, restricts when the
	// model has a restrict foreign key. Set by Registry.Resolve (ondelete.go).
	incoming                             []*Field
	deleteCheck, deleteFollow, restricts bool

	// many holds the many-to-many relations reachable from this model, by
	// name (Go field name, its snake case, or the related= name from the
	// other side); manyNames lists each once, for messages. holders are its
	// Many[T] fields, by related name. through is set on a generated through
	// model. See m2m.go.
	many      map[string]manyEnd
	manyNames []string
	holders   map[string]*holder
	through   *ManyToMany
}

// Label is "module.Name", the model's name in messages and fixtures.
func (m *Model) Label() string { return m.Module + "." + m.Name }

// Field returns the field with the given Go name or column name.
func (m *Model) Field(name string) (*Field, bool) {
	f, ok := m.byName[name]
	return f, ok
}

// FieldNames lists the Go field names, for error messages.
func (m *Model) FieldNames() []string {
	names := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		names[i] = f.Name
	}
	return names
}

// UnknownField returns the error for a name that is not a field of m,
// listing the valid ones.
func (m *Model) UnknownField(name string) error {
	return &ModelError{Model: m.Label(), Field: name, Reason: fmt.Sprintf("no such field (fields: %s)", strings.Join(m.FieldNames(), ", "))}
}

// newModel computes the metadata of struct type t for module.
func newModel(module string, t reflect.Type) (*Model, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.Name() == "" {
		return nil, &ModelError{Model: module + "." + t.Name(), Reason: fmt.Sprintf("a model is a named struct type, not %s", t)}
	}
	return buildModel(module, t.Name(), t)
}

// buildModel computes the metadata of struct type t named name; generated
// models (many-to-many through tables) have unnamed struct types.
func buildModel(module, name string, t reflect.Type) (*Model, error) {
	return buildModelWith(module, name, t, nil, nil)
}

// buildModelWith is buildModel for models made from specs: meta replaces
// the Meta method's options, and patch adjusts each field as it is made.
func buildModelWith(module, name string, t reflect.Type, meta *Meta, patch func(*Field) error) (*Model, error) {
	label := module + "." + name
	if !identRE.MatchString(module) {
		return nil, &ModelError{Model: label, Reason: fmt.Sprintf("module name %q must be lowercase letters, digits and _", module)}
	}
	m := &Model{Module: module, Name: name, Type: t, byName: map[string]*Field{}}
	m.newObj = func() unsafe.Pointer { return reflect.New(t).UnsafePointer() }
	embeds := map[reflect.Type]uintptr{}
	fields, err := modelFields(label, t, embeds)
	if err != nil {
		return nil, err
	}
	if len(embeds) > 0 {
		m.embeds = embeds
	}
	for _, sf := range fields {
		if ok, err := m.addHolder(sf); ok || err != nil { // M2M[T], Many[T]: no column (m2m.go)
			if err != nil {
				return nil, err
			}
			continue
		}
		f, err := newField(label, sf)
		if err != nil {
			return nil, err
		}
		if patch != nil {
			if err := patch(f); err != nil {
				return nil, err
			}
		}
		if prev, dup := m.byName[f.Column]; dup {
			return nil, &ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("column %q is also used by field %s", f.Column, prev.Name)}
		}
		f.model, f.pos = m, len(m.Fields)
		m.Fields = append(m.Fields, f)
		m.byName[f.Name] = f
		m.byName[f.Column] = f
		if _, taken := m.byName[snakeCase(f.Name)]; !taken {
			m.byName[snakeCase(f.Name)] = f // "quiz" for a foreign key; fixtures use these names
		}
		if f.PrimaryKey {
			if m.PK != nil {
				return nil, &ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("second primary key (%s is already one)", m.PK.Name)}
			}
			m.PK = f
		}
	}
	if len(m.Fields) == 0 {
		return nil, &ModelError{Model: label, Reason: "no exported fields"}
	}
	if m.PK == nil {
		if f, ok := m.byName["ID"]; ok && f.Kind == KindInt && !f.Null {
			f.PrimaryKey, f.AutoIncrement = true, true
			m.PK = f
		} else if ok && f.Kind == KindUUID && !f.Null {
			f.PrimaryKey = true // assigned a version 7 UUID by Create when zero
			m.PK = f
		} else {
			return nil, &ModelError{Model: label, Reason: "no primary key: add a field `ID int64` or tag one field `anode:\"pk\"`"}
		}
	}
	if m.PK.Null {
		return nil, &ModelError{Model: label, Field: m.PK.Name, Reason: "a primary key cannot be a pointer (NULL)"}
	}
	if m.PK.AutoIncrement && m.PK.Kind != KindInt {
		return nil, &ModelError{Model: label, Field: m.PK.Name, Reason: "auto applies to integer primary keys only"}
	}
	for _, f := range m.Fields {
		if f.AutoIncrement && !f.PrimaryKey {
			return nil, &ModelError{Model: label, Field: f.Name, Reason: "auto applies to the primary key only"}
		}
	}
	if meta != nil {
		m.Meta = *meta
	} else if mt, ok := reflect.New(t).Elem().Interface().(metaer); ok {
		m.Meta = mt.Meta()
	}
	if err := m.checkMeta(); err != nil {
		return nil, err
	}
	if m.Meta.Table != "" {
		m.Table = m.Meta.Table
	} else {
		m.Table = module + "_" + strings.ToLower(m.Name)
	}
	if !identRE.MatchString(m.Table) || len(m.Table) > maxIdentLen {
		return nil, &ModelError{Model: label, Reason: fmt.Sprintf("table name %q: want lowercase letters, digits and _ (at most %d)", m.Table, maxIdentLen)}
	}
	m.initValidators()
	for _, f := range m.Fields {
		m.hasDBDefaults = m.hasDBDefaults || f.DBDefault != nil
	}
	if m.Meta.VerboseName == "" {
		m.Meta.VerboseName = strings.ReplaceAll(snakeCase(m.Name), "_", " ")
	}
	if m.Meta.VerboseNamePlural == "" {
		m.Meta.VerboseNamePlural = m.Meta.VerboseName + "s"
	}
	return m, nil
}

// checkMeta verifies that every field Meta names exists.
func (m *Model) checkMeta() error {
	check := func(what, name string) error {
		if _, ok := m.byName[name]; !ok {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.%s names %q, which is not a field (fields: %s)", what, name, strings.Join(m.FieldNames(), ", "))}
		}
		return nil
	}
	for _, o := range m.Meta.Ordering {
		if err := check("Ordering", strings.TrimPrefix(o, "-")); err != nil {
			return err
		}
	}
	for _, set := range m.Meta.UniqueTogether {
		if len(set) < 2 {
			return &ModelError{Model: m.Label(), Reason: "Meta.UniqueTogether sets need two or more fields (use the unique tag for one)"}
		}
		for _, name := range set {
			if err := check("UniqueTogether", name); err != nil {
				return err
			}
		}
	}
	for _, ix := range m.Meta.Indexes {
		if len(ix.Fields) == 0 {
			return &ModelError{Model: m.Label(), Reason: "Meta.Indexes: an index needs at least one field"}
		}
		if ix.Name != "" && (!identRE.MatchString(ix.Name) || len(ix.Name) > maxIdentLen) {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Indexes: name %q: want lowercase letters, digits and _ (at most %d)", ix.Name, maxIdentLen)}
		}
		for _, name := range ix.Fields {
			if inner, ok := lowerTerm(name); ok {
				f, found := m.byName[inner]
				if !found || f.Kind != KindString && f.Kind != KindText {
					return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Indexes: %s: Lower takes a string field (fields: %s)", name, strings.Join(m.FieldNames(), ", "))}
				}
				continue
			}
			if err := check("Indexes", name); err != nil {
				return err
			}
		}
		if !ix.Where.isZero() {
			if err := checkCondition(m, "Meta.Indexes "+ix.Name+" Where", ix.Where); err != nil {
				return err
			}
		}
	}
	return m.checkChecks()
}
