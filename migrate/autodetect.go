package migrate

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/anode-go/anode/orm"
)

// DetectOptions configure Detect. The zero value detects every module's
// changes and never renames anything.
type DetectOptions struct {
	// Renames answers rename questions non-interactively: "polls.Question=Poll"
	// renames a model, "polls.Question.Votes=Count" a field (Go names; a
	// field's model may be named by its old or new name). An entry that
	// matches no removed and added pair is an error.
	Renames []string
	// Ask, when set, is asked "Did you rename polls.Question.Votes to Count
	// (an int field)? [y/N]"-style questions for likely renames not covered
	// by Renames; nil means never rename without being told.
	Ask func(question string) bool
	// Modules limits detection to these modules (empty: all). Name is the
	// descriptive name for a single module's new migration (makemigrations
	// --name), "" to derive one; given, every new migration takes it.
	Modules []string
	Name    string
}

// Planned is a new migration Detect proposes for Module: not yet part of
// any graph, to be written as a file.
type Planned struct {
	Module    string
	Migration *Migration
}

// Detect compares the models the graph's migrations leave (g.State(); a nil
// graph means no migrations) with the models of r, module by module, and
// returns at most one new migration per changed module: numbered after the
// module's latest (g.NextNumber), named "initial" for a module's first and
// after its operations otherwise, depending on the module's latest
// migration and on the migrations that create the models of other modules
// its foreign keys refer to. Migrations that depend on another come after
// it in the result. No changes give an empty result and a nil error.
//
// Inside a migration, model renames come first, then table renames, the
// removal of indexes and constraints that change, created models (each
// after the models it refers to, generated many-to-many through models
// last), added, renamed and altered fields, removed fields, deleted models
// (each before the models it refers to) and finally the indexes and
// constraints added.
//
// A removed and an added model of one module with the same fields, or a
// removed and an added field of one model with the same spec apart from its
// name and column, may be a rename: it is one when o.Renames names it or
// o.Ask answers yes, and a removal and an addition otherwise.
//
// Detect resolves r. It returns an error naming the model and field for
// models it cannot migrate (a foreign key to a model no migration will
// create, a cycle of foreign keys between new models), and naming the entry
// for a Renames entry that matches nothing. It checks its result by
// replaying it: the migrations leave exactly r's models.
func Detect(g *Graph, r *orm.Registry, o DetectOptions) ([]Planned, error) {
	d, err := newDetector(g, r, o)
	if err != nil {
		return nil, err
	}
	if err := d.detect(); err != nil {
		return nil, err
	}
	planned, err := d.plan()
	if err != nil {
		return nil, err
	}
	if err := d.verify(planned); err != nil {
		return nil, err
	}
	return planned, nil
}

// The phases of a migration's operations, in order.
const (
	phaseRenameModel = iota
	phaseTable
	phaseRemoveMeta
	phaseEarlyRemoveField // a column another field takes over
	phaseCreate
	phaseField
	phaseRemoveField
	phaseDelete
	phaseAddMeta
	phases
)

// detector holds one run of Detect.
type detector struct {
	g    *Graph
	opts DetectOptions

	from      *State // as the migrations leave the models
	cur       *State // from with the model renames and table changes applied
	installed map[string]orm.ModelSpec
	order     []string            // installed labels, in registration order
	through   map[string]struct{} // installed generated many-to-many through models
	modules   []string            // every module, migrations' install order first
	scope     map[string]bool     // the modules to detect

	renames   []*renameEntry
	asked     map[string]bool          // questions asked, so none is asked twice
	renamed   map[string]string        // model renames, old label → new
	ops       map[string][][]Operation // per module, per phase
	throughOf map[string]string        // through label → owner label
}

func newDetector(g *Graph, r *orm.Registry, o DetectOptions) (*detector, error) {
	d := &detector{g: g, opts: o, installed: map[string]orm.ModelSpec{}, through: map[string]struct{}{},
		scope: map[string]bool{}, asked: map[string]bool{}, renamed: map[string]string{},
		ops: map[string][][]Operation{}, throughOf: map[string]string{}}
	d.from = &State{}
	if g != nil {
		s, err := g.State()
		if err != nil {
			return nil, err
		}
		d.from = s
		d.modules = g.Modules()
	}
	d.cur = d.from.clone()
	if err := r.Resolve(); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, m := range r.Models() {
		d.installed[m.Label()] = m.Spec()
		d.order = append(d.order, m.Label())
		d.addModule(m.Module)
		for _, mm := range m.ManyToMany {
			if mm.Auto {
				d.through[mm.Through.Label()] = struct{}{}
				d.throughOf[mm.Through.Label()] = m.Label()
			}
		}
	}
	for _, m := range d.from.models {
		d.addModule(m.Module)
	}
	if len(o.Modules) == 0 {
		for _, mod := range d.modules {
			d.scope[mod] = true
		}
	}
	for _, mod := range o.Modules {
		if !slices.Contains(d.modules, mod) {
			return nil, fmt.Errorf("migrate: module %q has no models and no migrations (modules: %s)", mod, strings.Join(d.modules, ", "))
		}
		d.scope[mod] = true
	}
	if o.Name != "" && !validName("0001_"+o.Name) {
		return nil, fmt.Errorf("migrate: migration name %q: want lowercase letters, digits and _", o.Name)
	}
	for _, text := range o.Renames {
		e, err := parseRename(text)
		if err != nil {
			return nil, err
		}
		d.renames = append(d.renames, e)
	}
	return d, d.checkRelations()
}

