package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

func open(t testing.TB, rawURL string) *orm.DB {
	t.Helper()
	db, err := orm.Open(context.Background(), rawURL, orm.NewRegistry(), orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// words returns the rows of the test table "word", in order.
func words(t *testing.T, db *orm.DB) string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Conn(ctx).Query(ctx, "SELECT w FROM word ORDER BY w")
	if err != nil {
		return "error: " + err.Error()
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return "error: " + err.Error()
	}
	return strings.Join(out, ",")
}

func insert(w string) migrate.RunGo {
	return migrate.RunGo{
		Name: "insert " + w,
		Forward: func(ctx context.Context, env *migrate.Env) error {
			_, err := env.Conn.Exec(ctx, "INSERT INTO word (w) VALUES ("+env.Dialect.Placeholder(1)+")", w)
			return err
		},
		Reverse: func(ctx context.Context, env *migrate.Env) error {
			_, err := env.Conn.Exec(ctx, "DELETE FROM word WHERE w = "+env.Dialect.Placeholder(1), w)
			return err
		},
	}
}

func wordGraph(t *testing.T, extra ...*migrate.Migration) *migrate.Graph {
	t.Helper()
	ms := []*migrate.Migration{
		{Name: "0001_initial", Operations: []migrate.Operation{
			migrate.RunSQL{SQL: []string{"CREATE TABLE word (w VARCHAR(20) NOT NULL PRIMARY KEY)"}, Reverse: []string{"DROP TABLE word"}},
		}},
		{Name: "0002_alpha", Dependencies: []string{"words.0001_initial"}, Operations: []migrate.Operation{insert("alpha")}},
		{Name: "0003_beta", Dependencies: []string{"words.0002_alpha"}, Operations: []migrate.Operation{insert("beta"), insert("gamma")}},
	}
	g, err := migrate.NewGraph([]migrate.Source{{Module: "words", Migrations: append(ms, extra...)}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMigrateForwardBackward(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		var progress strings.Builder
		m, err := migrate.NewMigrator(db, wordGraph(t), migrate.Options{Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := m.Plan(ctx, migrate.Target{})
		if err != nil || fmt.Sprint(plan) != "[apply words.0001_initial apply words.0002_alpha apply words.0003_beta]" {
			t.Fatalf("plan: %v %v", plan, err)
		}
		ran, err := m.Migrate(ctx, migrate.Target{})
		if err != nil || len(ran) != 3 {
			t.Fatalf("migrate: %v %v", ran, err)
		}
		if got := words(t, db); got != "alpha,beta,gamma" {
			t.Fatalf("words after migrate: %s", got)
		}
		if !strings.Contains(progress.String(), "Applying words.0003_beta\n  Go code: insert beta (") {
			t.Fatalf("progress lines:\n%s", progress.String())
		}
		// Twice is a no-op.
		if ran, err := m.Migrate(ctx, migrate.Target{}); err != nil || len(ran) != 0 {
			t.Fatalf("second migrate: %v %v", ran, err)
		}
		// Back to 0002: 0003's operations reversed, in reverse order.
		ran, err = m.Migrate(ctx, migrate.Target{Module: "words", Name: "0002_alpha"})
		if err != nil || fmt.Sprint(ran) != "[unapply words.0003_beta]" || words(t, db) != "alpha" {
			t.Fatalf("back to 0002: %v %v %s", ran, err, words(t, db))
		}
		// To zero, then forward again.
		if _, err := m.Migrate(ctx, migrate.Target{Module: "words", Name: "zero"}); err != nil {
			t.Fatal(err)
		}
		if got := words(t, db); !strings.HasPrefix(got, "error:") {
			t.Fatalf("table still there after zero: %s", got)
		}
		applied, err := m.Applied(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("applied after zero: %v %v", applied, err)
		}
		if _, err := m.Migrate(ctx, migrate.Target{Module: "words"}); err != nil || words(t, db) != "alpha,beta,gamma" {
			t.Fatalf("forward again: %v %s", err, words(t, db))
		}
		// Fake: recorded, not run.
		if _, err := m.Migrate(ctx, migrate.Target{Module: "words", Name: "0001_initial"}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Fake(ctx, migrate.Target{}); err != nil {
			t.Fatal(err)
		}
		if got := words(t, db); got != "" {
			t.Fatalf("fake ran operations: %q", got)
		}
		if plan, err := m.Plan(ctx, migrate.Target{}); err != nil || len(plan) != 0 {
			t.Fatalf("plan after fake: %v %v", plan, err)
		}
		// Bad targets.
		for _, tg := range []migrate.Target{{Module: "nope"}, {Module: "words", Name: "0009_x"}, {Name: "0001_initial"}} {
			if _, err := m.Migrate(ctx, tg); err == nil {
				t.Errorf("target %+v: no error", tg)
			}
		}
	})
}

func TestMigrateFailureRollsBackTheMigration(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		bad := &migrate.Migration{Name: "0004_bad", Dependencies: []string{"words.0003_beta"}, Operations: []migrate.Operation{
			insert("delta"),
			migrate.RunSQL{SQL: []string{"CREATE TABLE extra (id INTEGER)"}},
			migrate.RunSQL{SQL: []string{"INSERT INTO missing_table VALUES (1)"}},
		}}
		m, err := migrate.NewMigrator(db, wordGraph(t, bad), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ran, err := m.Migrate(ctx, migrate.Target{})
		var oe *migrate.OpError
		if !errors.As(err, &oe) || oe.Key.Name != "0004_bad" || oe.Index != 2 || !strings.Contains(err.Error(), "missing_table") {
			t.Fatalf("want an OpError at 0004_bad operation 3: %v", err)
		}
		if len(ran) != 3 {
			t.Fatalf("earlier migrations stay applied: %v", ran)
		}
		if got := words(t, db); got != "alpha,beta,gamma" {
			t.Fatalf("the failed migration's insert was kept: %s", got)
		}
		if _, err := db.Conn(ctx).Exec(ctx, "SELECT 1 FROM extra"); err == nil {
			t.Fatal("the failed migration's table was kept")
		}
		applied, _ := m.Applied(ctx)
		if applied[migrate.Key{Module: "words", Name: "0004_bad"}] || len(applied) != 3 {
			t.Fatalf("history: %v", applied)
		}
		// Irreversible operations refuse to be unapplied, and keep everything.
		irr := &migrate.Migration{Name: "0004_irreversible", Dependencies: []string{"words.0003_beta"}, Operations: []migrate.Operation{
			migrate.RunSQL{SQL: []string{"DELETE FROM word WHERE w = 'gamma'"}},
		}}
		m2, _ := migrate.NewMigrator(db, wordGraph(t, irr), migrate.Options{})
		if _, err := m2.Migrate(ctx, migrate.Target{}); err != nil {
			t.Fatal(err)
		}
		_, err = m2.Migrate(ctx, migrate.Target{Module: "words", Name: "0003_beta"})
		if !errors.Is(err, migrate.ErrIrreversible) || words(t, db) != "alpha,beta" {
			t.Fatalf("irreversible: %v %s", err, words(t, db))
		}
	})
}

// TestConcurrentMigrate runs two migrators with pools of their own (two
// processes, as far as the database can tell) against one database: each
// migration is applied exactly once.
func TestConcurrentMigrate(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		var ms []*migrate.Migration
		prev := "words.0003_beta"
		for i := 4; i < 12; i++ {
			name := fmt.Sprintf("%04d_w%d", i, i)
			ms = append(ms, &migrate.Migration{Name: name, Dependencies: []string{prev}, Operations: []migrate.Operation{insert(fmt.Sprintf("w%02d", i))}})
			prev = "words." + name
		}
		g := wordGraph(t, ms...)
		var wg sync.WaitGroup
		ran := make([]int, 2)
		errs := make([]error, 2)
		for i := range 2 {
			db := open(t, rawURL)
			m, err := migrate.NewMigrator(db, g, migrate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				steps, err := m.Migrate(ctx, migrate.Target{})
				ran[i], errs[i] = len(steps), err
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if ran[0]+ran[1] != 11 {
			t.Fatalf("migrations applied %d + %d times, want 11 in all", ran[0], ran[1])
		}
		want := "alpha,beta,gamma,w04,w05,w06,w07,w08,w09,w10,w11"
		if got := words(t, open(t, rawURL)); got != want {
			t.Fatalf("words: %s", got)
		}
	})
}
