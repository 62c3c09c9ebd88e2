package orm

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Registry holds the models of an application, registered at start-up by
// module. Every SQL identifier the ORM writes comes from it. Register models
// before serving; after that it is read-only and safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	models  []*Model
	byType  map[reflect.Type]*Model
	byLabel map[string]*Model
	tables  map[string]*Model
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{byType: map[reflect.Type]*Model{}, byLabel: map[string]*Model{}, tables: map[string]*Model{}}
}

// Register adds the models of one module: struct values or pointers to them
// (Question{} or (*Question)(nil)). It computes their metadata and returns a
// *ModelError naming the model and field for a definition it cannot accept.
func (r *Registry) Register(module string, models ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range models {
		t := reflect.TypeOf(v)
		if t == nil {
			return &ModelError{Model: module + ".?", Reason: "nil model value"}
		}
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if prev, dup := r.byType[t]; dup {
			return &ModelError{Model: module + "." + t.Name(), Reason: fmt.Sprintf("already registered by module %q", prev.Module)}
		}
		m, err := newModel(module, t)
		if err != nil {
			return err
		}
		if prev, dup := r.tables[m.Table]; dup {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("table %q is also used by %s", m.Table, prev.Label())}
		}
		r.models = append(r.models, m)
		r.byType[t] = m
		r.byLabel[m.Label()] = m
		r.tables[m.Table] = m
	}
	return nil
}

// Resolve links every foreign key to its target model and checks it: the
// target must be registered and its primary key of the key's type. Models
// may refer to models registered later (or by other modules), so an App
// calls Resolve once every module is installed; Open and CreateTableSQL
// need it done.
func (r *Registry) Resolve() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.models {
		for _, f := range m.Fields {
			if f.Kind != KindForeignKey || f.Related != nil {
				continue
			}
			target, ok := r.byType[f.relTarget]
			if !ok {
				var err error
				if target, f.relEmbed, err = r.embedding(f.relTarget); err != nil {
					return &ModelError{Model: m.Label(), Field: f.Name, Reason: err.Error()}
				}
			}
			pkType := target.PK.Type
			if pkType != f.relKey && !(f.relKey.Kind() == pkType.Kind() && f.relKey.ConvertibleTo(pkType)) {
				return &ModelError{Model: m.Label(), Field: f.Name, Reason: fmt.Sprintf("key type %s does not match %s's primary key %s %s (use orm.Ref[%s, %s])", f.relKey, target.Label(), target.PK.Name, pkType, target.Name, pkType)}
			}
			if f.RelatedName != "" {
				if _, clash := target.byName[f.RelatedName]; clash {
					return &ModelError{Model: m.Label(), Field: f.Name, Reason: fmt.Sprintf("related=%q clashes with field %s of %s", f.RelatedName, f.RelatedName, target.Label())}
				}
				if prev, dup := target.reverse[f.RelatedName]; dup {
					return &ModelError{Model: m.Label(), Field: f.Name, Reason: fmt.Sprintf("related=%q is also used by %s.%s", f.RelatedName, prev.model.Label(), prev.Name)}
				}
				if target.reverse == nil {
					target.reverse = map[string]*Field{}
				}
				target.reverse[f.RelatedName] = f
			}
			f.Related = target
		}
	}
	for _, m := range r.models {
		if err := r.resolveMany(m); err != nil {
			return err
		}
		if err := resolveHolders(m); err != nil {
			return err
		}
	}
	planDeletes(r.models)
	return nil
}

// Ordered returns the models so that every model comes after the models its
// foreign keys refer to (self-references aside), for creating tables. A cycle
// of foreign keys between models is an error naming them.
func (r *Registry) Ordered() ([]*Model, error) {
	if err := r.Resolve(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*Model
	state := map[*Model]int{} // 1 visiting, 2 done
	var visit func(m *Model, path []string) error
	visit = func(m *Model, path []string) error {
		switch state[m] {
		case 2:
			return nil
		case 1:
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("foreign keys form a cycle (%s → %s); cycles are not supported yet", strings.Join(path, " → "), m.Label())}
		}
		state[m] = 1
		for _, f := range m.Fields {
			if f.Kind == KindForeignKey && f.Related != m {
				if err := visit(f.Related, append(path, m.Label())); err != nil {
					return err
				}
			}
		}
		state[m] = 2
		out = append(out, m)
		return nil
	}
	for _, m := range r.models {
		if err := visit(m, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Models returns every registered model in registration order.
func (r *Registry) Models() []*Model {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Model(nil), r.models...)
}

// Lookup returns the model of Go type t (a struct type or a pointer to one).
func (r *Registry) Lookup(t reflect.Type) (*Model, bool) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.byType[t]
	return m, ok
}

// ByLabel returns the model named "module.Name".
func (r *Registry) ByLabel(label string) (*Model, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.byLabel[label]
	return m, ok
}

// ModelOf returns the registered model of T, or an error saying T is not a
// registered model.
func ModelOf[T any](r *Registry) (*Model, error) {
	t := reflect.TypeFor[T]()
	if m, ok := r.Lookup(t); ok {
		return m, nil
	}
	return nil, fmt.Errorf("orm: %s is not a registered model (add it to its module's Models)", t)
}
