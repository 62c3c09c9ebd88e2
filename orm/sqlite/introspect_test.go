package sqlite_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/anode-go/anode/orm"
)

// TestSchemaHandWritten reads DDL not written by the ORM: odd quoted
// names, unnamed and column-level constraints, a composite key, a
// REFERENCES clause without columns, an expression index.
func TestSchemaHandWritten(t *testing.T) {
	ctx := context.Background()
	db, d := openFile(t)
	for _, stmt := range []string{
		`CREATE TABLE "odd, (parent)" (k1 TEXT, [k 2] INTEGER, PRIMARY KEY (k1, [k 2]))`,
		`CREATE TABLE other (id INTEGER PRIMARY KEY, name TEXT UNIQUE)`,
		`CREATE TABLE "child" (
			"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
			` + "`a (b), c`" + ` VARCHAR(10) CONSTRAINT "a_uniq" UNIQUE CHECK (length(` + "`a (b), c`" + `) > 0),
			o INTEGER REFERENCES other ON DELETE SET NULL, -- unnamed, to the primary key
			p1 TEXT, p2 INTEGER DEFAULT (1 + 2),
			CONSTRAINT "ch,k" CHECK (p1 NOT IN ('x,)', 'y(')),
			CHECK (p2 < 10),
			UNIQUE (p1, p2),
			CONSTRAINT "to parent" FOREIGN KEY (p1, p2) REFERENCES "odd, (parent)" (k1, [k 2]) ON DELETE RESTRICT
		)`,
		`CREATE INDEX "child p" ON child (lower(p1), p2 DESC) WHERE p2 IS NOT NULL`,
	} {
		mustExec(t, db, stmt)
	}
	s, err := d.(orm.Introspector).Schema(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 3 || s.Tables[0].Name != "child" || s.Tables[1].Name != "odd, (parent)" || s.Tables[2].Name != "other" {
		t.Fatalf("tables %+v", s.Tables)
	}
	want := orm.TableSnapshot{
		Name: "child",
		Columns: []orm.ColumnSnapshot{
			{Name: "id", Type: "integer", NotNull: true, Identity: true},
			{Name: "a (b), c", Type: "varchar(10)"},
			{Name: "o", Type: "integer"},
			{Name: "p1", Type: "text"},
			{Name: "p2", Type: "integer", Default: "1 + 2"},
		},
		PrimaryKey: []string{"id"},
		Uniques:    []orm.UniqueSnapshot{{Name: "a_uniq", Columns: []string{"a (b), c"}}, {Columns: []string{"p1", "p2"}}},
		Checks: []orm.CheckSnapshot{
			{Name: "ch,k", Expr: "p1 not in ('x,)','y(')"},
			{Expr: `length("a (b), c") > 0`},
			{Expr: "p2 < 10"},
		},
		ForeignKeys: []orm.ForeignKeySnapshot{
			{Name: "to parent", Columns: []string{"p1", "p2"}, RefTable: "odd, (parent)", RefColumns: []string{"k1", "k 2"}, OnDelete: "RESTRICT"},
			{Columns: []string{"o"}, RefTable: "other", RefColumns: []string{"id"}, OnDelete: "SET NULL"},
		},
		Indexes: []orm.IndexSnapshot{{Name: "child p", Terms: []string{"lower(p1)", "p2 desc"}, Where: "p2 is not null"}},
	}
	if got := s.Tables[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("child:\n got %+v\nwant %+v", got, want)
	}
	if got := s.Tables[1].PrimaryKey; !reflect.DeepEqual(got, []string{"k1", "k 2"}) {
		t.Errorf("composite primary key %q", got)
	}
	if got := s.Tables[2].Uniques; !reflect.DeepEqual(got, []orm.UniqueSnapshot{{Columns: []string{"name"}}}) {
		t.Errorf("unnamed column-level unique: %+v", got)
	}
}
