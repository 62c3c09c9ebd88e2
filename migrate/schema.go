package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/anode-go/anode/orm"
)

// The schema operations. Each changes the migration state (apply) and
// names the table it changes; the schema editor of the database then turns
// the table's two states into statements, so every operation is reversible
// by comparing the states the other way round.

// CreateModel creates a model's table, its constraints and indexes.
type CreateModel struct {
	Model orm.ModelSpec
}

// DeleteModel drops a model's table.
type DeleteModel struct {
	Model string // label: "polls.Question"
}

// RenameModel renames a model; its table follows when it has the default
// name ("polls_question" → "polls_query"), and foreign keys to it are
// updated.
type RenameModel struct {
	Model   string // the old label
	NewName string // the new Go name
}

// AlterModelTable renames a model's table.
type AlterModelTable struct {
	Model string
	Table string
}

// AddField adds a column. Existing rows get the field's Default (or the
// zero value of its kind) when the column is NOT NULL without a database
// default.
type AddField struct {
	Model string
	Field orm.FieldSpec
}

// RemoveField drops a column.
type RemoveField struct {
	Model string
	Name  string
}

// AlterField changes a column: type, NULL, default, max length, unique,
// index, or a foreign key's target and on_delete. Field replaces the
// field of the same name. Rows holding NULL in a column that becomes NOT
// NULL get the field's Default (or the zero value of its kind).
type AlterField struct {
	Model string
	Field orm.FieldSpec
}

// RenameField renames a field and its column, keeping the data.
type RenameField struct {
	Model     string
	Name      string // the old Go name
	NewName   string
	NewColumn string // the new column ("" keeps the column name)
}

// AddIndex adds one of the model's Meta.Indexes.
type AddIndex struct {
	Model string
	Index orm.Index
}

// RemoveIndex removes an index, identified by its name or, unnamed, by its
// fields.
type RemoveIndex struct {
	Model string
	Index orm.Index
}

// AddConstraint adds a unique-together set (Unique) or a check (Check).
type AddConstraint struct {
	Model  string
	Unique []string
	Check  *orm.Check
}

// RemoveConstraint removes a unique-together set or a check (by name).
type RemoveConstraint struct {
	Model  string
	Unique []string
	Check  *orm.Check
}

// change is what a schema operation does to the tables: the model it
// changes, its label before and after ("" when created or deleted), and
// renamed fields (new name → old name).
type change struct {
	before, after string
	renames       map[string]string
}

func (o CreateModel) Describe() string     { return "Create model " + o.Model.Label() }
func (o DeleteModel) Describe() string     { return "Delete model " + o.Model }
func (o RenameModel) Describe() string     { return "Rename model " + o.Model + " to " + o.NewName }
func (o AlterModelTable) Describe() string { return "Rename table of " + o.Model + " to " + o.Table }
func (o AddField) Describe() string        { return "Add field " + o.Field.Name + " to " + o.Model }
func (o RemoveField) Describe() string     { return "Remove field " + o.Name + " from " + o.Model }
func (o AlterField) Describe() string      { return "Alter field " + o.Field.Name + " of " + o.Model }
func (o RenameField) Describe() string {
	return "Rename field " + o.Name + " of " + o.Model + " to " + o.NewName
}
func (o AddIndex) Describe() string { return "Add index " + indexLabel(o.Index) + " to " + o.Model }
func (o RemoveIndex) Describe() string {
	return "Remove index " + indexLabel(o.Index) + " from " + o.Model
}
func (o AddConstraint) Describe() string {
	return "Add constraint " + constraintLabel(o.Unique, o.Check) + " to " + o.Model
}
func (o RemoveConstraint) Describe() string {
	return "Remove constraint " + constraintLabel(o.Unique, o.Check) + " from " + o.Model
}

func indexLabel(ix orm.Index) string {
	if ix.Name != "" {
		return ix.Name
	}
	return "on " + strings.Join(ix.Fields, ", ")
}

