package migrate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/anode-go/anode/orm"
)

// Migrator applies and unapplies a graph's migrations on one database. Its
// methods are safe to call from several processes at once: each migration
// is applied by exactly one of them (see Migrate).
type Migrator struct {
	db     *orm.DB
	graph  *Graph
	hist   *history
	out    io.Writer
	editor editor
}

// Options configure a Migrator. The zero value is valid.
type Options struct {
	// Progress receives one line per operation with its duration (nil:
	// none).
	Progress io.Writer
}

// NewMigrator returns a Migrator for the graph's migrations on db.
func NewMigrator(db *orm.DB, g *Graph, o Options) (*Migrator, error) {
	h, err := newHistory(db)
	if err != nil {
		return nil, err
	}
	out := o.Progress
	if out == nil {
		out = io.Discard
	}
	ed, err := editorFor(db.Dialect())
	if err != nil {
		return nil, err
	}
	return &Migrator{db: db, graph: g, hist: h, out: out, editor: ed}, nil
}

// Applied returns the migrations recorded as applied in the database
// (none when it has no history table yet).
func (m *Migrator) Applied(ctx context.Context) (map[Key]bool, error) {
	var applied map[Key]bool
	err := m.hist.step(ctx, func(_ context.Context, a map[Key]bool) error {
		applied = a
		return nil
	})
	return applied, err
}

// Step is one migration of a plan, applied (forward) or unapplied.
type Step struct {
	Key      Key
	Backward bool
}

func (s Step) String() string {
	if s.Backward {
		return "unapply " + s.Key.String()
	}
	return "apply " + s.Key.String()
}

// Target says where Migrate takes the database. The zero value means every
// module's latest migration.
type Target struct {
	// Module limits the target to one module ("" for all).
	Module string
	// Name is the migration of Module to end at: applied with everything it
	// needs, and the module's later migrations (with everything that needs
	// them) unapplied. Empty means the module's latest; "zero" unapplies
	// every migration of the module.
	Name string
}

// Plan returns the steps Migrate would run for target, in order.
func (m *Migrator) Plan(ctx context.Context, t Target) ([]Step, error) {
	// Replaying every migration first finds an operation that cannot apply
	// (a field of a missing model, a duplicate index) before anything runs.
	if _, err := m.graph.State(); err != nil {
		return nil, err
	}
	applied, err := m.Applied(ctx)
	if err != nil {
		return nil, err
	}
	return m.plan(applied, t)
}

func (m *Migrator) plan(applied map[Key]bool, t Target) ([]Step, error) {
	var targets []Key
	switch {
	case t.Module == "" && t.Name != "":
		return nil, fmt.Errorf("migrate: a target migration needs its module")
	case t.Module == "":
	case t.Name == "zero":
		keys, err := m.graph.Backward(applied, t.Module, "")
		return steps(keys, true), err
	case t.Name == "":
		leaf, ok := m.graph.Leaf(t.Module)
		if !ok {
			if !slices.Contains(m.graph.modules, t.Module) {
				return nil, fmt.Errorf("migrate: module %s is not installed", t.Module)
			}
			return nil, nil // a module without migrations
		}
		targets = append(targets, leaf)
	default:
		k := Key(t)
		if _, ok := m.graph.nodes[k]; !ok {
			return nil, fmt.Errorf("migrate: no migration %s", k)
		}
		if applied[k] {
			keys, err := m.graph.Backward(applied, t.Module, t.Name)
			return steps(keys, true), err
		}
		targets = append(targets, k)
	}
	keys, err := m.graph.Forward(applied, targets...)
	return steps(keys, false), err
}

func steps(keys []Key, backward bool) []Step {
	out := make([]Step, len(keys))
	for i, k := range keys {
		out[i] = Step{Key: k, Backward: backward}
	}
	return out
}

// Migrate takes the database to target, one migration per transaction
// (PostgreSQL and SQLite both have transactional DDL): a failing operation
// rolls its whole migration back, leaves earlier migrations applied, and
// returns an *OpError naming the migration, the operation and the cause.
// Each transaction first takes the migration lock (a PostgreSQL advisory
// lock; SQLite's single writer) and re-reads the history, so a migration
// another process applied meanwhile is skipped. It returns the steps it
// ran.
func (m *Migrator) Migrate(ctx context.Context, t Target) ([]Step, error) {
	plan, err := m.Plan(ctx, t)
	if err != nil {
		return nil, err
	}
	var ran []Step
	for _, s := range plan {
		done := false
		if err := m.editor.beforeStep(ctx, m.db); err != nil {
			return ran, err
		}
		err := m.hist.step(ctx, func(ctx context.Context, applied map[Key]bool) error {
			if applied[s.Key] != s.Backward {
				return nil // another process got there first
			}
			done = true
			return m.run(ctx, s, false)
		})
		if aerr := m.editor.afterStep(ctx, m.db); err == nil {
			err = aerr
		}
		if err != nil {
			return ran, err
		}
		if done {
			ran = append(ran, s)
		}
	}
	return ran, nil
}

