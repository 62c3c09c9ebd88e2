package anode_test

import (
	"context"
	"errors"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

// The app of TestMakemigrationsApp, in three versions: models, and a main
// with or without the generated migrations package.
const (
	e2eModelsV1 = `package polls

import "github.com/anode-go/anode/orm"

type Question struct {
	ID   int64
	Text string ` + "`anode:\"max=100\"`" + `
}

type Choice struct {
	ID       int64
	Question orm.FK[Question] ` + "`anode:\"on_delete=cascade,related=choices\"`" + `
	Text     string           ` + "`anode:\"max=100\"`" + `
	Votes    int
}
`
	e2eModelsV2 = `package polls

import "github.com/anode-go/anode/orm"

type Question struct {
	ID   int64
	Text string ` + "`anode:\"max=200\"`" + `
	Slug string ` + "`anode:\"max=50,index\"`" + `
}

type Choice struct {
	ID       int64
	Question orm.FK[Question] ` + "`anode:\"on_delete=cascade,related=choices\"`" + `
	Text     string           ` + "`anode:\"max=100\"`" + `
	Count    int
}

func (Choice) Meta() orm.Meta {
	return orm.Meta{UniqueTogether: [][]string{{"Question", "Text"}}}
}
`
	e2eMain = `package main

import (
	"github.com/anode-go/anode"
	"example.com/e2e/polls"
	MIGRATIONS_IMPORT
)

func main() {
	app := anode.New(anode.ConfigFromEnv())
	app.Install(anode.Module{Name: "polls", Models: []any{polls.Question{}, polls.Choice{}}, Dir: anode.SourceDir("polls") MIGRATIONS_FIELD})
	app.Run()
}
`
)

// TestMakemigrationsApp runs the migration commands of a real app binary
// through a model change: makemigrations writes the files, the app is
// rebuilt with them, migrate applies them on SQLite and PostgreSQL, rows
// survive, --check tells changed models from covered ones, and the
// migrated schema equals a fresh one.
func TestMakemigrationsApp(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/e2e\n\ngo 1.26\n\nrequire github.com/anode-go/anode v0.0.0\n\nreplace github.com/anode-go/anode => "+strconv.Quote(root)+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	main := func(withMigrations bool) string {
		imp, field := "", ""
		if withMigrations {
			imp, field = `"example.com/e2e/polls/migrations"`, ", Migrations: migrations.All"
		}
		return strings.NewReplacer("MIGRATIONS_IMPORT", imp, " MIGRATIONS_FIELD", field).Replace(e2eMain)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(dir, "app")
	build := func() {
		t.Helper()
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race") // reuse the packages this test was built from
		}
		cmd := osexec.CommandContext(ctx, "go", append(args, ".")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	type result struct {
		code int
		out  string
	}
	// runQuiet runs the app binary; it is safe to call from several
	// goroutines (a failure to start is exit code -1).
	runQuiet := func(dbURL string, args ...string) result {
		cmd := osexec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANODE_DEBUG=true", "ANODE_DATABASE_URL="+dbURL, "ANODE_DATA_DIR="+filepath.Join(dir, "data"))
		out, err := cmd.CombinedOutput()
		var ee *osexec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return result{-1, err.Error()}
		}
		return result{cmd.ProcessState.ExitCode(), string(out)}
	}
	run := func(dbURL string, args ...string) result {
		t.Helper()
		r := runQuiet(dbURL, args...)
		if r.code == -1 {
			t.Fatalf("%v: %s", args, r.out)
		}
		return r
	}
	sqliteURL := anodetest.SQLiteURL(t)

	// Version 1: the first makemigrations creates the package.
	write("polls/models.go", e2eModelsV1)
	write("main.go", main(false))
	build()
	if r := run(sqliteURL, "makemigrations", "--check"); r.code != 1 || !strings.Contains(r.out, "polls/migrations/0001_initial.go") {
		t.Fatalf("makemigrations --check before any migration: %+v", r)
	}
	if r := run(sqliteURL, "makemigrations", "--dry-run"); r.code != 0 || !strings.Contains(r.out, "Create model polls.Question") {
		t.Fatalf("makemigrations --dry-run: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "polls/migrations")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("--check or --dry-run wrote files: %v", err)
	}
	if r := run(sqliteURL, "makemigrations"); r.code != 0 || !strings.Contains(r.out, "set Migrations: migrations.All") {
		t.Fatalf("makemigrations: %+v", r)
	}
	write("main.go", main(true))
	build()
	if r := run(sqliteURL, "makemigrations", "--check"); r.code != 0 || !strings.Contains(r.out, "No changes detected.") {
		t.Fatalf("makemigrations --check after 0001: %+v", r)
	}

	// Apply on each database, with rows.
	urls := []string{sqliteURL}
	if base := os.Getenv("ANODE_TEST_POSTGRES"); base != "" {
		urls = append(urls, anodetest.PostgresSchema(t, base))
	}
	for _, u := range urls {
		// Two processes migrate at once. Each migration is applied under
		// the lock, so they may share the work (one takes the sessions
		// migration while the other waits, then the other takes polls'),
		// but every migration is applied exactly once and both succeed.
		results := make(chan result, 2)
		for range 2 {
			go func() { results <- runQuiet(u, "migrate") }()
		}
		r1, r2 := <-results, <-results
		if r1.code != 0 || r2.code != 0 {
			t.Fatalf("concurrent migrate: %+v %+v", r1, r2)
		}
		both := r1.out + r2.out
		if n := strings.Count(both, "Applying polls.0001_initial"); n != 1 {
			t.Fatalf("concurrent migrate applied polls.0001 %d times:\n%s\n---\n%s", n, r1.out, r2.out)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(both, "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "Applying "); ok {
				if seen[name] {
					t.Fatalf("concurrent migrate applied %s twice:\n%s\n---\n%s", name, r1.out, r2.out)
				}
				seen[name] = true
			}
		}
		if r := run(u, "migrate"); r.code != 0 || !strings.Contains(r.out, "No migrations to apply.") {
			t.Fatalf("migrate twice: %+v", r)
		}
		e2eExec(t, u, "INSERT INTO polls_question (text) VALUES ('Lunch?')", "INSERT INTO polls_choice (question_id, text, votes) VALUES (1, 'Pizza', 3), (1, 'Soup', 1)")
	}

	// Version 2: a change needs a migration, with a rename.
	write("polls/models.go", e2eModelsV2)
	build()
	if r := run(sqliteURL, "makemigrations", "--check"); r.code != 1 {
		t.Fatalf("makemigrations --check with changed models: %+v", r)
	}
	r := run(sqliteURL, "makemigrations", "--no-input", "--rename", "polls.Choice.Votes=Count")
	if r.code != 0 || !strings.Contains(r.out, "Rename field Votes of polls.Choice to Count") {
		t.Fatalf("makemigrations with a rename: %+v", r)
	}
	build()
	if r := run(sqliteURL, "makemigrations", "--check"); r.code != 0 {
		t.Fatalf("makemigrations --check after 0002: %+v", r)
	}
	for _, u := range urls {
		if r := run(u, "migrate"); r.code != 0 || !strings.Contains(r.out, "Applying polls.0002_") {
			t.Fatalf("migrate 0002: %+v", r)
		}
		if got := e2eQuery(t, u, "SELECT text, count FROM polls_choice ORDER BY id"); got != "Pizza|3;Soup|1" {
			t.Errorf("%s: rows after 0002: %q", u, got)
		}
		if r := run(u, "showmigrations"); r.code != 0 || !strings.Contains(r.out, "[X] 0001_initial") || !strings.Contains(r.out, "[X] 0002_") {
			t.Errorf("showmigrations: %+v", r)
		}
		if r := run(u, "migrate", "polls", "zero"); r.code != 0 {
			t.Fatalf("migrate zero: %+v", r)
		}
		if r := run(u, "migrate"); r.code != 0 {
			t.Fatalf("migrate again: %+v", r)
		}
		e2eSameSchema(t, u)
	}
}

// e2eDB opens rawURL with the models of version 2 of the app.
func e2eDB(t *testing.T, rawURL string) *orm.DB {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register("polls", E2EQuestion{}, E2EChoice{}); err != nil {
		t.Fatal(err)
	}
	db, err := orm.Open(context.Background(), rawURL, r, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// E2EQuestion and E2EChoice are version 2 of the app's models, named
// apart, with the same tables.
type E2EQuestion struct {
	ID   int64
	Text string `anode:"max=200"`
	Slug string `anode:"max=50,index"`
}

func (E2EQuestion) Meta() orm.Meta { return orm.Meta{Table: "polls_question"} }

type E2EChoice struct {
	ID       int64
	Question orm.FK[E2EQuestion] `anode:"on_delete=cascade,related=choices"`
	Text     string              `anode:"max=100"`
	Count    int
}

func (E2EChoice) Meta() orm.Meta {
	return orm.Meta{Table: "polls_choice", UniqueTogether: [][]string{{"Question", "Text"}}}
}

func e2eExec(t *testing.T, rawURL string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db := e2eDB(t, rawURL)
	for _, s := range stmts {
		if _, err := db.Conn(ctx).Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func e2eQuery(t *testing.T, rawURL, query string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := e2eDB(t, rawURL).Conn(ctx).Query(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		var b int64
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+"|"+strconv.FormatInt(b, 10))
	}
	return strings.Join(out, ";")
}

// e2eSameSchema compares the migrated schema at rawURL with the schema
// version 2's models get fresh.
func e2eSameSchema(t *testing.T, rawURL string) {
	t.Helper()
	ctx := context.Background()
	freshURL := anodetest.SQLiteURL(t)
	if !strings.HasPrefix(rawURL, "sqlite:") {
		freshURL = anodetest.PostgresSchema(t, os.Getenv("ANODE_TEST_POSTGRES"))
	}
	fresh := e2eDB(t, freshURL)
	if err := fresh.CreateTables(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Introspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e2eDB(t, rawURL).Introspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The app keeps sessions in its database by default: the sessions
	// module's table is migrated too, but is not among this test's models.
	if diff := got.Without("anode_migrations", "anode_session").Diff(want); len(diff) > 0 {
		t.Errorf("%s: the migrated schema differs from a fresh one:\n%s", rawURL, strings.Join(diff, "\n"))
	}
}
