package orm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func snapTable() orm.TableSnapshot {
	return orm.TableSnapshot{
		Name: "polls_choice",
		Columns: []orm.ColumnSnapshot{
			{Name: "id", Type: "bigint", NotNull: true, Identity: true},
			{Name: "votes", Type: "integer", NotNull: true, Default: "0"},
			{Name: "question_id", Type: "bigint", NotNull: true},
		},
		PrimaryKey:  []string{"id"},
		Uniques:     []orm.UniqueSnapshot{{Name: "polls_choice_question_id_votes_uniq", Columns: []string{"question_id", "votes"}}},
		Checks:      []orm.CheckSnapshot{{Name: "votes_nonneg", Expr: "votes >= 0"}},
		ForeignKeys: []orm.ForeignKeySnapshot{{Name: "polls_choice_question_id_fk", Columns: []string{"question_id"}, RefTable: "polls_question", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
		Indexes:     []orm.IndexSnapshot{{Name: "polls_choice_question_id_idx", Terms: []string{"question_id"}}},
	}
}

func TestSchemaSnapshotDiffLines(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(t *orm.TableSnapshot)
		want   []string
	}{
		{"equal", func(*orm.TableSnapshot) {}, nil},
		{"type", func(t *orm.TableSnapshot) { t.Columns[1].Type = "bigint" },
			[]string{"table polls_choice: column votes: type bigint, want integer"}},
		{"null and default", func(t *orm.TableSnapshot) { t.Columns[1].NotNull, t.Columns[1].Default = false, "" },
			[]string{"table polls_choice: column votes: nullable, want NOT NULL", "table polls_choice: column votes: default none, want 0"}},
		{"identity", func(t *orm.TableSnapshot) { t.Columns[0].Identity = false },
			[]string{"table polls_choice: column id: identity false, want true"}},
		{"column order is not compared", func(t *orm.TableSnapshot) { slices.Reverse(t.Columns) }, nil},
		{"column missing and extra", func(t *orm.TableSnapshot) { t.Columns[1].Name = "count" },
			[]string{"table polls_choice: column votes: missing", "table polls_choice: column count: not expected"}},
		{"primary key", func(t *orm.TableSnapshot) { t.PrimaryKey = nil },
			[]string{"table polls_choice: primary key (), want (id)"}},
		{"unique columns", func(t *orm.TableSnapshot) { t.Uniques[0].Columns = []string{"votes", "question_id"} },
			[]string{"table polls_choice: unique polls_choice_question_id_votes_uniq: columns (votes, question_id), want (question_id, votes)"}},
		{"check", func(t *orm.TableSnapshot) { t.Checks[0].Expr = "votes > 0" },
			[]string{"table polls_choice: check votes_nonneg: votes > 0, want votes >= 0"}},
		{"check renamed", func(t *orm.TableSnapshot) { t.Checks[0].Name = "" },
			[]string{"table polls_choice: check votes_nonneg: missing", "table polls_choice: check (votes >= 0): not expected"}},
		{"on delete", func(t *orm.TableSnapshot) { t.ForeignKeys[0].OnDelete = "NO ACTION" },
			[]string{"table polls_choice: foreign key polls_choice_question_id_fk: on delete NO ACTION, want CASCADE"}},
		{"references", func(t *orm.TableSnapshot) { t.ForeignKeys[0].RefTable = "polls_poll" },
			[]string{"table polls_choice: foreign key polls_choice_question_id_fk: references polls_poll (id), want polls_question (id)"}},
		{"index", func(t *orm.TableSnapshot) {
			t.Indexes[0].Unique, t.Indexes[0].Where, t.Indexes[0].Terms = true, "votes > 0", []string{"lower(x)"}
		}, []string{
			"table polls_choice: index polls_choice_question_id_idx: terms (lower(x)), want (question_id)",
			"table polls_choice: index polls_choice_question_id_idx: unique true, want false",
			"table polls_choice: index polls_choice_question_id_idx: where votes > 0, want none",
		}},
		{"index missing", func(t *orm.TableSnapshot) { t.Indexes = nil },
			[]string{"table polls_choice: index polls_choice_question_id_idx: missing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := &orm.SchemaSnapshot{Tables: []orm.TableSnapshot{snapTable()}}
			got := &orm.SchemaSnapshot{Tables: []orm.TableSnapshot{snapTable()}}
			tt.change(&got.Tables[0])
			if d := got.Diff(want); !slices.Equal(d, tt.want) {
				t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(d, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestSchemaSnapshotHelpers(t *testing.T) {
	s := &orm.SchemaSnapshot{Tables: []orm.TableSnapshot{{Name: "b"}, {Name: "anode_migrations"}, snapTable()}}
	s.Tables[0].Checks = []orm.CheckSnapshot{{Expr: "z > 0"}, {Name: "named", Expr: "a > 0"}, {Expr: "a > 0"}}
	s.Sort()
	var names []string
	for _, t := range s.Tables {
		names = append(names, t.Name)
	}
	if !slices.Equal(names, []string{"anode_migrations", "b", "polls_choice"}) {
		t.Errorf("sorted tables %v", names)
	}
	if got := s.Table("b").Checks; got[0].Name != "named" || got[1].Expr != "a > 0" || got[2].Expr != "z > 0" {
		t.Errorf("checks sorted named first, then by expression: %+v", got)
	}
	if s.Table("nope") != nil || s.Table("polls_choice").Column("votes").Default != "0" || s.Table("polls_choice").Column("nope") != nil {
		t.Error("Table and Column lookups")
	}
	w := s.Without("anode_migrations")
	if len(w.Tables) != 2 || w.Table("anode_migrations") != nil || len(s.Tables) != 3 {
		t.Errorf("Without: %d tables, original %d", len(w.Tables), len(s.Tables))
	}
	if d := (&orm.SchemaSnapshot{}).Diff(&orm.SchemaSnapshot{}); d != nil {
		t.Errorf("empty schemas differ: %q", d)
	}
}

func ExampleSchemaSnapshot_Diff() {
	want := &orm.SchemaSnapshot{Tables: []orm.TableSnapshot{{
		Name:    "polls_choice",
		Columns: []orm.ColumnSnapshot{{Name: "votes", Type: "integer", NotNull: true}},
		Checks:  []orm.CheckSnapshot{{Name: "votes_nonneg", Expr: "votes >= 0"}},
	}}}
	got := &orm.SchemaSnapshot{Tables: []orm.TableSnapshot{
		{Name: "anode_migrations"},
		{Name: "polls_choice", Columns: []orm.ColumnSnapshot{{Name: "votes", Type: "bigint"}}},
	}}
	for _, line := range got.Without("anode_migrations").Diff(want) {
		fmt.Println(line)
	}
	// Output:
	// table polls_choice: column votes: type bigint, want integer
	// table polls_choice: column votes: nullable, want NOT NULL
	// table polls_choice: check votes_nonneg: missing
}