// Fake records target as reached without running any operation
// (migrate --fake), for a database whose schema already matches.
func (m *Migrator) Fake(ctx context.Context, t Target) ([]Step, error) {
	plan, err := m.Plan(ctx, t)
	if err != nil {
		return nil, err
	}
	for _, s := range plan {
		err := m.hist.step(ctx, func(ctx context.Context, applied map[Key]bool) error {
			if applied[s.Key] != s.Backward {
				return nil
			}
			return m.run(ctx, s, true)
		})
		if err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// OpError reports the operation a migration failed at. Nothing of that
// migration was kept.
type OpError struct {
	Key       Key
	Backward  bool
	Index     int    // the operation's position in the migration, from 0
	Operation string // its description
	Err       error
}

func (e *OpError) Error() string {
	dir := "applying"
	if e.Backward {
		dir = "unapplying"
	}
	return fmt.Sprintf("migrate: %s %s (%s/migrations/%s.go) failed at operation %d (%s), rolled back: %v", dir, e.Key, e.Key.Module, e.Key.Name, e.Index+1, e.Operation, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// run applies or unapplies one migration inside the step's transaction and
// updates the history; fake skips the operations.
func (m *Migrator) run(ctx context.Context, s Step, fake bool) error {
	c := m.db.Conn(ctx)
	verb := "Applying"
	if s.Backward {
		verb = "Unapplying"
	}
	if fake {
		verb += " (fake)"
	}
	fmt.Fprintf(m.out, "%s %s\n", verb, s.Key)
	if !fake {
		if err := m.operate(ctx, s, c, m.out); err != nil {
			return err
		}
		if err := m.editor.check(ctx, &Env{DB: m.db, Conn: c, Dialect: m.db.Dialect()}); err != nil {
			return &OpError{Key: s.Key, Backward: s.Backward, Index: len(m.graph.nodes[s.Key].m.Operations) - 1, Operation: "final check", Err: err}
		}
	}
	if s.Backward {
		return m.hist.forget(ctx, c, s.Key)
	}
	return m.hist.record(ctx, c, s.Key)
}

// operate runs the operations of one migration on c, forward or backward,
// writing a progress line per operation to out.
func (m *Migrator) operate(ctx context.Context, s Step, c orm.Conn, out io.Writer) error {
	before, err := m.graph.stateBefore(s.Key)
	if err != nil {
		return err
	}
	// The states around each operation, in order.
	ops := m.graph.nodes[s.Key].m.Operations
	states := []*State{before}
	changes := make([]change, len(ops))
	for i, op := range ops {
		next := states[i].clone()
		if changes[i], err = op.apply(next); err != nil {
			return &OpError{Key: s.Key, Backward: s.Backward, Index: i, Operation: op.Describe(), Err: err}
		}
		states = append(states, next)
	}
	for i := range ops {
		j := i
		if s.Backward {
			j = len(ops) - 1 - i
		}
		op := ops[j]
		start := time.Now()
		env := &Env{DB: m.db, Conn: c, Dialect: m.db.Dialect(), State: states[j], from: states[j], to: states[j+1], editor: m.editor}
		if dop, ok := op.(dataOperation); ok && s.Backward {
			err = dop.backward(ctx, env)
		} else if ok {
			err = dop.forward(ctx, env)
		} else {
			err = applyChange(ctx, env, changes[j], s.Backward)
		}
		if err != nil {
			return &OpError{Key: s.Key, Backward: s.Backward, Index: j, Operation: op.Describe(), Err: err}
		}
		fmt.Fprintf(out, "  %s (%s)\n", op.Describe(), time.Since(start).Round(time.Microsecond))
	}
	return nil
}

// SQL returns the statements that applying (or, backward, unapplying)
// migration k runs on this database, without running them (sqlmigrate).
// Go code shows as a comment; it runs only for real.
func (m *Migrator) SQL(ctx context.Context, k Key, backward bool) ([]string, error) {
	if _, ok := m.graph.nodes[k]; !ok {
		return nil, fmt.Errorf("migrate: no migration %s", k)
	}
	rec := &recorder{}
	if err := m.operate(ctx, Step{Key: k, Backward: backward}, rec, io.Discard); err != nil {
		return nil, err
	}
	return rec.stmts, nil
}

// recorder is a Conn that keeps the statements it is given instead of
// running them.
type recorder struct{ stmts []string }

func (r *recorder) Exec(_ context.Context, query string, args ...any) (int64, error) {
	if len(args) > 0 {
		query += fmt.Sprintf(" -- with %d bound values", len(args))
	}
	r.stmts = append(r.stmts, query)
	return 0, nil
}

func (r *recorder) Query(context.Context, string, ...any) (orm.Rows, error) {
	return nil, fmt.Errorf("migrate: a statement that reads rows cannot be shown without running it")
}

func (r *recorder) QueryWrite(ctx context.Context, query string, args ...any) (orm.Rows, error) {
	return r.Query(ctx, query, args...)
}
