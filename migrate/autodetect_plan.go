package migrate

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/anode-go/anode/orm"
)

// maxNameLen is about how long a derived migration description gets.
const maxNameLen = 40

// draft is a module's new migration while Detect plans it.
type draft struct {
	module string
	key    Key
	ops    []Operation
	deps   []Key
	after  []string // modules whose new migrations come first
}

// plan turns the detected operations into one migration per module, with
// names and dependencies, dependencies first.
func (d *detector) plan() ([]Planned, error) {
	drafts := map[string]*draft{}
	var mods []string
	for _, mod := range d.modules {
		var ops []Operation
		for _, phase := range d.ops[mod] {
			ops = append(ops, phase...)
		}
		if len(ops) == 0 {
			continue
		}
		n := 1
		if d.g != nil {
			n = d.g.NextNumber(mod)
		}
		name := d.opts.Name
		if name == "" && n == 1 {
			name = "initial"
		} else if name == "" {
			name = suggestName(ops)
		}
		drafts[mod] = &draft{module: mod, key: Key{mod, fmt.Sprintf("%04d_%s", n, name)}, ops: ops}
		mods = append(mods, mod)
	}
	for _, mod := range mods {
		if err := d.link(drafts[mod], drafts); err != nil {
			return nil, err
		}
	}
	// Dependencies first, in module order otherwise.
	var out []Planned
	state := map[string]int{}
	var visit func(mod string, path []string) error
	visit = func(mod string, path []string) error {
		switch state[mod] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("migrate: the new migrations of modules %s depend on each other (foreign keys both ways between new models); make the change in two steps",
				strings.Join(append(path, mod), " → "))
		}
		state[mod] = 1
		for _, a := range drafts[mod].after {
			if err := visit(a, append(path, mod)); err != nil {
				return err
			}
		}
		state[mod] = 2
		dr := drafts[mod]
		deps := make([]string, len(dr.deps))
		for i, k := range dr.deps {
			deps[i] = k.String()
		}
		out = append(out, Planned{Module: mod, Migration: &Migration{Name: dr.key.Name, Dependencies: deps, Operations: dr.ops}})
		return nil
	}
	for _, mod := range mods {
		if err := visit(mod, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// link finds a draft's dependencies: its module's latest migration, the
// migrations that create the models of other modules its foreign keys
// refer to, and the new migrations of other modules that stop referring to
// a model it deletes.
func (d *detector) link(dr *draft, drafts map[string]*draft) error {
	seen := map[Key]bool{}
	dep := func(k Key) {
		if !seen[k] {
			seen[k] = true
			dr.deps = append(dr.deps, k)
		}
	}
	after := func(mod string) {
		dep(drafts[mod].key)
		if !slices.Contains(dr.after, mod) {
			dr.after = append(dr.after, mod)
		}
	}
	if d.g != nil {
		if leaf, ok := d.g.Leaf(dr.module); ok {
			dep(leaf)
		}
	}
	var others []Key
	for _, op := range dr.ops {
		for _, rel := range relatedOf(op) {
			mod := moduleOf(rel)
			if mod == dr.module {
				continue
			}
			if _, ok := d.from.Model(rel); !ok {
				if drafts[mod] == nil {
					return fmt.Errorf("migrate: %s: %s is created by no migration", op.Describe(), rel)
				}
				after(mod)
				continue
			}
			if k, ok := d.creator(rel); ok && !seen[k] {
				seen[k] = true
				others = append(others, k)
			}
		}
		del, ok := op.(DeleteModel)
		if !ok {
			continue
		}
		for _, m := range d.cur.models {
			for _, f := range m.Fields {
				if f.Kind != orm.KindForeignKey || f.Related != del.Model || m.Module == dr.module {
					continue
				}
				if drafts[m.Module] == nil {
					return fmt.Errorf("migrate: %w", &orm.ModelError{Model: m.Label(), Field: f.Name, Reason: fmt.Sprintf("still refers to %s, which module %s deletes", del.Model, dr.module)})
				}
				after(m.Module)
			}
		}
	}
	slices.SortFunc(others, func(a, b Key) int { return cmp.Compare(a.String(), b.String()) })
	dr.deps = append(dr.deps, others...)
	return nil
}

// creator returns the migration a foreign key to the state model label
// depends on: its module's latest, or else the last one that creates it.
func (d *detector) creator(label string) (Key, bool) {
	if d.g == nil {
		return Key{}, false
	}
	if k, ok := d.g.Leaf(moduleOf(label)); ok {
		return k, true
	}
	var found Key
	ok := false
	for _, n := range d.g.order {
		for _, op := range n.m.Operations {
			switch o := op.(type) {
			case CreateModel:
				if o.Model.Label() == label {
					found, ok = n.key, true
				}
			case RenameModel:
				if moduleOf(o.Model)+"."+o.NewName == label {
					found, ok = n.key, true
				}
			}
		}
	}
	return found, ok
}

// relatedOf returns the models an operation's foreign keys refer to.
func relatedOf(op Operation) []string {
	var out []string
	switch o := op.(type) {
	case CreateModel:
		for _, f := range o.Model.Fields {
			if f.Kind == orm.KindForeignKey {
				out = append(out, f.Related)
			}
		}
	case AddField:
		if o.Field.Kind == orm.KindForeignKey {
			out = append(out, o.Field.Related)
		}
	case AlterField:
		if o.Field.Kind == orm.KindForeignKey {
			out = append(out, o.Field.Related)
		}
	}
	return out
}

// verify replays the planned migrations on the state: each operation must
// apply, and the result must be the installed models.
func (d *detector) verify(planned []Planned) error {
	s := d.from.clone()
	for _, p := range planned {
		for i, op := range p.Migration.Operations {
			if _, err := op.apply(s); err != nil {
				return fmt.Errorf("migrate: the detected migration %s.%s fails at operation %d (%s): %w; make the change in smaller steps",
					p.Module, p.Migration.Name, i+1, op.Describe(), err)
			}
		}
	}
	for _, m := range s.models {
		if !d.scope[m.Module] {
			continue
		}
		want, ok := d.installed[m.Label()]
		if !ok {
			return fmt.Errorf("migrate: internal error: the detected migrations leave model %s, which is not installed", m.Label())
		}
		if got, want := normalSpec(m), normalSpec(want); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("migrate: internal error: the detected migrations leave %s as\n%+v\nnot\n%+v", m.Label(), got, want)
		}
	}
	for _, label := range d.order {
		if _, ok := s.Model(label); !ok && d.scope[moduleOf(label)] {
			return fmt.Errorf("migrate: internal error: the detected migrations do not create %s", label)
		}
	}
	return nil
}

// normalSpec returns m with its fields, unique sets, indexes and checks in
// a canonical order, for comparing models whose order does not matter.
func normalSpec(m orm.ModelSpec) orm.ModelSpec {
	m = cloneSpec(m)
	slices.SortFunc(m.Fields, func(a, b orm.FieldSpec) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(m.UniqueTogether, func(a, b []string) int { return slices.Compare(a, b) })
	slices.SortFunc(m.Indexes, func(a, b orm.Index) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), slices.Compare(a.Fields, b.Fields))
	})
	slices.SortFunc(m.Checks, func(a, b orm.Check) int { return cmp.Compare(a.Name, b.Name) })
	if len(m.UniqueTogether) == 0 {
		m.UniqueTogether = nil
	}
	if len(m.Indexes) == 0 {
		m.Indexes = nil
	}
	if len(m.Checks) == 0 {
		m.Checks = nil
	}
	return m
}

