package migrate

import (
	"fmt"
	"slices"

	"github.com/anode-go/anode/orm"
)

// State is the models as a sequence of migrations leaves them: specs
// replayed from the operations, never read from a database. The
// autodetector compares it with the installed models; schema operations
// render their SQL from the states before and after them.
type State struct {
	models []orm.ModelSpec // in creation order
}

// NewState returns a state holding specs (copied).
func NewState(specs ...orm.ModelSpec) *State {
	s := &State{}
	for _, m := range specs {
		s.models = append(s.models, cloneSpec(m))
	}
	return s
}

// Models returns copies of the state's model specs, in creation order.
func (s *State) Models() []orm.ModelSpec {
	out := make([]orm.ModelSpec, len(s.models))
	for i, m := range s.models {
		out[i] = cloneSpec(m)
	}
	return out
}

// Model returns a copy of the spec of the model labelled label
// ("polls.Question").
func (s *State) Model(label string) (orm.ModelSpec, bool) {
	if i := s.index(label); i >= 0 {
		return cloneSpec(s.models[i]), true
	}
	return orm.ModelSpec{}, false
}

func (s *State) index(label string) int {
	return slices.IndexFunc(s.models, func(m orm.ModelSpec) bool { return m.Label() == label })
}

// clone returns an independent copy of s.
func (s *State) clone() *State {
	return &State{models: s.Models()}
}

// put adds or replaces a model's spec.
func (s *State) put(m orm.ModelSpec) {
	if i := s.index(m.Label()); i >= 0 {
		s.models[i] = m
		return
	}
	s.models = append(s.models, m)
}

// remove drops the model labelled label.
func (s *State) remove(label string) {
	if i := s.index(label); i >= 0 {
		s.models = slices.Delete(s.models, i, i+1)
	}
}

// registry builds the state's models, for rendering SQL.
func (s *State) registry() (*orm.Registry, error) {
	return orm.NewRegistryFromSpecs(s.models)
}

// model builds the state's models and returns the one labelled label.
func (s *State) model(label string) (*orm.Model, error) {
	r, err := s.registry()
	if err != nil {
		return nil, err
	}
	m, ok := r.ByLabel(label)
	if !ok {
		return nil, fmt.Errorf("migrate: no model %s in the migration state", label)
	}
	return m, nil
}

// modelSpec returns the spec of label for an operation to change, or an
// error naming the operation when the state has no such model.
func (s *State) modelSpec(op, label string) (orm.ModelSpec, error) {
	m, ok := s.Model(label)
	if !ok {
		return m, fmt.Errorf("%s: no model %s at this point of the migrations (models: %v)", op, label, s.labels())
	}
	return m, nil
}

func (s *State) labels() []string {
	var out []string
	for _, m := range s.models {
		out = append(out, m.Label())
	}
	return out
}

func cloneSpec(m orm.ModelSpec) orm.ModelSpec {
	m.Fields = slices.Clone(m.Fields)
	m.Indexes = slices.Clone(m.Indexes)
	m.Checks = slices.Clone(m.Checks)
	if m.UniqueTogether != nil {
		sets := make([][]string, len(m.UniqueTogether))
		for i, set := range m.UniqueTogether {
			sets[i] = slices.Clone(set)
		}
		m.UniqueTogether = sets
	}
	return m
}

// stateBefore replays the operations of every migration k depends on,
// directly or not, in order: the models as k finds them.
func (g *Graph) stateBefore(k Key) (*State, error) {
	n, ok := g.nodes[k]
	if !ok {
		return nil, fmt.Errorf("migrate: no migration %s", k)
	}
	var deps []Key
	for _, d := range n.deps {
		deps = append(deps, d.key)
	}
	s := &State{}
	if len(deps) == 0 {
		return s, nil
	}
	keys, err := g.Forward(nil, deps...)
	if err != nil {
		return nil, err
	}
	for _, key := range keys {
		for i, op := range g.nodes[key].m.Operations {
			if _, err := op.apply(s); err != nil {
				return nil, &StateError{Key: key, Index: i, Operation: op.Describe(), Err: err}
			}
		}
	}
	return s, nil
}

// State returns the models as every migration of the graph leaves them:
// what the autodetector compares the installed models with.
func (g *Graph) State() (*State, error) {
	s := &State{}
	for _, n := range g.order {
		for i, op := range n.m.Operations {
			if _, err := op.apply(s); err != nil {
				return nil, &StateError{Key: n.key, Index: i, Operation: op.Describe(), Err: err}
			}
		}
	}
	return s, nil
}

// StateError reports an operation that cannot apply to the models the
// migrations before it leave (a field added to a model that does not
// exist): the migration file is wrong, and nothing was run.
type StateError struct {
	Key       Key
	Index     int    // the operation's position, from 0
	Operation string // its description
	Err       error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("migrate: %s (%s/migrations/%s.go), operation %d (%s): %v", e.Key, e.Key.Module, e.Key.Name, e.Index+1, e.Operation, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }
