package anode_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

// Memo is the model of the memos module of the migration command tests.
type Memo struct {
	ID   int64
	Text string `anode:"max=100"`
}

func memosModule() anode.Module {
	pk := orm.FieldSpec{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true}
	text := orm.FieldSpec{Name: "Text", Column: "text", Kind: orm.KindString, MaxLength: 100}
	return anode.Module{Name: "memos", Models: []any{Memo{}}, Migrations: []*migrate.Migration{
		{Name: "0001_initial", Operations: []migrate.Operation{
			migrate.CreateModel{Model: orm.ModelSpec{Module: "memos", Name: "Memo", Table: "memos_memo", Fields: []orm.FieldSpec{pk}}},
		}},
		{Name: "0002_add_memo_text", Dependencies: []string{"memos.0001_initial"}, Operations: []migrate.Operation{
			migrate.AddField{Model: "memos.Memo", Field: text},
		}},
	}}
}

func TestMigrationCommands(t *testing.T) {
	// Each command closes its App, as a process would end: the next one
	// opens the same database.
	cfg := anodetest.NewUnmigratedApp(t, anodetest.Config(t), memosModule()).Config()
	fresh := func() *anode.App { return anodetest.NewUnmigratedApp(t, cfg, memosModule()) }

	code, out, errOut := run(fresh(), "showmigrations")
	if code != 0 || !strings.Contains(out, "memos\n [ ] 0001_initial\n [ ] 0002_add_memo_text") {
		t.Fatalf("showmigrations before: %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(fresh(), "migrate", "--plan")
	if code != 0 || !strings.Contains(out, "memos.0001_initial") || !strings.Contains(out, "memos.0002_add_memo_text") {
		t.Fatalf("migrate --plan: %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(fresh(), "sqlmigrate", "memos", "0002_add_memo_text")
	if code != 0 || !strings.Contains(out, "BEGIN;") || !strings.Contains(out, `"text"`) {
		t.Fatalf("sqlmigrate: %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(fresh(), "migrate")
	if code != 0 || !strings.Contains(out, "Applying memos.0001_initial") || !strings.Contains(out, "Add field Text to memos.Memo") {
		t.Fatalf("migrate: %d %q %s", code, out, errOut)
	}
	app := fresh()
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := orm.Create(t.Context(), app.DB(), &Memo{Text: "kept"}); err != nil {
		t.Fatalf("the migrated table does not take a memo: %v", err)
	}
	code, out, _ = run(fresh(), "migrate")
	if code != 0 || !strings.Contains(out, "No migrations to apply.") {
		t.Fatalf("migrate twice: %d %q", code, out)
	}
	code, out, _ = run(fresh(), "showmigrations", "memos")
	if code != 0 || !strings.Contains(out, " [X] 0001_initial\n [X] 0002_add_memo_text") {
		t.Fatalf("showmigrations after: %d %q", code, out)
	}
	code, out, errOut = run(fresh(), "migrate", "memos", "0001_initial")
	if code != 0 || !strings.Contains(out, "Unapplying memos.0002_add_memo_text") {
		t.Fatalf("migrate back: %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(fresh(), "migrate", "memos", "zero", "--fake")
	if code != 0 || !strings.Contains(out, "Unapplying (fake) memos.0001_initial") {
		t.Fatalf("migrate zero --fake: %d %q %s", code, out, errOut)
	}
	code, _, errOut = run(fresh(), "showmigrations", "nope")
	if code == 0 || !strings.Contains(errOut, `no installed module "nope"`) {
		t.Fatalf("showmigrations of a missing module: %d %s", code, errOut)
	}
	code, _, errOut = run(fresh(), "sqlmigrate", "memos", "0009_missing")
	if code == 0 || !strings.Contains(errOut, "0009_missing") {
		t.Fatalf("sqlmigrate of a missing migration: %d %s", code, errOut)
	}
}

// TestMakemigrationsEmptyAndMerge checks makemigrations --empty (a data
// migration to fill in) and --merge (two latest migrations of a module).
func TestMakemigrationsEmptyAndMerge(t *testing.T) {
	dir := t.TempDir()
	mod := memosModule()
	mod.Dir = dir
	cfg := anodetest.NewUnmigratedApp(t, anodetest.Config(t), mod).Config()
	fresh := func(m anode.Module) *anode.App { return anodetest.NewUnmigratedApp(t, cfg, m) }

	code, out, errOut := run(fresh(mod), "makemigrations", "--empty", "memos", "--name", "fill_text")
	if code != 0 || !strings.Contains(out, "memos/migrations/0003_fill_text.go") {
		t.Fatalf("makemigrations --empty: %d %q %s", code, out, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "migrations", "0003_fill_text.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"migrate.RunGo{", `"memos.0002_add_memo_text"`, "package migrations"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the empty migration lacks %q:\n%s", want, src)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations", "migrations.go")); err != nil {
		t.Errorf("the package file: %v", err)
	}
	code, _, errOut = run(fresh(mod), "makemigrations", "--empty")
	if code == 0 || !strings.Contains(errOut, "name one module") {
		t.Errorf("--empty without a module: %d %s", code, errOut)
	}

	// Two branches each added a 0003: migrate refuses, --merge joins them.
	branch := mod
	branch.Migrations = append(append([]*migrate.Migration{}, mod.Migrations...),
		&migrate.Migration{Name: "0003_a", Dependencies: []string{"memos.0002_add_memo_text"}},
		&migrate.Migration{Name: "0003_b", Dependencies: []string{"memos.0002_add_memo_text"}})
	code, _, errOut = run(fresh(branch), "migrate")
	if code == 0 || !strings.Contains(errOut, "makemigrations --merge") {
		t.Fatalf("migrate with two latest migrations: %d %s", code, errOut)
	}
	code, out, errOut = run(fresh(branch), "makemigrations", "--merge")
	if code != 0 || !strings.Contains(out, "memos/migrations/0004_merge_0003_a_0003_b.go") {
		t.Fatalf("makemigrations --merge: %d %q %s", code, out, errOut)
	}
	src, err = os.ReadFile(filepath.Join(dir, "migrations", "0004_merge_0003_a_0003_b.go"))
	if err != nil || !strings.Contains(string(src), `"memos.0003_a", "memos.0003_b"`) {
		t.Fatalf("the merge migration: %v\n%s", err, src)
	}
	code, out, _ = run(fresh(mod), "makemigrations", "--merge")
	if code != 0 || !strings.Contains(out, "No conflicts to merge.") {
		t.Errorf("--merge without a conflict: %d %q", code, out)
	}
}
