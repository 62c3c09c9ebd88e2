package migrate

import (
	"fmt"
	"slices"
	"strings"
)

// Graph is the checked dependency graph of every installed module's
// migrations. It is immutable and safe for concurrent use.
type Graph struct {
	nodes   map[Key]*node
	order   []*node        // every node, dependencies before dependents
	modules []string       // install order
	leaves  map[string]Key // per module; absent for a module without migrations
}

type node struct {
	key      Key
	m        *Migration
	deps     []*node
	children []*node // nodes that depend on this one
}

// NewGraph checks the modules' migrations and links them: every name is
// "NNNN_description" and unique in its module, every dependency exists,
// there is no cycle, and each module has one leaf (the latest migration).
// Sources are in install order, which breaks ties in the plan.
func NewGraph(sources []Source) (*Graph, error) {
	g := &Graph{nodes: map[Key]*node{}, leaves: map[string]Key{}}
	for _, s := range sources {
		if slices.Contains(g.modules, s.Module) {
			return nil, fmt.Errorf("migrate: module %q is listed twice", s.Module)
		}
		g.modules = append(g.modules, s.Module)
		for _, m := range s.Migrations {
			if m == nil {
				return nil, fmt.Errorf("migrate: module %s: a nil *Migration in its list", s.Module)
			}
			k := Key{s.Module, m.Name}
			if !validName(m.Name) {
				return nil, &Error{Key: k, Reason: "name must be four digits, an underscore and a lowercase description (0002_question_slug)"}
			}
			if _, dup := g.nodes[k]; dup {
				return nil, &Error{Key: k, Reason: "listed twice"}
			}
			g.nodes[k] = &node{key: k, m: m}
		}
	}
	for _, s := range sources {
		for _, m := range s.Migrations {
			n := g.nodes[Key{s.Module, m.Name}]
			for _, d := range m.Dependencies {
				dk, err := ParseKey(d)
				if err != nil {
					return nil, &Error{Key: n.key, Reason: err.Error()}
				}
				dn, ok := g.nodes[dk]
				if !ok {
					reason := fmt.Sprintf("dependency %s does not exist", dk)
					if !slices.Contains(g.modules, dk.Module) {
						reason = fmt.Sprintf("dependency %s: module %s is not installed (or has no migrations)", dk, dk.Module)
					}
					return nil, &Error{Key: n.key, Reason: reason}
				}
				if dn == n {
					return nil, &Error{Key: n.key, Reason: "depends on itself"}
				}
				n.deps = append(n.deps, dn)
				dn.children = append(dn.children, n)
			}
		}
	}
	if err := g.sort(); err != nil {
		return nil, err
	}
	for _, mod := range g.modules {
		var leaves []string
		for _, n := range g.order {
			if n.key.Module == mod && !slices.ContainsFunc(n.children, func(c *node) bool { return c.key.Module == mod }) {
				leaves = append(leaves, n.key.Name)
			}
		}
		switch len(leaves) {
		case 0:
		case 1:
			g.leaves[mod] = Key{mod, leaves[0]}
		default:
			slices.Sort(leaves)
			return nil, &ConflictError{Module: mod, Leaves: leaves}
		}
	}
	return g, nil
}

// ConflictError reports a module with more than one latest migration,
// usually two branches that each added one: makemigrations --merge writes a
// migration that depends on both.
type ConflictError struct {
	Module string
	Leaves []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("migrate: module %s has conflicting migrations %s: each is the latest; run makemigrations --merge %s",
		e.Module, strings.Join(e.Leaves, " and "), e.Module)
}

