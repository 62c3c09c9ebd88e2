package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

var (
	pkSpec      = orm.FieldSpec{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true}
	textSpec    = orm.FieldSpec{Name: "Text", Column: "text", Kind: orm.KindString, MaxLength: 20}
	votesSpec   = orm.FieldSpec{Name: "Votes", Column: "votes", Kind: orm.KindInt}
	qSpec       = orm.ModelSpec{Module: "polls", Name: "Question", Table: "polls_question", Fields: []orm.FieldSpec{pkSpec, textSpec}}
	tagSpec     = orm.ModelSpec{Module: "polls", Name: "Tag", Table: "polls_tag", Fields: []orm.FieldSpec{pkSpec, textSpec}}
	throughSpec = orm.ModelSpec{Module: "polls", Name: "Question_tags", Table: "polls_question_tags", Fields: []orm.FieldSpec{pkSpec,
		{Name: "Question", Column: "question_id", Kind: orm.KindForeignKey, Related: "polls.Question", OnDelete: orm.Cascade},
		{Name: "Tag", Column: "tag_id", Kind: orm.KindForeignKey, Related: "polls.Tag", OnDelete: orm.Cascade}},
		UniqueTogether: [][]string{{"Question", "Tag"}}}
	cSpec = orm.ModelSpec{Module: "polls", Name: "Choice", Table: "polls_choice", Fields: []orm.FieldSpec{pkSpec,
		{Name: "Question", Column: "question_id", Kind: orm.KindForeignKey, Related: "polls.Question", OnDelete: orm.Cascade},
		textSpec, votesSpec}}
)

// evolution is a module's history exercising every schema operation.
func evolution() []*migrate.Migration {
	longer := textSpec
	longer.MaxLength = 200
	nullText := longer
	nullText.Null = true
	return []*migrate.Migration{
		{Name: "0001_initial", Operations: []migrate.Operation{
			migrate.CreateModel{Model: qSpec}, migrate.CreateModel{Model: cSpec}, migrate.CreateModel{Model: tagSpec},
		}},
		{Name: "0002_changes", Dependencies: []string{"polls.0001_initial"}, Operations: []migrate.Operation{
			migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50}},
			migrate.AddField{Model: "polls.Choice", Field: orm.FieldSpec{Name: "Note", Column: "note", Kind: orm.KindText, Null: true}},
			migrate.AlterField{Model: "polls.Choice", Field: longer},
			migrate.RenameField{Model: "polls.Choice", Name: "Votes", NewName: "Count", NewColumn: "count"},
			migrate.AddIndex{Model: "polls.Question", Index: orm.Index{Fields: []string{"Slug"}}},
			migrate.AddConstraint{Model: "polls.Choice", Unique: []string{"Question", "Text"}},
			migrate.AddConstraint{Model: "polls.Choice", Check: &orm.Check{Name: "polls_choice_count_gte_0", Cond: orm.Q("count__gte", 0)}},
			migrate.CreateModel{Model: throughSpec}, // a many-to-many field Tags added to Question
		}},
		{Name: "0003_more", Dependencies: []string{"polls.0002_changes"}, Operations: []migrate.Operation{
			migrate.RenameModel{Model: "polls.Question", NewName: "Poll"},
			migrate.AlterField{Model: "polls.Poll", Field: nullText},
			migrate.RemoveField{Model: "polls.Choice", Name: "Note"},
			migrate.AlterModelTable{Model: "polls.Choice", Table: "polls_answer"},
		}},
	}
}

func evolutionGraph(t *testing.T, ms []*migrate.Migration) *migrate.Graph {
	t.Helper()
	g, err := migrate.NewGraph([]migrate.Source{{Module: "polls", Migrations: ms}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// query returns the rows of a query as text, "a|b;c|d".
func query(t *testing.T, db *orm.DB, sql string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Conn(ctx).Query(ctx, sql)
	if err != nil {
		return "error: " + err.Error()
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b any
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(strings.ReplaceAll(toText(a)+"|"+toText(b), "\n", " ")))
	}
	if err := rows.Err(); err != nil {
		return "error: " + err.Error()
	}
	return strings.Join(out, ";")
}

func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case string:
		return x
	case int64:
		return itoa(x)
	}
	return "?"
}