func (d *detector) addModule(mod string) {
	if !slices.Contains(d.modules, mod) {
		d.modules = append(d.modules, mod)
	}
}

// checkRelations refuses foreign keys of the models to detect whose target
// no migration will create: a model of a module left out of detection that
// its migrations do not have.
func (d *detector) checkRelations() error {
	for _, label := range d.order {
		m := d.installed[label]
		if !d.scope[m.Module] {
			continue
		}
		for _, f := range m.Fields {
			if f.Kind != orm.KindForeignKey {
				continue
			}
			target, ok := d.installed[f.Related]
			if !ok {
				return fmt.Errorf("migrate: %w", &orm.ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("refers to %s, which no module installs", f.Related)})
			}
			if _, inState := d.from.Model(f.Related); !inState && !d.scope[target.Module] {
				return fmt.Errorf("migrate: %w", &orm.ModelError{Model: label, Field: f.Name, Reason: fmt.Sprintf("refers to %s, which no migration of module %s creates: detect changes in %s too", f.Related, target.Module, target.Module)})
			}
		}
	}
	return nil
}

// add records op for module in phase.
func (d *detector) add(module string, phase int, op Operation) {
	if d.ops[module] == nil {
		d.ops[module] = make([][]Operation, phases)
	}
	d.ops[module][phase] = append(d.ops[module][phase], op)
}

// detect finds the operations, module by module and phase by phase.
func (d *detector) detect() error {
	if err := d.detectModelRenames(); err != nil {
		return err
	}
	for _, label := range d.order {
		m := d.installed[label]
		if !d.scope[m.Module] {
			continue
		}
		old, ok := d.cur.Model(label)
		if !ok {
			continue // created
		}
		if old.Table != m.Table {
			op := AlterModelTable{Model: label, Table: m.Table}
			if _, err := op.apply(d.cur); err != nil {
				return err
			}
			d.add(m.Module, phaseTable, op)
			old.Table = m.Table
		}
		if err := d.detectModel(old, m); err != nil {
			return err
		}
	}
	if err := d.detectCreated(); err != nil {
		return err
	}
	if err := d.detectDeleted(); err != nil {
		return err
	}
	var unmatched []string
	for _, e := range d.renames {
		if !e.used {
			unmatched = append(unmatched, e.why(d))
		}
	}
	if len(unmatched) > 0 {
		return fmt.Errorf("migrate: %s", strings.Join(unmatched, "; "))
	}
	return nil
}

// detectModel finds the changes of a model the state and the installed
// models both have: its fields and its Meta.
func (d *detector) detectModel(old, m orm.ModelSpec) error {
	label, mod := m.Label(), m.Module
	pairs, err := d.fieldRenames(old, m)
	if err != nil {
		return err
	}
	// renamedOld is old as the field renames leave it, to compare with m.
	renamedOld := cloneSpec(old)
	for _, p := range pairs {
		renameInSpec(&renamedOld, p.from.Name, p.to.Name, p.to.Column)
	}
	d.detectMeta(old, renamedOld, m)

	for _, p := range pairs {
		op := RenameField{Model: label, Name: p.from.Name, NewName: p.to.Name}
		if p.to.Column != p.from.Column {
			op.NewColumn = p.to.Column
		}
		d.add(mod, phaseField, op)
	}
	for _, f := range m.Fields {
		of, ok := renamedOld.Field(f.Name)
		switch {
		case !ok:
			d.add(mod, phaseField, AddField{Model: label, Field: f})
		case !reflect.DeepEqual(*of, f):
			d.add(mod, phaseField, AlterField{Model: label, Field: f})
		}
	}
	columns := map[string]bool{}
	for _, f := range m.Fields {
		columns[f.Column] = true
	}
	for _, f := range renamedOld.Fields {
		if _, ok := m.Field(f.Name); ok {
			continue
		}
		phase := phaseRemoveField
		if columns[f.Column] {
			phase = phaseEarlyRemoveField
		}
		d.add(mod, phase, RemoveField{Model: label, Name: f.Name})
	}
	return nil
}

