package migrate

import (
	"fmt"
	"go/token"
	"reflect"
	"slices"
	"strings"

	"github.com/anode-go/anode/orm"
)

// renameEntry is one of DetectOptions.Renames: a model rename when field
// is empty.
type renameEntry struct {
	text                 string
	module, model, field string
	to                   string
	used                 bool
}

// parseRename parses "polls.Question=Poll" or "polls.Question.Votes=Count".
func parseRename(text string) (*renameEntry, error) {
	left, to, ok := strings.Cut(text, "=")
	parts := strings.Split(left, ".")
	bad := !ok || len(parts) < 2 || len(parts) > 3 || !token.IsIdentifier(to) || !token.IsExported(to)
	for _, p := range parts[1:] {
		bad = bad || !token.IsIdentifier(p)
	}
	if bad || parts[0] == "" {
		return nil, fmt.Errorf("migrate: rename %q: want module.Model=NewName or module.Model.Field=NewField (Go names)", text)
	}
	e := &renameEntry{text: text, module: parts[0], model: parts[1], to: to}
	if len(parts) == 3 {
		e.field = parts[2]
	}
	return e, nil
}

// why says why an unused entry matched nothing.
func (e *renameEntry) why(d *detector) string {
	old := e.module + "." + e.model
	reason := ""
	if e.field == "" {
		newLabel := e.module + "." + e.to
		_, inState := d.from.Model(old)
		_, oldInstalled := d.installed[old]
		_, newInstalled := d.installed[newLabel]
		switch {
		case !d.scope[e.module]:
			reason = "module " + e.module + " is not being detected"
		case !inState:
			reason = "the migrations have no model " + old
		case oldInstalled:
			reason = old + " is still installed"
		case !newInstalled:
			reason = "no model " + newLabel + " is installed"
		default:
			reason = newLabel + " already exists in the migrations"
		}
	} else {
		label := old
		if n, ok := d.renamed[old]; ok {
			label = n
		}
		cur, inState := d.cur.Model(label)
		m, installed := d.installed[label]
		_, oldInState := cur.Field(e.field)
		_, oldInstalled := m.Field(e.field)
		_, newInstalled := m.Field(e.to)
		switch {
		case !d.scope[e.module]:
			reason = "module " + e.module + " is not being detected"
		case !inState || !installed:
			reason = "no model " + old + " both in the migrations and installed"
		case !oldInState:
			reason = "the migrations have no field " + e.field + " on " + label
		case oldInstalled:
			reason = label + "." + e.field + " is still installed"
		case !newInstalled:
			reason = label + " has no field " + e.to
		default:
			reason = label + "." + e.to + " already exists in the migrations"
		}
	}
	return fmt.Sprintf("rename %q matches nothing: %s", e.text, reason)
}

// confirm asks question once, when an Ask function is set.
func (d *detector) confirm(question string) bool {
	if d.opts.Ask == nil || d.asked[question] {
		return false
	}
	d.asked[question] = true
	return d.opts.Ask(question)
}

