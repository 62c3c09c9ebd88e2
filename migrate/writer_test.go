package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"go/format"
	"go/parser"
	"go/token"
	"math"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

// generated is the time written into the files' headers.
var generated = time.Date(2026, time.March, 1, 14, 5, 0, 0, time.UTC)

// everyOperation is one migration's worth of every operation type, every
// kind and every type of default and condition value the writer renders.
func everyOperation() []migrate.Operation {
	fields := []orm.FieldSpec{
		{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true},
		{Name: "Open", Column: "open", Kind: orm.KindBool, Default: true, DBDefault: false},
		{Name: "Votes", Column: "votes", Kind: orm.KindInt, Index: true, Default: int64(5), DBDefault: int64(-3)},
		{Name: "Score", Column: "score", Kind: orm.KindFloat, Default: 1.5, DBDefault: float64(2)},
		{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50, Unique: true, Default: "a \"b\"\n"},
		{Name: "Body", Column: "body", Kind: orm.KindText, Null: true},
		{Name: "Blob", Column: "blob", Kind: orm.KindBytes, Null: true, Default: []byte("\x00hi")},
		{Name: "At", Column: "at", Kind: orm.KindTime, Default: time.Date(2026, time.February, 3, 4, 5, 6, 7, time.UTC), DBDefault: orm.DBNow},
		{Name: "Took", Column: "took", Kind: orm.KindDuration, Default: 90 * time.Minute, DBDefault: time.Duration(1500)},
		{Name: "Price", Column: "price", Kind: orm.KindDecimal, Digits: 8, Places: 2, Default: orm.MustDecimal("1.50")},
		{Name: "Key", Column: "key", Kind: orm.KindUUID, Default: orm.MustUUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")},
		{Name: "Day", Column: "day", Kind: orm.KindDate, Default: orm.Date{Year: 2026, Month: time.March, Day: 1}},
		{Name: "Opens", Column: "opens", Kind: orm.KindTimeOfDay, Default: orm.TimeOfDay{Hour: 9, Minute: 30, Microsecond: 5}},
		{Name: "Extra", Column: "extra", Kind: orm.KindJSON, Null: true},
		{Name: "Author", Column: "author_id", Kind: orm.KindForeignKey, Related: "auth.User", OnDelete: orm.SetNull, Null: true, OneToOne: true},
	}
	check := orm.Check{Name: "polls_question_votes", Cond: orm.Or(
		orm.And(orm.Q("votes__gte", int64(0)), orm.Q("votes__lte", orm.F("score").Mul(2).Add(int64(1)))),
		orm.Not(orm.Q("slug__in", []string{"a", "b"})),
		orm.Q("price__gt", orm.MustDecimal("0.01")),
		orm.Q("score__lt", float32(0.25)),
	)}
	return []migrate.Operation{
		migrate.CreateModel{Model: orm.ModelSpec{
			Module: "polls", Name: "Question", Table: "polls_question", Fields: fields,
			UniqueTogether: [][]string{{"Slug", "Day"}},
			Indexes: []orm.Index{
				{Fields: []string{"Votes", "Score"}},
				{Name: "polls_question_open_slug", Fields: []string{"Lower(Slug)"}, Unique: true, Where: orm.Q("open", true)},
			},
			Checks: []orm.Check{check},
		}},
		migrate.DeleteModel{Model: "polls.Old"},
		migrate.RenameModel{Model: "polls.Poll", NewName: "Survey"},
		migrate.AlterModelTable{Model: "polls.Survey", Table: "surveys"},
		migrate.AddField{Model: "polls.Survey", Field: orm.FieldSpec{Name: "Rank", Column: "rank", Kind: orm.KindInt, Default: 7}},
		migrate.RemoveField{Model: "polls.Survey", Name: "Rank"},
		migrate.AlterField{Model: "polls.Choice", Field: orm.FieldSpec{Name: "Question", Column: "question_id", Kind: orm.KindForeignKey, Related: "polls.Question", OnDelete: orm.Cascade}},
		migrate.RenameField{Model: "polls.Choice", Name: "Votes", NewName: "Count", NewColumn: "count"},
		migrate.AddIndex{Model: "polls.Choice", Index: orm.Index{Fields: []string{"Count"}, Where: orm.Q("count__gt", 0)}},
		migrate.RemoveIndex{Model: "polls.Choice", Index: orm.Index{Name: "polls_choice_old"}},
		migrate.AddConstraint{Model: "polls.Choice", Unique: []string{"Question", "Count"}},
		migrate.AddConstraint{Model: "polls.Choice", Check: &orm.Check{Name: "polls_choice_count", Cond: orm.Q("count__gte", 0)}},
		migrate.RemoveConstraint{Model: "polls.Choice", Check: &orm.Check{Name: "polls_choice_old"}},
		migrate.RemoveConstraint{Model: "polls.Choice", Unique: []string{"Question", "Text"}},
		migrate.RunSQL{SQL: []string{"CREATE VIEW v AS SELECT 1", "SELECT `x`"}, Reverse: []string{}, Dialect: "postgres"},
		migrate.RunSQL{SQL: []string{"VACUUM"}},
		migrate.RunGo{Name: "no-op", Reverse: migrate.Noop},
	}
}

type wrStatus string

// WrAuthor and WrBook are models whose specs the round trip writes: what
// the autodetector will hand the writer, defaults reduced by the ORM.
type WrAuthor struct {
	ID   orm.UUID
	Name string `anode:"max=100,unique"`
}

type WrBook struct {
	ID      int64
	Title   string                      `anode:"max=200,index"`
	Status  wrStatus                    `anode:"max=10,default=draft,db_default=draft"`
	Pages   *int64                      `anode:"default=100"`
	Rating  orm.Null[float64]           `anode:"default=2.5"`
	Price   orm.Decimal                 `anode:"digits=8,places=2,default=9.99,db_default=0.00"`
	Loan    time.Duration               `anode:"default=336h,db_default=1h"`
	Added   time.Time                   `anode:"db_default=now"`
	Day     orm.Null[orm.Date]          `anode:"default=2026-01-02"`
	Opens   orm.TimeOfDay               `anode:"db_default=09:30"`
	Author  orm.Ref[WrAuthor, orm.UUID] `anode:"on_delete=protect"`
	Extra   orm.JSON[map[string]int]
	Deleted bool `anode:"default=false"`
}

func (WrBook) Meta() orm.Meta {
	return orm.Meta{
		UniqueTogether: [][]string{{"Title", "Author"}},
		Indexes:        []orm.Index{{Name: "wr_book_title_live", Fields: []string{"Lower(Title)"}, Unique: true, Where: orm.Q("Deleted", false)}},
		Checks: []orm.Check{
			{Name: "wr_book_price", Cond: orm.And(orm.Q("Price__gte", orm.MustDecimal("0")), orm.Q("Pages__lte", 5000))},
			{Name: "wr_book_status", Cond: orm.Q("Status__in", []wrStatus{"draft", "published"})},
		},
	}
}

// modelOperations creates WrAuthor and WrBook from their models' specs.
func modelOperations(t *testing.T) []migrate.Operation {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register("library", &WrAuthor{}, &WrBook{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Resolve(); err != nil {
		t.Fatal(err)
	}
	var ops []migrate.Operation
	for _, label := range []string{"library.WrAuthor", "library.WrBook"} {
		m, _ := r.ByLabel(label)
		ops = append(ops, migrate.CreateModel{Model: m.Spec()})
	}
	return ops
}

// checkSource fails unless src is gofmt'ed Go that parses.
func checkSource(t *testing.T, src []byte) {
	t.Helper()
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatalf("output does not format: %v\n%s", err, src)
	}
	if !bytes.Equal(formatted, src) {
		t.Errorf("output is not gofmt-clean:\n%s", src)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "m.go", src, parser.AllErrors); err != nil {
		t.Errorf("output does not parse: %v", err)
	}
}

func write(t *testing.T, ops ...migrate.Operation) string {
	t.Helper()
	src, err := migrate.WriteFile(&migrate.Migration{Name: "0002_change", Dependencies: []string{"polls.0001_initial"}, Operations: ops}, generated)
	if err != nil {
		t.Fatal(err)
	}
	checkSource(t, src)
	return string(src)
}

func TestWriteFileOperations(t *testing.T) {
	ops := everyOperation()
	cases := []struct {
		op   migrate.Operation
		want []string
	}{
		{ops[0], []string{
			"migrate.CreateModel{\n\t\t\t\tModel: orm.ModelSpec{\n\t\t\t\t\tModule: \"polls\",",
			"\t\t\t\t\t\t{Name: \"ID\", Column: \"id\", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true},\n",
			`{Name: "Open", Column: "open", Kind: orm.KindBool, Default: true, DBDefault: false},`,
			`Kind: orm.KindInt, Index: true, Default: int64(5), DBDefault: int64(-3)},`,
			`Kind: orm.KindFloat, Default: 1.5, DBDefault: 2.0},`,
			`Kind: orm.KindString, Unique: true, MaxLength: 50, Default: "a \"b\"\n"},`,
			`{Name: "Body", Column: "body", Kind: orm.KindText, Null: true},`,
			`Kind: orm.KindBytes, Null: true, Default: []byte("\x00hi")},`,
			`Default: time.Date(2026, time.February, 3, 4, 5, 6, 7, time.UTC), DBDefault: orm.DBNow`,
			`Kind: orm.KindDuration, Default: 90 * time.Minute, DBDefault: time.Duration(1500)},`,
			`Kind: orm.KindDecimal, Digits: 8, Places: 2, Default: orm.MustDecimal("1.50")},`,
			`Default: orm.MustUUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")},`,
			`Default: orm.Date{Year: 2026, Month: time.March, Day: 1}},`,
			`Default: orm.TimeOfDay{Hour: 9, Minute: 30, Microsecond: 5}},`,
			`Kind: orm.KindJSON, Null: true},`,
			`Kind: orm.KindForeignKey, Null: true, Related: "auth.User", OnDelete: orm.SetNull, OneToOne: true`,
			`UniqueTogether: [][]string{{"Slug", "Day"}},`,
			`{Fields: []string{"Votes", "Score"}},`,
			`{Name: "polls_question_open_slug", Fields: []string{"Lower(Slug)"}, Unique: true, Where: orm.Q("open", true)},`,
			`Cond: orm.Or(orm.And(orm.Q("votes__gte", int64(0)), orm.Q("votes__lte", orm.F("score").Mul(2).Add(int64(1)))), ` +
				`orm.Not(orm.Q("slug__in", []string{"a", "b"})), orm.Q("price__gt", orm.MustDecimal("0.01")), orm.Q("score__lt", float32(0.25)))`,
		}},
		{ops[1], []string{"migrate.DeleteModel{\n\t\t\t\tModel: \"polls.Old\",\n\t\t\t},"}},
		{ops[2], []string{"migrate.RenameModel{\n\t\t\t\tModel:   \"polls.Poll\",\n\t\t\t\tNewName: \"Survey\",\n\t\t\t},"}},
		{ops[3], []string{"migrate.AlterModelTable{\n\t\t\t\tModel: \"polls.Survey\",\n\t\t\t\tTable: \"surveys\",\n"}},
		{ops[4], []string{`Field: orm.FieldSpec{Name: "Rank", Column: "rank", Kind: orm.KindInt, Default: 7},`}},
		{ops[5], []string{"migrate.RemoveField{\n\t\t\t\tModel: \"polls.Survey\",\n\t\t\t\tName:  \"Rank\",\n"}},
		{ops[6], []string{"migrate.AlterField{", `Kind: orm.KindForeignKey, Related: "polls.Question", OnDelete: orm.Cascade`}},
		{ops[7], []string{"migrate.RenameField{", "NewName:   \"Count\",", "NewColumn: \"count\","}},
		{ops[8], []string{"migrate.AddIndex{", `Index: orm.Index{Fields: []string{"Count"}, Where: orm.Q("count__gt", 0)},`}},
		{ops[9], []string{"migrate.RemoveIndex{", `Index: orm.Index{Name: "polls_choice_old"},`}},
		{ops[10], []string{"migrate.AddConstraint{", `Unique: []string{"Question", "Count"},`}},
		{ops[11], []string{"migrate.AddConstraint{", `Check: &orm.Check{Name: "polls_choice_count", Cond: orm.Q("count__gte", 0)},`}},
		{ops[12], []string{"migrate.RemoveConstraint{", `Check: &orm.Check{Name: "polls_choice_old"},`}},
		{ops[13], []string{"migrate.RemoveConstraint{", `Unique: []string{"Question", "Text"},`}},
		{ops[14], []string{"migrate.RunSQL{", "SQL:     []string{\"CREATE VIEW v AS SELECT 1\", \"SELECT `x`\"},", "Reverse: []string{},", `Dialect: "postgres",`}},
		{ops[15], []string{"migrate.RunSQL{\n\t\t\t\tSQL: []string{\"VACUUM\"},\n\t\t\t},"}},
		{ops[16], []string{"migrate.RunGo{\n\t\t\t\tName:    \"no-op\",\n\t\t\t\tReverse: migrate.Noop,\n\t\t\t},"}},
	}
	if len(cases) != len(ops) {
		t.Fatalf("%d cases for %d operations", len(cases), len(ops))
	}
	all := oneSpace(write(t, ops...))
	for k := orm.KindBool; k <= orm.KindJSON; k++ {
		name := k.GoString()
		if strings.HasPrefix(name, "orm.Kind(") || !strings.Contains(all, "Kind: "+name+",") {
			t.Errorf("kind %s (%s) is not written by name", k, name)
		}
	}
	for _, c := range cases {
		t.Run(c.op.Describe(), func(t *testing.T) {
			src := write(t, c.op)
			for _, w := range c.want {
				// Spacing is gofmt's (alignment); TestWriteFileLayout pins it.
				if !strings.Contains(oneSpace(src), oneSpace(w)) {
					t.Errorf("output lacks %q:\n%s", w, src)
				}
			}
		})
	}
}

// oneSpace replaces each run of white space in s with one space.
func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestWriteFileLayout pins a whole file: header, imports (only those
// used), layout.
func TestWriteFileLayout(t *testing.T) {
	src := write(t, migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50}},
		migrate.RemoveField{Model: "polls.Question", Name: "Old"})
	want := `// Code generated by makemigrations on 2026-03-01 14:05 UTC; review it, and edit it only to add data migrations.

package migrations

import (
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

func init() {
	All = append(All, &migrate.Migration{
		Name:         "0002_change",
		Dependencies: []string{"polls.0001_initial"},
		Operations: []migrate.Operation{
			migrate.AddField{
				Model: "polls.Question",
				Field: orm.FieldSpec{Name: "Slug", Column: "slug", Kind: orm.KindString, MaxLength: 50},
			},
			migrate.RemoveField{
				Model: "polls.Question",
				Name:  "Old",
			},
		},
	})
}
`
	if src != want {
		t.Errorf("got\n%s\nwant\n%s", src, want)
	}
	// Imports follow use: no orm without specs, time with a duration.
	for _, c := range []struct {
		op      migrate.Operation
		imports string
	}{
		{migrate.DeleteModel{Model: "polls.Old"}, "\nimport \"github.com/anode-go/anode/migrate\"\n\nfunc init() {\n"},
		{migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "T", Column: "t", Kind: orm.KindDuration, Default: time.Second}},
			"import (\n\t\"time\"\n\n\t\"github.com/anode-go/anode/migrate\"\n\t\"github.com/anode-go/anode/orm\"\n)\n"},
	} {
		if src := write(t, c.op); !strings.Contains(src, c.imports) {
			t.Errorf("%s: want imports\n%s\ngot\n%s", c.op.Describe(), c.imports, src)
		}
	}
}