func itoa(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func isIntegrity(err error) bool {
	var ie *orm.IntegrityError
	return errors.As(err, &ie)
}

func exec(t *testing.T, db *orm.DB, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	for _, s := range stmts {
		if _, err := db.Conn(ctx).Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestSchemaEvolution applies a history of schema operations to a table
// with rows, on both databases: the rows survive every step, the new
// constraints hold, and unapplying to zero and applying again works.
func TestSchemaEvolution(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		mig, err := migrate.NewMigrator(db, evolutionGraph(t, evolution()), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mig.Migrate(ctx, migrate.Target{Module: "polls", Name: "0001_initial"}); err != nil {
			t.Fatal(err)
		}
		assertSchema(t, db, rawURL, "polls", evolution()[:1])
		exec(t, db,
			"INSERT INTO polls_question (text) VALUES ('Lunch?'), ('Dinner?')",
			"INSERT INTO polls_choice (question_id, text, votes) VALUES (1, 'Pizza', 3), (1, 'Soup', 0), (2, 'Fish', 7)")

		if _, err := mig.Migrate(ctx, migrate.Target{Module: "polls", Name: "0002_changes"}); err != nil {
			t.Fatal(err)
		}
		assertSchema(t, db, rawURL, "polls", evolution()[:2])
		if got, want := query(t, db, "SELECT text, count FROM polls_choice ORDER BY id"), "Pizza|3;Soup|0;Fish|7"; got != want {
			t.Errorf("after 0002: choices %q, want %q", got, want)
		}
		if got, want := query(t, db, "SELECT text, slug FROM polls_question ORDER BY id"), "Lunch?|;Dinner?|"; got != want {
			t.Errorf("after 0002: questions %q, want %q (the new NOT NULL column filled with '')", got, want)
		}
		for _, bad := range []string{
			"INSERT INTO polls_choice (question_id, text, count) VALUES (1, 'Pizza', 1)",                           // unique (question, text)
			"INSERT INTO polls_choice (question_id, text, count) VALUES (1, 'Salad', -1)",                          // check
			"INSERT INTO polls_choice (question_id, text, count) VALUES (1, '" + strings.Repeat("x", 30) + "', 1)", // fits 200 now
		} {
			_, err := db.Conn(ctx).Exec(ctx, bad)
			fits := strings.Contains(bad, "xxx")
			if fits && err != nil {
				t.Errorf("%s: %v (max length 200)", bad, err)
			}
			if !fits && !isIntegrity(err) {
				t.Errorf("%s: %v, want an integrity error", bad, err)
			}
		}
		exec(t, db, "DELETE FROM polls_choice WHERE text LIKE 'xxx%'",
			"INSERT INTO polls_tag (text) VALUES ('food')",
			"INSERT INTO polls_question_tags (question_id, tag_id) VALUES (1, 1), (2, 1)")
		if _, err := db.Conn(ctx).Exec(ctx, "INSERT INTO polls_question_tags (question_id, tag_id) VALUES (1, 1)"); !isIntegrity(err) {
			t.Errorf("a second link of question 1 and tag 1: %v, want an integrity error", err)
		}

		if _, err := mig.Migrate(ctx, migrate.Target{}); err != nil {
			t.Fatal(err)
		}
		assertSchema(t, db, rawURL, "polls", evolution())
		if got, want := query(t, db, "SELECT text, count FROM polls_answer ORDER BY id"), "Pizza|3;Soup|0;Fish|7"; got != want {
			t.Errorf("after 0003: choices %q, want %q", got, want)
		}
		if got, want := query(t, db, "SELECT text, slug FROM polls_poll ORDER BY id"), "Lunch?|;Dinner?|"; got != want {
			t.Errorf("after 0003: polls %q, want %q", got, want)
		}
		// The foreign key follows the renamed table and still cascades.
		exec(t, db, "INSERT INTO polls_poll (text, slug) VALUES (NULL, 'null-text')", "DELETE FROM polls_poll WHERE id = 2")
		if got, want := query(t, db, "SELECT text, count FROM polls_answer ORDER BY id"), "Pizza|3;Soup|0"; got != want {
			t.Errorf("after deleting poll 2: choices %q, want %q", got, want)
		}
		if got, want := query(t, db, "SELECT question_id, tag_id FROM polls_question_tags ORDER BY id"), "1|1"; got != want {
			t.Errorf("after deleting poll 2: tag links %q, want %q", got, want)
		}
		if _, err := db.Conn(ctx).Exec(ctx, "INSERT INTO polls_answer (question_id, text, count) VALUES (99, 'Orphan', 1)"); !isIntegrity(err) {
			t.Errorf("a choice of a missing poll: %v, want an integrity error", err)
		}

		// Back to 0001: the rows of surviving columns are kept, and the NULL
		// text, NOT NULL again, becomes the zero value.
		if _, err := mig.Migrate(ctx, migrate.Target{Module: "polls", Name: "0001_initial"}); err != nil {
			t.Fatal(err)
		}
		if got, want := query(t, db, "SELECT text, votes FROM polls_choice ORDER BY id"), "Pizza|3;Soup|0"; got != want {
			t.Errorf("back at 0001: choices %q, want %q", got, want)
		}
		if got, want := query(t, db, "SELECT id, text FROM polls_question ORDER BY id"), "1|Lunch?;3|"; got != want {
			t.Errorf("back at 0001: questions %q, want %q", got, want)
		}
		assertSchema(t, db, rawURL, "polls", evolution()[:1])
		if _, err := mig.Migrate(ctx, migrate.Target{Module: "polls", Name: "zero"}); err != nil {
			t.Fatal(err)
		}
		if got := query(t, db, "SELECT id, id FROM polls_question"); !strings.HasPrefix(got, "error:") {
			t.Errorf("after zero the table is still there: %q", got)
		}
		if _, err := mig.Migrate(ctx, migrate.Target{}); err != nil {
			t.Fatalf("forward again: %v", err)
		}
		assertSchema(t, db, rawURL, "polls", evolution())
		if got := query(t, db, "SELECT text, count FROM polls_answer"); got != "" {
			t.Errorf("forward again: %q, want an empty table", got)
		}
	})
}

// TestSQL checks sqlmigrate's statements: what applying would run, nothing
// run.
func TestSQL(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		mig, err := migrate.NewMigrator(db, evolutionGraph(t, evolution()), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := mig.SQL(ctx, migrate.Key{Module: "polls", Name: "0001_initial"}, false)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(stmts, ";\n")
		q := db.Dialect().QuoteIdent
		for _, want := range []string{"CREATE TABLE " + q("polls_question"), "CREATE TABLE " + q("polls_choice"), "FOREIGN KEY (" + q("question_id") + ")"} {
			if !strings.Contains(text, want) {
				t.Errorf("0001 SQL lacks %q:\n%s", want, text)
			}
		}
		if got := query(t, db, "SELECT id, text FROM polls_question"); !strings.HasPrefix(got, "error:") {
			t.Errorf("sqlmigrate created the table: %q", got)
		}
		stmts, err = mig.SQL(ctx, migrate.Key{Module: "polls", Name: "0003_more"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(stmts, ";\n"); !strings.Contains(text, q("polls_question")) || !strings.Contains(text, q("polls_answer")) {
			t.Errorf("0003 backward SQL does not rename the tables back:\n%s", text)
		}
		if _, err := mig.SQL(ctx, migrate.Key{Module: "polls", Name: "0009_nope"}, false); err == nil || !strings.Contains(err.Error(), "0009_nope") {
			t.Errorf("unknown migration: %v", err)
		}
	})
}

// TestBrokenMigration checks that a migration whose operations cannot
// apply is reported with its file before anything runs, and that a
// migration failing in the database leaves the schema as it was.
func TestBrokenMigration(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		ms := append(evolution()[:1], &migrate.Migration{Name: "0002_broken", Dependencies: []string{"polls.0001_initial"}, Operations: []migrate.Operation{
			migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50}},
			migrate.RemoveField{Model: "polls.Nope", Name: "Text"},
		}})
		mig, err := migrate.NewMigrator(db, evolutionGraph(t, ms), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = mig.Migrate(ctx, migrate.Target{})
		var se *migrate.StateError
		if !errors.As(err, &se) || se.Key.Name != "0002_broken" || se.Index != 1 || !strings.Contains(err.Error(), "polls/migrations/0002_broken.go") || !strings.Contains(err.Error(), "polls.Nope") {
			t.Fatalf("broken migration: %v", err)
		}
		if got := query(t, db, "SELECT id, text FROM polls_question"); !strings.HasPrefix(got, "error:") {
			t.Errorf("0001 was applied although 0002 is broken: %q", got)
		}

		// A failure in the database rolls its migration back whole.
		ms = append(evolution()[:1], &migrate.Migration{Name: "0002_fails", Dependencies: []string{"polls.0001_initial"}, Operations: []migrate.Operation{
			migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50}},
			migrate.AddConstraint{Model: "polls.Question", Unique: []string{"Text", "Slug"}},
			migrate.RunSQL{SQL: []string{"INSERT INTO polls_question (text, slug) VALUES ('a', 'x')", "INSERT INTO polls_question (text, slug) VALUES ('a', 'x')"}},
		}})
		mig, err = migrate.NewMigrator(db, evolutionGraph(t, ms), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = mig.Migrate(ctx, migrate.Target{})
		var oe *migrate.OpError
		if !errors.As(err, &oe) || oe.Key.Name != "0002_fails" || oe.Index != 2 || !isIntegrity(err) || !strings.Contains(err.Error(), "polls/migrations/0002_fails.go") {
			t.Fatalf("failing migration: %v", err)
		}
		if got := query(t, db, "SELECT id, text FROM polls_question"); got != "" {
			t.Errorf("0001 should be applied with an empty table: %q", got)
		}
		if got := query(t, db, "SELECT id, slug FROM polls_question"); !strings.HasPrefix(got, "error:") {
			t.Errorf("the slug column of the failed migration is still there: %q", got)
		}
		applied, err := mig.Applied(ctx)
		if err != nil || !applied[migrate.Key{Module: "polls", Name: "0001_initial"}] || applied[migrate.Key{Module: "polls", Name: "0002_fails"}] {
			t.Errorf("history after the failure: %v, %v", applied, err)
		}
	})
}

