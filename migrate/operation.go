package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/anode-go/anode/orm"
)

// Operation is one change a migration makes: to the schema (CreateModel,
// AddField, ...) or to the data (RunSQL, RunGo). The package's types are
// the only implementations.
type Operation interface {
	// Describe is a one-line summary for progress lines and plans
	// ("Create model polls.Question").
	Describe() string
	// apply changes the migration state as the operation changes the
	// schema, and says which table it changes (schema.go).
	apply(s *State) (change, error)
}

// dataOperation is an operation that runs its own statements or code
// instead of a change between two states.
type dataOperation interface {
	forward(ctx context.Context, env *Env) error
	backward(ctx context.Context, env *Env) error
}

// Env is what an operation runs with: the database and the migration's
// transaction. ctx carries the same transaction, so ORM queries on DB
// inside RunGo take part in it.
type Env struct {
	// DB is the database being migrated.
	DB *orm.DB
	// Conn runs statements in the migration's transaction.
	Conn orm.Conn
	// Dialect is DB's dialect.
	Dialect orm.Dialect
	// State is the models as the migrations so far leave them: a RunGo
	// finds the tables and columns of that point in their specs.
	State *State

	from, to *State // around the running operation
	editor   editor
}

// ErrIrreversible is returned (wrapped in an *OpError) when unapplying an
// operation that has no reverse: a RunSQL without Reverse, a RunGo without
// Reverse.
var ErrIrreversible = errors.New("migrate: operation is irreversible")

// RunSQL runs hand-written SQL: statements for one dialect, or for all.
// Values belong in the statements as literals only where they are the
// migration author's own; RunSQL never sees user input.
type RunSQL struct {
	// SQL are the statements to run, in order, when applying.
	SQL []string
	// Reverse are the statements that undo SQL, run when unapplying; nil
	// makes the operation irreversible, an empty non-nil slice a no-op.
	Reverse []string
	// Dialect limits the operation to one database ("sqlite", "postgres");
	// on others it does nothing. Empty: every database.
	Dialect string
}

// Describe implements Operation.
func (o RunSQL) Describe() string {
	s := "Raw SQL"
	if o.Dialect != "" {
		s += " (" + o.Dialect + ")"
	}
	if len(o.SQL) > 0 {
		first := strings.Join(strings.Fields(o.SQL[0]), " ")
		if len(first) > 60 {
			first = first[:57] + "..."
		}
		s += ": " + first
	}
	return s
}

func (RunSQL) apply(*State) (change, error) { return change{}, nil }
func (RunGo) apply(*State) (change, error)  { return change{}, nil }

func (o RunSQL) forward(ctx context.Context, env *Env) error {
	return o.exec(ctx, env, o.SQL)
}

func (o RunSQL) backward(ctx context.Context, env *Env) error {
	if o.Reverse == nil {
		return ErrIrreversible
	}
	return o.exec(ctx, env, o.Reverse)
}

func (o RunSQL) exec(ctx context.Context, env *Env, stmts []string) error {
	if o.Dialect != "" && o.Dialect != env.Dialect.Name() {
		return nil
	}
	for _, s := range stmts {
		if _, err := env.Conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(strings.Fields(s), " "), err)
		}
	}
	return nil
}

// RunGo runs Go code in the migration's transaction: a data migration.
type RunGo struct {
	// Name describes what the code does ("Fill question slugs").
	Name string
	// Forward runs when applying.
	Forward func(ctx context.Context, env *Env) error
	// Reverse runs when unapplying; nil makes the operation irreversible
	// (use Noop for one that needs no undoing).
	Reverse func(ctx context.Context, env *Env) error
}

// Noop is a RunGo function that does nothing: the Reverse of a data
// migration that needs no undoing.
func Noop(context.Context, *Env) error { return nil }

// Describe implements Operation.
func (o RunGo) Describe() string {
	if o.Name == "" {
		return "Go code"
	}
	return "Go code: " + o.Name
}

func (o RunGo) forward(ctx context.Context, env *Env) error {
	if rec, ok := env.Conn.(*recorder); ok {
		rec.stmts = append(rec.stmts, "-- "+o.Describe()+" (runs only when migrating)")
		return nil
	}
	if o.Forward == nil {
		return fmt.Errorf("migrate: RunGo %q has no Forward function", o.Name)
	}
	return o.Forward(ctx, env)
}

func (o RunGo) backward(ctx context.Context, env *Env) error {
	if o.Reverse == nil {
		return ErrIrreversible
	}
	if rec, ok := env.Conn.(*recorder); ok {
		rec.stmts = append(rec.stmts, "-- "+o.Describe()+", reversed (runs only when migrating)")
		return nil
	}
	return o.Reverse(ctx, env)
}