func constraintLabel(unique []string, check *orm.Check) string {
	if check != nil {
		return check.Name
	}
	return "unique (" + strings.Join(unique, ", ") + ")"
}

func (o CreateModel) apply(s *State) (change, error) {
	if _, dup := s.Model(o.Model.Label()); dup {
		return change{}, fmt.Errorf("%s: the model already exists", o.Describe())
	}
	s.put(cloneSpec(o.Model))
	if _, err := s.registry(); err != nil {
		return change{}, fmt.Errorf("%s: %w", o.Describe(), err)
	}
	return change{after: o.Model.Label()}, nil
}

func (o DeleteModel) apply(s *State) (change, error) {
	if _, err := s.modelSpec(o.Describe(), o.Model); err != nil {
		return change{}, err
	}
	for _, m := range s.models {
		for _, f := range m.Fields {
			if f.Related == o.Model && m.Label() != o.Model {
				return change{}, fmt.Errorf("%s: %s.%s still refers to it", o.Describe(), m.Label(), f.Name)
			}
		}
	}
	s.remove(o.Model)
	return change{before: o.Model}, nil
}

func (o RenameModel) apply(s *State) (change, error) {
	m, err := s.modelSpec(o.Describe(), o.Model)
	if err != nil {
		return change{}, err
	}
	if m.Table == defaultTable(m.Module, m.Name) {
		m.Table = defaultTable(m.Module, o.NewName)
	}
	m.Name = o.NewName
	if _, dup := s.Model(m.Label()); dup {
		return change{}, fmt.Errorf("%s: %s already exists", o.Describe(), m.Label())
	}
	i := s.index(o.Model)
	s.models[i] = m
	for j := range s.models {
		for k := range s.models[j].Fields {
			if s.models[j].Fields[k].Related == o.Model {
				s.models[j].Fields[k].Related = m.Label()
			}
		}
	}
	return change{before: o.Model, after: m.Label()}, nil
}

func defaultTable(module, name string) string { return module + "_" + strings.ToLower(name) }

func (o AlterModelTable) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		m.Table = o.Table
		return nil
	})
}

func (o AddField) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		if _, dup := m.Field(o.Field.Name); dup {
			return fmt.Errorf("the field already exists")
		}
		m.Fields = append(m.Fields, o.Field)
		return nil
	})
}

func (o RemoveField) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		i := slices.IndexFunc(m.Fields, func(f orm.FieldSpec) bool { return f.Name == o.Name })
		if i < 0 {
			return fmt.Errorf("no such field")
		}
		m.Fields = slices.Delete(m.Fields, i, i+1)
		return nil
	})
}

func (o AlterField) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		f, ok := m.Field(o.Field.Name)
		if !ok {
			return fmt.Errorf("no such field")
		}
		*f = o.Field
		return nil
	})
}

func (o RenameField) apply(s *State) (change, error) {
	c, err := s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		f, ok := m.Field(o.Name)
		if !ok {
			return fmt.Errorf("no such field")
		}
		if _, dup := m.Field(o.NewName); dup {
			return fmt.Errorf("%s already exists", o.NewName)
		}
		f.Name = o.NewName
		if o.NewColumn != "" {
			f.Column = o.NewColumn
		}
		rename := func(names []string) {
			for i, n := range names {
				if n == o.Name {
					names[i] = o.NewName
				}
			}
		}
		for _, set := range m.UniqueTogether {
			rename(set)
		}
		for i := range m.Indexes {
			m.Indexes[i].Fields = slices.Clone(m.Indexes[i].Fields)
			rename(m.Indexes[i].Fields)
		}
		return nil
	})
	c.renames = map[string]string{o.NewName: o.Name}
	return c, err
}

func (o AddIndex) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		if slices.IndexFunc(m.Indexes, sameIndex(o.Index)) >= 0 {
			return fmt.Errorf("the index already exists")
		}
		m.Indexes = append(m.Indexes, o.Index)
		return nil
	})
}