// sort orders the nodes dependencies first (depth first, in install order
// and then by name, so the order is the same on every run) and finds cycles.
func (g *Graph) sort() error {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[*node]int{}
	var stack []*node
	var visit func(n *node) error
	visit = func(n *node) error {
		switch state[n] {
		case done:
			return nil
		case visiting:
			i := slices.Index(stack, n)
			var names []string
			for _, s := range stack[i:] {
				names = append(names, s.key.String())
			}
			return &Error{Key: n.key, Reason: "dependency cycle: " + strings.Join(append(names, n.key.String()), " -> ")}
		}
		state[n] = visiting
		stack = append(stack, n)
		deps := slices.Clone(n.deps)
		slices.SortFunc(deps, g.compare)
		for _, d := range deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		g.order = append(g.order, n)
		return nil
	}
	all := make([]*node, 0, len(g.nodes))
	for _, n := range g.nodes {
		all = append(all, n)
	}
	slices.SortFunc(all, g.compare)
	for _, n := range all {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

// compare orders nodes by module install order, then name.
func (g *Graph) compare(a, b *node) int {
	if c := slices.Index(g.modules, a.key.Module) - slices.Index(g.modules, b.key.Module); c != 0 {
		return c
	}
	return strings.Compare(a.key.Name, b.key.Name)
}

// Migration returns the migration with key k.
func (g *Graph) Migration(k Key) (*Migration, bool) {
	n, ok := g.nodes[k]
	if !ok {
		return nil, false
	}
	return n.m, true
}

// Leaf returns module's latest migration; ok is false when the module has
// none.
func (g *Graph) Leaf(module string) (k Key, ok bool) {
	k, ok = g.leaves[module]
	return k, ok
}

// Keys returns every migration, dependencies before dependents.
func (g *Graph) Keys() []Key {
	keys := make([]Key, len(g.order))
	for i, n := range g.order {
		keys[i] = n.key
	}
	return keys
}

// Modules returns the modules in install order.
func (g *Graph) Modules() []string { return slices.Clone(g.modules) }

// Forward returns the migrations to apply, in order, so that targets (every
// module's leaf when none is given) and everything they depend on are
// applied; applied ones are left out.
func (g *Graph) Forward(applied map[Key]bool, targets ...Key) ([]Key, error) {
	want := map[*node]bool{}
	var mark func(n *node)
	mark = func(n *node) {
		if want[n] {
			return
		}
		want[n] = true
		for _, d := range n.deps {
			mark(d)
		}
	}
	if len(targets) == 0 {
		for _, n := range g.order {
			mark(n)
		}
	}
	for _, t := range targets {
		n, ok := g.nodes[t]
		if !ok {
			return nil, fmt.Errorf("migrate: no migration %s", t)
		}
		mark(n)
	}
	var plan []Key
	for _, n := range g.order {
		if want[n] && !applied[n.key] {
			plan = append(plan, n.key)
		}
	}
	return plan, nil
}

// Backward returns the applied migrations to unapply, in order, so that
// module is left at target: target's later migrations in the module, and
// every applied migration of any module that depends on them, dependents
// first. An empty target means zero: every migration of the module.
func (g *Graph) Backward(applied map[Key]bool, module, target string) ([]Key, error) {
	if !slices.Contains(g.modules, module) {
		return nil, fmt.Errorf("migrate: module %s is not installed", module)
	}
	keep := map[*node]bool{} // target and its ancestors in the module stay
	if target != "" {
		t, ok := g.nodes[Key{module, target}]
		if !ok {
			return nil, fmt.Errorf("migrate: no migration %s.%s", module, target)
		}
		var mark func(n *node)
		mark = func(n *node) {
			if keep[n] {
				return
			}
			keep[n] = true
			for _, d := range n.deps {
				mark(d)
			}
		}
		mark(t)
	}
	drop := map[*node]bool{}
	var mark func(n *node)
	mark = func(n *node) {
		if drop[n] {
			return
		}
		drop[n] = true
		for _, c := range n.children {
			mark(c)
		}
	}
	for _, n := range g.order {
		if n.key.Module == module && !keep[n] {
			mark(n)
		}
	}
	var plan []Key
	for i := len(g.order) - 1; i >= 0; i-- {
		n := g.order[i]
		if drop[n] && applied[n.key] {
			plan = append(plan, n.key)
		}
	}
	return plan, nil
}

// NextNumber returns the number the module's next migration takes: one
// more than the largest so far.
func (g *Graph) NextNumber(module string) int {
	hi := 0
	for k := range g.nodes {
		if k.Module == module {
			hi = max(hi, number(k.Name))
		}
	}
	return hi + 1
}