func TestWriteFileLongFieldSpec(t *testing.T) {
	src := write(t, migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{
		Name: "Author", Column: "author_id", Kind: orm.KindForeignKey, Related: "auth.User", OnDelete: orm.SetDefault, Default: int64(1), Index: true}})
	want := "\t\t\t\tField: orm.FieldSpec{\n\t\t\t\t\tName:     \"Author\",\n"
	if !strings.Contains(src, want) {
		t.Errorf("a field spec too long for a line is not one field per line:\n%s", src)
	}
}

func TestEmptyMigration(t *testing.T) {
	m := migrate.EmptyMigration("0003_fill_slugs", []string{"polls.0002_add_slug"})
	src, err := migrate.WriteFile(m, generated)
	if err != nil {
		t.Fatal(err)
	}
	checkSource(t, src)
	for _, w := range []string{
		"\t\t\t// A data migration: replace migrate.Noop in Forward with a function of\n",
		"\t\t\t//\tfunc fillSlugs(ctx context.Context, env *migrate.Env) error {\n",
		"\t\t\tmigrate.RunGo{\n\t\t\t\tName:    \"describe the data change\",\n\t\t\t\tForward: migrate.Noop,\n\t\t\t\tReverse: migrate.Noop,\n",
		`Dependencies: []string{"polls.0002_add_slug"},`,
	} {
		if !strings.Contains(string(src), w) {
			t.Errorf("output lacks %q:\n%s", w, src)
		}
	}
	// The placeholder runs: both functions are Noop.
	rg := m.Operations[0].(migrate.RunGo)
	if rg.Forward(context.Background(), nil) != nil || rg.Reverse(context.Background(), nil) != nil {
		t.Error("the placeholder's functions are not no-ops")
	}
}

