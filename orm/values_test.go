package orm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

// Test models of the query features (prefixed Qry).
type QryQuestion struct {
	ID      int64
	Text    string `anode:"max=100"`
	Kind    string `anode:"max=10"`
	Rank    int
	PubDate time.Time
}

type QryChoice struct {
	ID       int64
	Question orm.FK[QryQuestion] `anode:"on_delete=cascade,related=choices"`
	Label    string              `anode:"max=50"`
	Votes    int
	Weight   float64
}

var qryModels = []any{QryQuestion{}, QryChoice{}}

// qrySeed creates three questions (a: 3 choices, b: 1, c: none).
func qrySeed(t *testing.T, db *orm.DB) []QryQuestion {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	qs := []QryQuestion{
		{Text: "a", Kind: "poll", Rank: 2, PubDate: day},
		{Text: "b", Kind: "poll", Rank: 1, PubDate: day.AddDate(0, 0, 1)},
		{Text: "c", Kind: "survey", Rank: 3, PubDate: day.AddDate(0, 0, 2)},
	}
	must(t, orm.BulkCreate(ctx, db, qs, 0))
	cs := []QryChoice{
		{Question: orm.FK[QryQuestion]{ID: qs[0].ID}, Label: "x", Votes: 5, Weight: 0.5},
		{Question: orm.FK[QryQuestion]{ID: qs[0].ID}, Label: "y", Votes: 3, Weight: 1.5},
		{Question: orm.FK[QryQuestion]{ID: qs[0].ID}, Label: "x", Votes: 0, Weight: 1},
		{Question: orm.FK[QryQuestion]{ID: qs[1].ID}, Label: "z", Votes: 7, Weight: 2},
	}
	must(t, orm.BulkCreate(ctx, db, cs, 0))
	return qs
}

func TestQryLastDistinctOnlyDefer(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qs := qrySeed(t, db)

		last, err := orm.From[QryQuestion](db).Last(ctx)
		if err != nil || last.ID != qs[2].ID {
			t.Fatalf("Last by pk = %+v, %v", last, err)
		}
		last, err = orm.From[QryQuestion](db).OrderBy("rank").Last(ctx)
		if err != nil || last.Text != "c" {
			t.Fatalf("Last by rank = %+v, %v", last, err)
		}
		last, err = orm.From[QryQuestion](db).OrderBy("-rank").Last(ctx)
		if err != nil || last.Text != "b" {
			t.Fatalf("Last by -rank = %+v, %v", last, err)
		}
		if _, err := orm.From[QryQuestion](db).OrderBy("rank").Limit(2).Last(ctx); err == nil {
			t.Fatal("Last of a sliced query must be refused")
		}
		if _, err := orm.From[QryQuestion](db).Filter("text", "zz").Last(ctx); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("Last of nothing: %v", err)
		}

		labels, err := orm.ValuesList[string](ctx, orm.From[QryChoice](db).Distinct().OrderBy("label"), "label")
		if err != nil || !slices.Equal(labels, []string{"x", "y", "z"}) {
			t.Fatalf("distinct labels = %v, %v", labels, err)
		}
		if n, err := orm.From[QryChoice](db).Only("label").Distinct().Count(ctx); err != nil || n != 4 {
			t.Fatalf("distinct rows with keys = %d, %v", n, err)
		}

		only, err := orm.From[QryQuestion](db).Only("text").OrderBy("id").All(ctx)
		if err != nil || len(only) != 3 {
			t.Fatalf("Only: %v, %v", only, err)
		}
		if only[0].ID != qs[0].ID || only[0].Text != "a" || only[0].Rank != 0 || !only[0].PubDate.IsZero() {
			t.Fatalf("Only(text) loaded %+v", only[0])
		}
		def, err := orm.From[QryQuestion](db).Defer("text", "pub_date").OrderBy("id").First(ctx)
		if err != nil || def.ID != qs[0].ID || def.Text != "" || def.Rank != 2 || def.Kind != "poll" {
			t.Fatalf("Defer loaded %+v, %v", def, err)
		}

		// Writing back only the loaded field keeps the others.
		only[0].Text = "a2"
		must(t, orm.SaveFields(ctx, db, &only[0], "text"))
		got, err := orm.From[QryQuestion](db).Filter("id", qs[0].ID).Get(ctx)
		if err != nil || got.Text != "a2" || got.Rank != 2 || !got.PubDate.Equal(qs[0].PubDate) {
			t.Fatalf("after SaveFields: %+v, %v", got, err)
		}
		gone := QryQuestion{ID: 999, Text: "x"}
		if err := orm.SaveFields(ctx, db, &gone, "text"); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("SaveFields of a missing row: %v", err)
		}

		var le *orm.LookupError
		if _, err := orm.From[QryQuestion](db).Only("nope").All(ctx); !errors.As(err, &le) || !strings.Contains(err.Error(), "Only: no field \"nope\" (fields: ID, Text") {
			t.Fatalf("Only(nope): %v", err)
		}
		if err := orm.SaveFields(ctx, db, &got, "id"); !errors.As(err, &le) {
			t.Fatalf("SaveFields(id): %v", err)
		}
	})
}

