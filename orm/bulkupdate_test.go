package orm_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/anode-go/anode/orm"
)

type QryTag struct {
	ID    int64
	Slug  string `anode:"max=30,unique"`
	Name  string `anode:"max=30"`
	Uses  int
	Score *float64
}

func (QryTag) Meta() orm.Meta { return orm.Meta{UniqueTogether: [][]string{{"Name", "Uses"}}} }

type QryPrice struct {
	ID     int64
	Amount orm.Decimal `anode:"digits=10,places=2"`
	Note   orm.Null[string]
	Meta   orm.JSON[map[string]int]
}

// TestQryBulkUpdateTypes writes decimal, nullable and JSON fields, which
// bind through the dialect's conversions.
func TestQryBulkUpdateTypes(t *testing.T) {
	forEachDB(t, []any{QryPrice{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		ps := []QryPrice{{Amount: orm.NewDecimal(100, 2)}, {Amount: orm.NewDecimal(250, 2), Note: orm.NullOf("x")}}
		must(t, orm.BulkCreate(ctx, db, ps, 0))
		ps[0].Amount, ps[0].Note = orm.NewDecimal(12345, 2), orm.NullOf("set")
		ps[1].Amount, ps[1].Note = orm.NewDecimal(-5, 1), orm.Null[string]{}
		ps[0].Meta.V = map[string]int{"a": 1}
		if n, err := orm.BulkUpdate(ctx, db, ps, "amount", "note", "meta"); err != nil || n != 2 {
			t.Fatalf("BulkUpdate = %d, %v", n, err)
		}
		got, err := orm.From[QryPrice](db).OrderBy("id").All(ctx)
		if err != nil || len(got) != 2 {
			t.Fatal(got, err)
		}
		if got[0].Amount.String() != "123.45" || got[0].Note != orm.NullOf("set") || got[0].Meta.V["a"] != 1 ||
			got[1].Amount.String() != "-0.50" || got[1].Note.Valid {
			t.Fatalf("after BulkUpdate: %+v", got)
		}
	})
}

func TestQryBulkUpdate(t *testing.T) {
	forEachDB(t, []any{QryTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		tags := make([]QryTag, 25)
		for i := range tags {
			tags[i] = QryTag{Slug: "t" + string(rune('a'+i)), Name: "n", Uses: i}
		}
		must(t, orm.BulkCreate(ctx, db, tags, 0))
		half := 1.5
		for i := range tags {
			tags[i].Uses = 100 + i
			tags[i].Name = "renamed"
			if i%2 == 0 {
				tags[i].Score = &half
			}
		}
		tags[3].Slug = "not written"
		// 25 objects of two fields: several batches would be needed at a
		// small limit, but one statement here; the result counts rows.
		n, err := orm.BulkUpdate(ctx, db, tags, "uses", "Score", "name")
		if err != nil || n != 25 {
			t.Fatalf("BulkUpdate = %d, %v", n, err)
		}
		got, err := orm.From[QryTag](db).OrderBy("id").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			if g.Uses != 100+i || g.Name != "renamed" || (i%2 == 0) != (g.Score != nil) || g.Slug == "not written" {
				t.Fatalf("row %d after BulkUpdate: %+v", i, g)
			}
		}
		// Rows that are gone change nothing; nil writes NULL.
		must(t, orm.Delete(ctx, db, &tags[0]))
		tags[2].Score = nil
		n, err = orm.BulkUpdate(ctx, db, tags[:3], "score")
		if err != nil || n != 2 {
			t.Fatalf("BulkUpdate with a deleted row = %d, %v", n, err)
		}
		if g, _ := orm.From[QryTag](db).Filter("id", tags[2].ID).Get(ctx); g.Score != nil {
			t.Fatalf("Score not set to NULL: %v", *g.Score)
		}
		if n, err := orm.BulkUpdate(ctx, db, []QryTag{}, "uses"); err != nil || n != 0 {
			t.Fatalf("BulkUpdate of nothing = %d, %v", n, err)
		}
		// More objects than one statement takes (1000): three batches.
		many := make([]QryTag, 2100)
		for i := range many {
			many[i] = QryTag{Slug: "m" + strconv.Itoa(i), Name: "m", Uses: i}
		}
		must(t, orm.BulkCreate(ctx, db, many, 0))
		for i := range many {
			many[i].Uses = -1 - i
		}
		if n, err := orm.BulkUpdate(ctx, db, many, "uses"); err != nil || n != 2100 {
			t.Fatalf("BulkUpdate of 2100 = %d, %v", n, err)
		}
		if n, _ := orm.From[QryTag](db).Filter("uses__lt", 0).Count(ctx); n != 2100 {
			t.Fatalf("%d rows updated across batches, want 2100", n)
		}
		var le *orm.LookupError
		for _, fields := range [][]string{{}, {"id"}, {"nope"}} {
			if _, err := orm.BulkUpdate(ctx, db, tags, fields...); !errors.As(err, &le) {
				t.Errorf("BulkUpdate(%v): %v", fields, err)
			}
		}
		if _, err := orm.BulkUpdate(ctx, db, []QryTag{{Uses: 1}}, "uses"); err == nil {
			t.Error("BulkUpdate of an object without a key must fail")
		}
	})
}

