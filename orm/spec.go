package orm

import (
	"fmt"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A ModelSpec describes a model's table as data: what a model looked like at
// one point of its history. Migrations record models as specs and replay
// them; NewRegistryFromSpecs turns specs back into models, so the schema
// code that creates tables for Go types renders historical models too.
// Only what reaches the database is kept: verbose names, help texts, choices
// and Go types are not part of a spec.
type ModelSpec struct {
	Module, Name, Table string
	Fields              []FieldSpec
	UniqueTogether      [][]string
	Indexes             []Index
	Checks              []Check
}

// A FieldSpec describes one column of a ModelSpec.
type FieldSpec struct {
	Name, Column              string
	Kind                      Kind
	PrimaryKey, AutoIncrement bool
	Null, Unique, Index       bool
	MaxLength                 int
	Digits, Places            int
	// Default is the Go-side default (default=), kept for ON DELETE SET
	// DEFAULT and for filling existing rows when a NOT NULL column is
	// added; DBDefault the column's DEFAULT (db_default=).
	Default, DBDefault any
	// Related is the label ("polls.Question") of a foreign key's model.
	Related  string
	OnDelete OnDelete
	OneToOne bool
}

// Label is "module.Name".
func (s *ModelSpec) Label() string { return s.Module + "." + s.Name }

// Field returns the spec of the field with Go name name.
func (s *ModelSpec) Field(name string) (*FieldSpec, bool) {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// Spec returns m as a ModelSpec, with its foreign keys resolved (the
// registry must be resolved).
func (m *Model) Spec() ModelSpec {
	s := ModelSpec{Module: m.Module, Name: m.Name, Table: m.Table,
		UniqueTogether: cloneSets(m.Meta.UniqueTogether),
		Indexes:        slices.Clone(m.Meta.Indexes),
		Checks:         slices.Clone(m.Meta.Checks)}
	for _, f := range m.Fields {
		s.Fields = append(s.Fields, f.Spec())
	}
	return s
}

// Spec returns f as a FieldSpec.
func (f *Field) Spec() FieldSpec {
	fs := FieldSpec{Name: f.Name, Column: f.Column, Kind: f.Kind,
		PrimaryKey: f.PrimaryKey, AutoIncrement: f.AutoIncrement,
		Null: f.Null, Unique: f.Unique, Index: f.Index, MaxLength: f.MaxLength,
		Digits: f.Digits, Places: f.Places, DBDefault: f.DBDefault,
		OnDelete: f.OnDelete, OneToOne: f.OneToOne}
	if f.Default != nil {
		fs.Default = specValue(f.Default)
	}
	if f.Kind == KindForeignKey && f.Related != nil {
		fs.Related = f.Related.Label()
	}
	return fs
}

// specValue reduces a default to the plain value a spec holds: bool,
// int64, float64, string, or one of the orm value types.
func specValue(v any) any {
	switch v.(type) {
	case Decimal, UUID, Date, TimeOfDay, time.Time, time.Duration:
		return v
	}
	if lv, err := literalValue(v); err == nil {
		return lv
	}
	return v
}

func cloneSets(sets [][]string) [][]string {
	if sets == nil {
		return nil
	}
	out := make([][]string, len(sets))
	for i, s := range sets {
		out[i] = slices.Clone(s)
	}
	return out
}

// specTypes are the Go types a spec's fields get in a generated model.
var specTypes = map[Kind]reflect.Type{
	KindBool:      reflect.TypeFor[bool](),
	KindInt:       reflect.TypeFor[int64](),
	KindFloat:     reflect.TypeFor[float64](),
	KindString:    reflect.TypeFor[string](),
	KindText:      reflect.TypeFor[string](),
	KindBytes:     reflect.TypeFor[[]byte](),
	KindTime:      timeType,
	KindDuration:  durationType,
	KindDecimal:   reflect.TypeFor[Decimal](),
	KindUUID:      reflect.TypeFor[UUID](),
	KindDate:      reflect.TypeFor[Date](),
	KindTimeOfDay: reflect.TypeFor[TimeOfDay](),
	KindJSON:      reflect.TypeFor[JSON[any]](),
}

// NewRegistryFromSpecs builds models from specs, with generated struct
// types, and resolves their foreign keys by label. The models render the
// same schema as the models the specs were taken from; they serve schema
// changes and raw access to historical tables, not typed queries.
func NewRegistryFromSpecs(specs []ModelSpec) (*Registry, error) {
	r := NewRegistry()
	byLabel := map[string]*ModelSpec{}
	for i := range specs {
		byLabel[specs[i].Label()] = &specs[i]
	}
	for i := range specs {
		m, err := modelFromSpec(&specs[i], byLabel)
		if err != nil {
			return nil, err
		}
		if prev, dup := r.byLabel[m.Label()]; dup {
			return nil, &ModelError{Model: m.Label(), Reason: "described twice (also " + prev.Label() + ")"}
		}
		if prev, dup := r.tables[m.Table]; dup {
			return nil, &ModelError{Model: m.Label(), Reason: fmt.Sprintf("table %q is also used by %s", m.Table, prev.Label())}
		}
		r.models = append(r.models, m)
		r.byType[m.Type] = m
		r.byLabel[m.Label()] = m
		r.tables[m.Table] = m
	}
	for _, m := range r.models {
		for _, f := range m.Fields {
			if f.Kind != KindForeignKey {
				continue
			}
			f.Related = r.byLabel[f.relLabel]
			f.relTarget, f.relKey = f.Related.Type, f.Related.PK.Type
		}
	}
	if err := r.Resolve(); err != nil {
		return nil, err
	}
	return r, nil
}

// modelFromSpec builds one model of NewRegistryFromSpecs.
func modelFromSpec(s *ModelSpec, byLabel map[string]*ModelSpec) (*Model, error) {
	label := s.Label()
	var sfs []reflect.StructField
	for _, f := range s.Fields {
		t := specTypes[f.Kind]
		if f.Kind == KindForeignKey {
			target, ok := byLabel[f.Related]
			if !ok {
				return nil, &ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("refers to %s, which is not described", f.Related)}
			}
			t = nil
			for _, tf := range target.Fields {
				if tf.PrimaryKey {
					t = specTypes[tf.Kind]
				}
			}
		}
		if t == nil {
			return nil, &ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("kind %s has no column type (or the related model has no primary key)", f.Kind)}
		}
		if f.Null {
			t = reflect.PointerTo(t)
		}
		if !token.IsExported(f.Name) {
			return nil, &ModelError{Model: label, Field: f.Name, Reason: "a field name must be an exported Go name"}
		}
		sfs = append(sfs, reflect.StructField{Name: f.Name, Type: t, Tag: specTag(f)})
	}
	if len(sfs) == 0 {
		return nil, &ModelError{Model: label, Reason: "no fields"}
	}
	t, err := structOf(sfs)
	if err != nil {
		return nil, &ModelError{Model: label, Reason: err.Error()}
	}
	meta := Meta{Table: s.Table, UniqueTogether: cloneSets(s.UniqueTogether), Indexes: slices.Clone(s.Indexes), Checks: slices.Clone(s.Checks)}
	return buildModelWith(s.Module, s.Name, t, &meta, func(f *Field) error {
		fs, _ := s.Field(f.Name)
		f.DBDefault = fs.DBDefault
		f.Default = fs.Default
		if fs.Kind == KindForeignKey {
			f.Kind, f.OnDelete, f.OneToOne, f.relLabel = KindForeignKey, fs.OnDelete, fs.OneToOne, fs.Related
		}
		return nil
	})
}

// structOf is reflect.StructOf, which panics on names it refuses.
func structOf(fields []reflect.StructField) (t reflect.Type, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return reflect.StructOf(fields), nil
}

// specTag is the anode tag that gives a generated field f's options.
func specTag(f FieldSpec) reflect.StructTag {
	opts := []string{"column=" + f.Column}
	if f.PrimaryKey {
		opts = append(opts, "pk")
	}
	if f.AutoIncrement {
		opts = append(opts, "auto")
	}
	if f.Unique {
		opts = append(opts, "unique")
	}
	if f.Index {
		opts = append(opts, "index")
	}
	if f.MaxLength > 0 {
		opts = append(opts, "max="+strconv.Itoa(f.MaxLength))
	}
	if f.Kind == KindDecimal {
		opts = append(opts, "digits="+strconv.Itoa(f.Digits), "places="+strconv.Itoa(f.Places))
	}
	return reflect.StructTag(`anode:"` + strings.Join(opts, ",") + `"`)
}