func TestQryValues(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qs := qrySeed(t, db)

		type row struct {
			Text string
			Rank int64
		}
		rows, err := orm.Values[row](ctx, orm.From[QryQuestion](db).Filter("kind", "poll").OrderBy("-rank"))
		if err != nil || !slices.Equal(rows, []row{{"a", 2}, {"b", 1}}) {
			t.Fatalf("Values = %v, %v", rows, err)
		}
		type byCol struct {
			QuestionID int64 `anode:"column=question_id"`
			Votes      int
		}
		cols, err := orm.Values[byCol](ctx, orm.From[QryChoice](db).Filter("votes__gt", 4).OrderBy("votes"))
		if err != nil || !slices.Equal(cols, []byCol{{qs[0].ID, 5}, {qs[1].ID, 7}}) {
			t.Fatalf("Values by column = %v, %v", cols, err)
		}

		maps, err := orm.ValuesMap(ctx, orm.From[QryQuestion](db).OrderBy("id"), "text", "Rank", "pub_date")
		if err != nil || len(maps) != 3 {
			t.Fatalf("ValuesMap: %v, %v", maps, err)
		}
		if maps[2]["text"] != "c" || maps[2]["Rank"] != int64(3) || !maps[2]["pub_date"].(time.Time).Equal(qs[2].PubDate) {
			t.Fatalf("ValuesMap row = %#v", maps[2])
		}
		all, err := orm.ValuesMap(ctx, orm.From[QryChoice](db).Filter("label", "z"))
		if err != nil || len(all) != 1 || all[0]["Question"] != qs[1].ID || all[0]["Weight"] != 2.0 || len(all[0]) != 5 {
			t.Fatalf("ValuesMap of every field = %#v, %v", all, err)
		}

		ids, err := orm.ValuesList[int64](ctx, orm.From[QryChoice](db).OrderBy("-votes"), "question")
		if err != nil || !slices.Equal(ids, []int64{qs[1].ID, qs[0].ID, qs[0].ID, qs[0].ID}) {
			t.Fatalf("ValuesList(question) = %v, %v", ids, err)
		}

		var le *orm.LookupError
		type bad struct{ Nope string }
		if _, err := orm.Values[bad](ctx, orm.From[QryQuestion](db)); !errors.As(err, &le) || !strings.Contains(err.Error(), `no field or annotation "Nope" (fields: ID, Text`) {
			t.Fatalf("Values into a struct naming no field: %v", err)
		}
		type wrongType struct{ Text int }
		if _, err := orm.Values[wrongType](ctx, orm.From[QryQuestion](db)); !errors.As(err, &le) || !strings.Contains(err.Error(), "Text is int, and Text is string") {
			t.Fatalf("Values into a field of the wrong type: %v", err)
		}
		if _, err := orm.ValuesMap(ctx, orm.From[QryQuestion](db), "rank; DROP"); !errors.As(err, &le) {
			t.Fatalf("ValuesMap with a bad name: %v", err)
		}
	})
}

// TestQryHostileValues: values and arguments a request could carry give
// errors, never panics, and no SQL.
func TestQryHostileValues(t *testing.T) {
	db := openDB(t, "sqlite:///"+t.TempDir()+"/hostile.db", qryModels)
	for i, q := range []*orm.QuerySet[QryQuestion]{
		orm.From[QryQuestion](db).Filter("rank__in", []any{nil}),
		orm.From[QryQuestion](db).Filter("pub_date__date__in", []any{nil}),
		orm.From[QryQuestion](db).Filter("pub_date__date__in", []*time.Time{nil}),
		orm.From[QryQuestion](db).Filter("rank", []int{1}),
		orm.From[QryQuestion](db).Filter("rank", struct{}{}),
		orm.From[QryQuestion](db).Filter("id__in", (*orm.QuerySet[QryChoice])(nil)),
		orm.From[QryQuestion](db).Where(orm.Exists(nil)),
		orm.From[QryQuestion](db).Annotate(orm.Agg{}),
		orm.From[QryQuestion](db).SelectForUpdate(9),
		orm.From[QryQuestion](db).Filter("text__regex", nil),
		orm.From[QryQuestion](db).Filter("text__regex", orm.F("kind")),
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("case %d panicked: %v", i, p)
				}
			}()
			if sql, _, err := q.SQL(); err == nil {
				t.Errorf("case %d accepted: %s", i, sql)
			}
		}()
	}
}