// detectModelRenames finds renamed models: those Renames names, those
// with the same fields the user confirms, and the generated through models
// of renamed models, which follow them.
func (d *detector) detectModelRenames() error {
	var removed, added []string
	for _, m := range d.cur.models {
		if _, ok := d.installed[m.Label()]; !ok && d.scope[m.Module] {
			removed = append(removed, m.Label())
		}
	}
	for _, label := range d.order {
		if _, ok := d.cur.Model(label); !ok && d.scope[moduleOf(label)] {
			added = append(added, label)
		}
	}
	rename := func(old, new string) error {
		op := RenameModel{Model: old, NewName: strings.TrimPrefix(new, moduleOf(new)+".")}
		if _, err := op.apply(d.cur); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		d.add(moduleOf(old), phaseRenameModel, op)
		d.renamed[old] = new
		removed = slices.DeleteFunc(removed, func(l string) bool { return l == old })
		added = slices.DeleteFunc(added, func(l string) bool { return l == new })
		return nil
	}
	for _, e := range d.renames {
		old, new := e.module+"."+e.model, e.module+"."+e.to
		if e.field != "" || !slices.Contains(removed, old) || !slices.Contains(added, new) {
			continue
		}
		e.used = true
		if err := rename(old, new); err != nil {
			return err
		}
	}
	// Confirming a rename can make another model's fields equal (a foreign
	// key to the renamed model), so look again until nothing changes.
	for found := true; found; {
		found = false
		for _, a := range slices.Clone(added) {
			if _, ok := d.through[a]; ok {
				continue
			}
			m := d.installed[a]
			for _, rm := range removed {
				old, _ := d.cur.Model(rm)
				if old.Module != m.Module || !sameFields(old, m) {
					continue
				}
				if d.confirm(fmt.Sprintf("Did you rename the %s model to %s? [y/N]", rm, m.Name)) {
					if err := rename(rm, a); err != nil {
						return err
					}
					found = true
					break
				}
			}
		}
	}
	// A generated through model is named after its model: it follows.
	for _, a := range slices.Clone(added) {
		owner, ok := d.throughOf[a]
		if !ok {
			continue
		}
		oldOwner := ""
		for old, new := range d.renamed {
			if new == owner {
				oldOwner = old
			}
		}
		if old := oldOwner + strings.TrimPrefix(a, owner); oldOwner != "" && slices.Contains(removed, old) {
			if err := rename(old, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameFields reports whether a state model and an installed model have the
// same fields, a foreign key to itself aside.
func sameFields(old, m orm.ModelSpec) bool {
	if len(old.Fields) != len(m.Fields) {
		return false
	}
	for _, f := range m.Fields {
		of, ok := old.Field(f.Name)
		if !ok {
			return false
		}
		o := *of
		if o.Related == old.Label() {
			o.Related = m.Label()
		}
		if !reflect.DeepEqual(o, f) {
			return false
		}
	}
	return true
}

// fieldPair is a field rename.
type fieldPair struct{ from, to orm.FieldSpec }

// fieldRenames finds the renamed fields of a model: those Renames names,
// the foreign keys of a generated through model that follow a renamed
// model, and those the user confirms.
func (d *detector) fieldRenames(old, m orm.ModelSpec) ([]fieldPair, error) {
	var removed, added []orm.FieldSpec
	for _, f := range old.Fields {
		if _, ok := m.Field(f.Name); !ok {
			removed = append(removed, f)
		}
	}
	for _, f := range m.Fields {
		if _, ok := old.Field(f.Name); !ok {
			added = append(added, f)
		}
	}
	var pairs []fieldPair
	take := func(i, j int) {
		pairs = append(pairs, fieldPair{removed[i], added[j]})
		removed = slices.Delete(removed, i, i+1)
		added = slices.Delete(added, j, j+1)
	}
	byName := func(fs []orm.FieldSpec, name string) int {
		return slices.IndexFunc(fs, func(f orm.FieldSpec) bool { return f.Name == name })
	}
	for _, e := range d.renames {
		if e.field == "" {
			continue
		}
		label := e.module + "." + e.model
		if n, ok := d.renamed[label]; ok {
			label = n
		}
		i, j := byName(removed, e.field), byName(added, e.to)
		if label != m.Label() || i < 0 || j < 0 {
			continue
		}
		e.used = true
		take(i, j)
	}
	_, isThrough := d.through[m.Label()]
	for j := 0; j < len(added); j++ {
		a := added[j]
		for i, rf := range removed {
			if !sameApartFromName(rf, a) {
				continue
			}
			if isThrough && a.Kind == orm.KindForeignKey ||
				d.confirm(fmt.Sprintf("Did you rename %s.%s to %s (%s)? [y/N]", m.Label(), rf.Name, a.Name, describeField(a))) {
				take(i, j)
				j--
				break
			}
		}
	}
	return pairs, nil
}

// sameApartFromName reports whether two fields differ in name and column
// only.
func sameApartFromName(a, b orm.FieldSpec) bool {
	a.Name, a.Column, b.Name, b.Column = "", "", "", ""
	return reflect.DeepEqual(a, b)
}

// describeField names a field's kind for a question: "an int field", "a
// foreign key to polls.Question".
func describeField(f orm.FieldSpec) string {
	if f.Kind == orm.KindForeignKey {
		return "a foreign key to " + f.Related
	}
	k := f.Kind.String()
	if k == "int" {
		return "an int field"
	}
	return "a " + k + " field"
}