func (o RemoveIndex) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		i := slices.IndexFunc(m.Indexes, sameIndex(o.Index))
		if i < 0 {
			return fmt.Errorf("no such index")
		}
		m.Indexes = slices.Delete(m.Indexes, i, i+1)
		return nil
	})
}

// sameIndex matches an index by name, or an unnamed one by its fields.
func sameIndex(ix orm.Index) func(orm.Index) bool {
	return func(o orm.Index) bool {
		if ix.Name != "" || o.Name != "" {
			return ix.Name == o.Name
		}
		return slices.Equal(ix.Fields, o.Fields)
	}
}

func (o AddConstraint) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		switch {
		case o.Check != nil && o.Unique == nil:
			if slices.IndexFunc(m.Checks, func(c orm.Check) bool { return c.Name == o.Check.Name }) >= 0 {
				return fmt.Errorf("the check already exists")
			}
			m.Checks = append(m.Checks, *o.Check)
		case o.Check == nil && o.Unique != nil:
			if slices.IndexFunc(m.UniqueTogether, func(u []string) bool { return slices.Equal(u, o.Unique) }) >= 0 {
				return fmt.Errorf("the constraint already exists")
			}
			m.UniqueTogether = append(m.UniqueTogether, slices.Clone(o.Unique))
		default:
			return fmt.Errorf("set one of Unique and Check")
		}
		return nil
	})
}

func (o RemoveConstraint) apply(s *State) (change, error) {
	return s.edit(o.Describe(), o.Model, func(m *orm.ModelSpec) error {
		switch {
		case o.Check != nil && o.Unique == nil:
			i := slices.IndexFunc(m.Checks, func(c orm.Check) bool { return c.Name == o.Check.Name })
			if i < 0 {
				return fmt.Errorf("no such check")
			}
			m.Checks = slices.Delete(m.Checks, i, i+1)
		case o.Check == nil && o.Unique != nil:
			i := slices.IndexFunc(m.UniqueTogether, func(u []string) bool { return slices.Equal(u, o.Unique) })
			if i < 0 {
				return fmt.Errorf("no such constraint")
			}
			m.UniqueTogether = slices.Delete(m.UniqueTogether, i, i+1)
		default:
			return fmt.Errorf("set one of Unique and Check")
		}
		return nil
	})
}

// edit changes the spec of label with fn and checks the result still
// makes valid models.
func (s *State) edit(op, label string, fn func(*orm.ModelSpec) error) (change, error) {
	m, err := s.modelSpec(op, label)
	if err != nil {
		return change{}, err
	}
	if err := fn(&m); err != nil {
		return change{}, fmt.Errorf("%s: %w", op, err)
	}
	s.put(m)
	if _, err := s.registry(); err != nil {
		return change{}, fmt.Errorf("%s: %w", op, err)
	}
	return change{before: label, after: label}, nil
}

// applyChange runs a change between the states from and to on the
// database; backward runs it from to back to from.
func applyChange(ctx context.Context, env *Env, c change, backward bool) error {
	from, to := env.from, env.to
	before, after, renames := c.before, c.after, c.renames
	if backward {
		from, to, before, after = to, from, after, before
		inv := map[string]string{}
		for n, o := range renames {
			inv[o] = n
		}
		renames = inv
	}
	switch {
	case before == "":
		m, err := to.model(after)
		if err != nil {
			return err
		}
		return createTable(ctx, env, m)
	case after == "":
		m, err := from.model(before)
		if err != nil {
			return err
		}
		return dropTable(ctx, env, m)
	}
	old, err := from.model(before)
	if err != nil {
		return err
	}
	new, err := to.model(after)
	if err != nil {
		return err
	}
	mapping := map[string]string{}
	for _, f := range new.Fields {
		src := f.Name
		if o, ok := renames[f.Name]; ok {
			src = o
		}
		if _, ok := old.Field(src); ok {
			if of, _ := old.Field(src); of.Name == src {
				mapping[f.Name] = src
			}
		}
	}
	return env.editor.alterTable(ctx, env, old, new, mapping)
}