func TestQryUpsert(t *testing.T) {
	forEachDB(t, []any{QryTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		must(t, orm.BulkCreate(ctx, db, []QryTag{{Slug: "go", Name: "Go", Uses: 1}, {Slug: "sql", Name: "SQL", Uses: 1}}, 0))

		// Ignore conflicts: the existing go row stays as it was.
		n, err := orm.BulkCreateWith(ctx, db, []QryTag{{Slug: "go", Name: "Golang", Uses: 9}, {Slug: "rust", Name: "Rust", Uses: 2}}, orm.BulkOptions{IgnoreConflicts: true})
		if err != nil || n != 1 {
			t.Fatalf("ignore conflicts = %d, %v", n, err)
		}
		// Update on conflict over the unique slug.
		n, err = orm.BulkCreateWith(ctx, db, []QryTag{{Slug: "sql", Name: "SQL!", Uses: 5}, {Slug: "zig", Name: "Zig", Uses: 3}},
			orm.BulkOptions{UniqueFields: []string{"slug"}, UpdateFields: []string{"name", "uses"}, BatchSize: 1})
		if err != nil || n != 2 {
			t.Fatalf("update conflicts = %d, %v", n, err)
		}
		type row struct {
			Slug string
			Name string
			Uses int
		}
		rows, err := orm.Values[row](ctx, orm.From[QryTag](db).OrderBy("slug"))
		want := []row{{"go", "Go", 1}, {"rust", "Rust", 2}, {"sql", "SQL!", 5}, {"zig", "Zig", 3}}
		if err != nil || !slices.Equal(rows, want) {
			t.Fatalf("rows = %v, %v; want %v", rows, err, want)
		}
		// UniqueTogether as the conflict target.
		n, err = orm.BulkCreateWith(ctx, db, []QryTag{{Slug: "go2", Name: "Go", Uses: 1}}, orm.BulkOptions{UniqueFields: []string{"uses", "name"}, UpdateFields: []string{"slug"}})
		if err != nil || n != 1 {
			t.Fatalf("conflict on unique together = %d, %v", n, err)
		}
		if c, _ := orm.From[QryTag](db).Filter("slug", "go2").Count(ctx); c != 1 {
			t.Fatal("the go row was not updated to go2")
		}
		// Without options it is BulkCreate: keys set, conflicts are errors.
		plain := []QryTag{{Slug: "new", Name: "New"}}
		if n, err := orm.BulkCreateWith(ctx, db, plain, orm.BulkOptions{}); err != nil || n != 1 || plain[0].ID == 0 {
			t.Fatalf("plain = %d, %v, %+v", n, err, plain[0])
		}
		var ie *orm.IntegrityError
		if _, err := orm.BulkCreateWith(ctx, db, []QryTag{{Slug: "new"}}, orm.BulkOptions{}); !errors.As(err, &ie) {
			t.Fatalf("conflict without options: %v", err)
		}
		var le *orm.LookupError
		for i, o := range []orm.BulkOptions{
			{UpdateFields: []string{"name"}},
			{UniqueFields: []string{"name"}, UpdateFields: []string{"uses"}},
			{UniqueFields: []string{"slug"}},
			{UniqueFields: []string{"slug"}, UpdateFields: []string{"slug"}},
			{IgnoreConflicts: true, UniqueFields: []string{"slug"}, UpdateFields: []string{"name"}},
			{UniqueFields: []string{`slug") DO NOTHING; --`}, UpdateFields: []string{"name"}},
		} {
			if _, err := orm.BulkCreateWith(ctx, db, []QryTag{{Slug: "x"}}, o); !errors.As(err, &le) {
				t.Errorf("options %d: %v", i, err)
			}
		}
		if c, _ := orm.From[QryTag](db).Filter("slug", "x").Count(ctx); c != 0 {
			t.Error("refused options must not insert")
		}
	})
}