// freshURL returns an empty database of the same kind as rawURL.
func freshURL(t *testing.T, rawURL string) string {
	t.Helper()
	if strings.HasPrefix(rawURL, "sqlite:") {
		return anodetest.SQLiteURL(t)
	}
	return anodetest.PostgresSchema(t, anodetest.Service(t, "ANODE_TEST_POSTGRES"))
}

// assertSchema checks that db's schema equals the schema created fresh,
// in a database of the same kind, from the models ms leave: the migrated
// schema is the one the final models would get.
func assertSchema(t *testing.T, db *orm.DB, rawURL string, module string, ms []*migrate.Migration) {
	t.Helper()
	g, err := migrate.NewGraph([]migrate.Source{{Module: module, Migrations: ms}})
	if err != nil {
		t.Fatal(err)
	}
	state, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	r, err := orm.NewRegistryFromSpecs(state.Models())
	if err != nil {
		t.Fatal(err)
	}
	assertSchemaOf(t, db, rawURL, r, ms[len(ms)-1].Name)
}

// assertSchemaOf checks that db's schema equals the schema r's models get
// in a fresh database of the same kind.
func assertSchemaOf(t *testing.T, db *orm.DB, rawURL string, r *orm.Registry, when string) {
	t.Helper()
	ctx := context.Background()
	fresh, err := orm.Open(ctx, freshURL(t, rawURL), r, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := fresh.CreateTables(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Introspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Introspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := got.Without("anode_migrations").Diff(want); len(diff) > 0 {
		t.Errorf("after %s: the migrated schema differs from a fresh one:\n%s", when, strings.Join(diff, "\n"))
	}
}