// suggestName derives a migration's description from its operations:
// "add_question_slug", several joined with "_and_", cut with "_and_more"
// at about maxNameLen characters.
func suggestName(ops []Operation) string {
	var name string
	for _, op := range ops {
		f := fragment(op)
		switch {
		case f == "":
		case name == "":
			name = f
		case len(name)+len("_and_")+len(f) > maxNameLen:
			return name + "_and_more"
		default:
			name += "_and_" + f
		}
	}
	if len(name) > maxNameLen {
		if i := strings.LastIndexByte(name[:maxNameLen], '_'); i > 0 {
			name = name[:i]
		} else {
			name = ""
		}
	}
	if name == "" {
		return "auto"
	}
	return name
}

// fragment describes one operation in a migration name.
func fragment(op Operation) string {
	label := func(l string) string { _, name, _ := strings.Cut(l, "."); return snake(name) }
	fields := func(names []string) string {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = snake(n)
		}
		return strings.Join(parts, "_")
	}
	var parts []string
	switch o := op.(type) {
	case CreateModel:
		parts = []string{snake(o.Model.Name)}
	case DeleteModel:
		parts = []string{"delete", label(o.Model)}
	case RenameModel:
		parts = []string{"rename", label(o.Model), snake(o.NewName)}
	case AlterModelTable:
		parts = []string{"alter", label(o.Model), "table"}
	case AddField:
		parts = []string{"add", label(o.Model), snake(o.Field.Name)}
	case RemoveField:
		parts = []string{"remove", label(o.Model), snake(o.Name)}
	case AlterField:
		parts = []string{"alter", label(o.Model), snake(o.Field.Name)}
	case RenameField:
		parts = []string{"rename", label(o.Model), snake(o.Name), snake(o.NewName)}
	case AddIndex:
		parts = []string{"index", label(o.Model), fields(o.Index.Fields)}
	case RemoveIndex:
		parts = []string{"remove", "index", label(o.Model), fields(o.Index.Fields)}
	case AddConstraint:
		parts = constraintFragment(label(o.Model), o.Unique, o.Check, fields)
	case RemoveConstraint:
		parts = append([]string{"remove"}, constraintFragment(label(o.Model), o.Unique, o.Check, fields)...)
	default:
		return ""
	}
	return cleanName(strings.Join(parts, "_"))
}

func constraintFragment(model string, unique []string, check *orm.Check, fields func([]string) string) []string {
	if check != nil {
		return []string{snake(check.Name)}
	}
	return []string{"unique", model, fields(unique)}
}

// snake turns a Go name into lower snake case: PubDate → pub_date,
// UserID → user_id, Question_tags → question_tags.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prev := rs[i-1]
			prevLower := prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || prev >= 'A' && prev <= 'Z' && nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

// cleanName keeps what a migration name may hold: lowercase ASCII letters,
// digits and single underscores.
func cleanName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "_") && b.Len() > 0:
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