// detectMeta compares the indexes, unique sets and checks of renamedOld
// (old after its field renames) with m's. Removals name them as in old,
// since they run before the field renames.
func (d *detector) detectMeta(old, renamedOld, m orm.ModelSpec) {
	label, mod := m.Label(), m.Module
	for i, ix := range renamedOld.Indexes {
		j := slices.IndexFunc(m.Indexes, sameIndex(ix))
		if j < 0 || !reflect.DeepEqual(ix, m.Indexes[j]) {
			d.add(mod, phaseRemoveMeta, RemoveIndex{Model: label, Index: old.Indexes[i]})
		}
	}
	for _, ix := range m.Indexes {
		j := slices.IndexFunc(renamedOld.Indexes, sameIndex(ix))
		if j < 0 || !reflect.DeepEqual(ix, renamedOld.Indexes[j]) {
			d.add(mod, phaseAddMeta, AddIndex{Model: label, Index: ix})
		}
	}
	hasSet := func(sets [][]string, set []string) bool {
		return slices.ContainsFunc(sets, func(s []string) bool { return slices.Equal(s, set) })
	}
	for i, set := range renamedOld.UniqueTogether {
		if !hasSet(m.UniqueTogether, set) {
			d.add(mod, phaseRemoveMeta, RemoveConstraint{Model: label, Unique: slices.Clone(old.UniqueTogether[i])})
		}
	}
	for _, set := range m.UniqueTogether {
		if !hasSet(renamedOld.UniqueTogether, set) {
			d.add(mod, phaseAddMeta, AddConstraint{Model: label, Unique: slices.Clone(set)})
		}
	}
	checkNamed := func(checks []orm.Check, name string) int {
		return slices.IndexFunc(checks, func(c orm.Check) bool { return c.Name == name })
	}
	for _, c := range renamedOld.Checks {
		if j := checkNamed(m.Checks, c.Name); j < 0 || !reflect.DeepEqual(c, m.Checks[j]) {
			d.add(mod, phaseRemoveMeta, RemoveConstraint{Model: label, Check: &c})
		}
	}
	for _, c := range m.Checks {
		if j := checkNamed(renamedOld.Checks, c.Name); j < 0 || !reflect.DeepEqual(c, renamedOld.Checks[j]) {
			d.add(mod, phaseAddMeta, AddConstraint{Model: label, Check: &c})
		}
	}
}

// renameInSpec renames a field of m as RenameField does.
func renameInSpec(m *orm.ModelSpec, name, newName, newColumn string) {
	f, _ := m.Field(name)
	f.Name, f.Column = newName, newColumn
	rename := func(names []string) {
		for i, n := range names {
			if n == name {
				names[i] = newName
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
}

// detectCreated adds a CreateModel for each installed model the state lacks,
// each after the models it refers to, generated through models last.
func (d *detector) detectCreated() error {
	var created []string
	for _, label := range d.order {
		if _, ok := d.cur.Model(label); !ok && d.scope[d.installed[label].Module] {
			created = append(created, label)
		}
	}
	var plain, throughs []string
	for _, label := range created {
		if _, ok := d.through[label]; ok {
			throughs = append(throughs, label)
		} else {
			plain = append(plain, label)
		}
	}
	for _, set := range [][]string{plain, throughs} {
		sorted, err := fkOrder(set, func(l string) orm.ModelSpec { return d.installed[l] })
		if err != nil {
			return err
		}
		for _, label := range sorted {
			m := d.installed[label]
			d.add(m.Module, phaseCreate, CreateModel{Model: cloneSpec(m)})
		}
	}
	return nil
}

// detectDeleted adds a DeleteModel for each state model no longer
// installed, each before the models it refers to.
func (d *detector) detectDeleted() error {
	var deleted []string
	for _, m := range d.cur.models {
		if _, ok := d.installed[m.Label()]; !ok && d.scope[m.Module] {
			deleted = append(deleted, m.Label())
		}
	}
	sorted, err := fkOrder(deleted, func(l string) orm.ModelSpec { m, _ := d.cur.Model(l); return m })
	if err != nil {
		return err
	}
	for _, label := range slices.Backward(sorted) {
		d.add(moduleOf(label), phaseDelete, DeleteModel{Model: label})
	}
	return nil
}

// fkOrder orders labels so that each model comes after the models of
// labels its foreign keys refer to (self-references aside), keeping the
// given order otherwise. A cycle is an error naming its models.
func fkOrder(labels []string, spec func(string) orm.ModelSpec) ([]string, error) {
	const visiting, done = 1, 2
	state := map[string]int{}
	var out []string
	var visit func(label string, path []string) error
	visit = func(label string, path []string) error {
		switch state[label] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("migrate: %w", &orm.ModelError{Model: label, Reason: fmt.Sprintf("foreign keys between new or deleted models form a cycle (%s → %s); change one of the models in a separate step",
				strings.Join(path, " → "), label)})
		}
		state[label] = visiting
		for _, f := range spec(label).Fields {
			if f.Kind == orm.KindForeignKey && f.Related != label && slices.Contains(labels, f.Related) {
				if err := visit(f.Related, append(path, label)); err != nil {
					return err
				}
			}
		}
		state[label] = done
		out = append(out, label)
		return nil
	}
	for _, l := range labels {
		if err := visit(l, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// moduleOf returns the module of a model label.
func moduleOf(label string) string {
	mod, _, _ := strings.Cut(label, ".")
	return mod
}