func TestPackageFile(t *testing.T) {
	checkSource(t, migrate.PackageFile("bad\nname */"))
	src := migrate.PackageFile("polls")
	checkSource(t, src)
	for _, w := range []string{
		"// Package migrations holds the migrations of module polls, generated by makemigrations.\npackage migrations\n",
		"import \"github.com/anode-go/anode/migrate\"\n",
		"\nvar All []*migrate.Migration\n",
	} {
		if !strings.Contains(string(src), w) {
			t.Errorf("output lacks %q:\n%s", w, src)
		}
	}
}

func TestWriteFileErrors(t *testing.T) {
	fill := func(context.Context, *migrate.Env) error { return nil }
	addDefault := func(v any) migrate.Operation {
		return migrate.AddField{Model: "polls.Question", Field: orm.FieldSpec{Name: "X", Column: "x", Kind: orm.KindJSON, Default: v}}
	}
	op := func(o migrate.Operation) *migrate.Migration {
		return &migrate.Migration{Name: "0002_change", Operations: []migrate.Operation{migrate.DeleteModel{Model: "polls.A"}, o}}
	}
	cases := []struct {
		name string
		m    *migrate.Migration
		want string
	}{
		{"nil", nil, "nil migration"},
		{"name", &migrate.Migration{Name: "2_Change"}, `migration "2_Change": want a name like 0002_add_slug`},
		{"dependency", &migrate.Migration{Name: "0002_change", Dependencies: []string{"0001_initial"}}, "0002_change: dependency: migrate: \"0001_initial\" is not a migration reference"},
		{"nil operation", op(nil), "0002_change: operation 2 is nil"},
		{"RunGo forward", op(migrate.RunGo{Name: "fill", Forward: fill}), "operation 2 (Go code: fill): RunGo Forward is a function other than migrate.Noop"},
		{"RunGo reverse", op(migrate.RunGo{Name: "fill", Forward: migrate.Noop, Reverse: fill}), "operation 2 (Go code: fill): RunGo Reverse is a function"},
		{"map default", op(addDefault(map[string]any{"a": 1})), "operation 2 (Add field X to polls.Question): Field: Default: orm: no Go source for a value of type map[string]interface {}"},
		{"NaN", op(addDefault(math.NaN())), "Field: Default: orm: no Go constant for the float NaN"},
		{"pointer", op(addDefault(new(int))), "no Go source for a value of type *int"},
		{"condition value", op(migrate.AddConstraint{Model: "polls.A", Check: &orm.Check{Name: "c", Cond: orm.Q("x", struct{}{})}}),
			"operation 2 (Add constraint c to polls.A): Check: Cond: orm: no Go source for a value of type struct {} (in the condition on x)"},
		{"index condition", op(migrate.AddIndex{Model: "polls.A", Index: orm.Index{Fields: []string{"X"}, Where: orm.Q("x__in", []chan int{nil})}}),
			"Index: Where: orm: no Go source for a value of type []chan int: unsupported element type chan int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := migrate.WriteFile(c.m, generated)
			if err == nil {
				t.Fatalf("no error; wrote\n%s", src)
			}
			if src != nil {
				t.Error("source returned with the error")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "migrate: ") {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

// TestWriteFileCompiles writes migrations into a throwaway module that
// uses this repository, compiles and runs it, and checks that writing the
// compiled migrations again gives the same files byte for byte: the
// written source means exactly the values it was written from.
func TestWriteFileCompiles(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	mustWrite := func(name string, data []byte) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite("go.mod", []byte("module example.com/roundtrip\n\ngo 1.26\n\nrequire github.com/anode-go/anode v0.0.0\n\nreplace github.com/anode-go/anode => "+strconv.Quote(root)+"\n"))
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		mustWrite("go.sum", sum)
	}
	mustWrite("migrations/migrations.go", migrate.PackageFile("polls"))
	ms := []*migrate.Migration{
		{Name: "0001_initial", Operations: everyOperation()},
		migrate.EmptyMigration("0002_data", []string{"polls.0001_initial", "auth.0001_initial"}),
		{Name: "0003_nothing", Dependencies: []string{}, Operations: []migrate.Operation{}},
		{Name: "0004_from_models", Dependencies: []string{"polls.0003_nothing"}, Operations: modelOperations(t)},
	}
	var want bytes.Buffer
	for _, m := range ms {
		src, err := migrate.WriteFile(m, generated)
		if err != nil {
			t.Fatal(err)
		}
		mustWrite("migrations/"+m.Name+".go", src)
		want.Write(src)
		want.WriteString("----\n")
	}
	mustWrite("main.go", []byte(`package main

import (
	"fmt"
	"os"
	"time"

	"example.com/roundtrip/migrations"
	"github.com/anode-go/anode/migrate"
)

func main() {
	generated, _ := time.Parse(time.RFC3339, os.Args[1])
	for _, m := range migrations.All {
		src, err := migrate.WriteFile(m, generated)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(string(src), "----\n")
	}
}
`))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := osexec.CommandContext(ctx, "go", "run", ".", generated.Format(time.RFC3339))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the compiled migrations write different source:\n%s\nwant\n%s", got, want.Bytes())
	}
}

// repoRoot is the directory of this module's go.mod, above the test's
// working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module github.com/anode-go/anode\n") {
			return dir
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of github.com/anode-go/anode above the working directory")
		}
		dir = parent
	}
}
