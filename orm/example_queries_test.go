package orm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/sqlite"
)

// exampleDB opens a throwaway SQLite database with the Qry models and a few
// questions and choices; close it with the returned func.
func exampleDB() (*orm.DB, func()) {
	dir, _ := os.MkdirTemp("", "orm-queries-example")
	ctx := context.Background()
	r := orm.NewRegistry()
	if err := r.Register("polls", QryQuestion{}, QryChoice{}, QryTag{}); err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(dir, "polls.db"), r, orm.OpenOptions{})
	if err != nil {
		panic(err)
	}
	if err := db.CreateTables(ctx); err != nil {
		panic(err)
	}
	day := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	qs := []QryQuestion{{Text: "Tabs?", Kind: "poll", PubDate: day}, {Text: "Spaces?", Kind: "poll", PubDate: day.AddDate(0, 0, 1)}, {Text: "Vim?", Kind: "survey", PubDate: day.AddDate(0, 0, 2)}}
	orm.BulkCreate(ctx, db, qs, 0)
	orm.BulkCreate(ctx, db, []QryChoice{
		{Question: orm.FK[QryQuestion]{ID: qs[0].ID}, Label: "yes", Votes: 5},
		{Question: orm.FK[QryQuestion]{ID: qs[0].ID}, Label: "no", Votes: 3},
		{Question: orm.FK[QryQuestion]{ID: qs[1].ID}, Label: "yes", Votes: 7},
	}, 0)
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

func ExampleValues() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	type row struct {
		Text     string
		NChoices int64 // the alias n_choices
	}
	rows, err := orm.Values[row](ctx, orm.From[QryQuestion](db).
		Annotate(orm.CountOf("choices").As("n_choices")).
		OrderBy("-n_choices", "text"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r.Text, r.NChoices)
	}
	labels, _ := orm.ValuesList[string](ctx, orm.From[QryChoice](db).Distinct().OrderBy("label"), "label")
	fmt.Println(labels)
	// Output:
	// Tabs? 2
	// Spaces? 1
	// Vim? 0
	// [no yes]
}

func ExampleQuerySet_Aggregate() {
	db, done := exampleDB()
	defer done()
	res, err := orm.From[QryChoice](db).Aggregate(context.Background(),
		orm.CountOf("id").As("n"), orm.SumOf("votes").As("total"), orm.AvgOf("votes").As("mean"))
	fmt.Println(res["n"], res["total"], res["mean"], err)
	// Output: 3 15 5 <nil>
}

func ExampleQuerySet_GroupBy() {
	db, done := exampleDB()
	defer done()
	type total struct {
		Label string
		Total int64
	}
	rows, _ := orm.Values[total](context.Background(), orm.From[QryChoice](db).
		GroupBy("label").Annotate(orm.SumOf("votes").As("total")).
		Filter("total__gt", 5). // HAVING
		OrderBy("label"))
	fmt.Println(rows)
	// Output: [{yes 12}]
}

func ExampleExists() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()
	popular := orm.From[QryChoice](db).Filter("question", orm.OuterRef("id")).Filter("votes__gte", 5)
	texts, _ := orm.ValuesList[string](ctx, orm.From[QryQuestion](db).Where(orm.Exists(popular)).OrderBy("text"), "text")
	fmt.Println(texts)

	// The same through id__in, with Only picking the subquery's column.
	texts, _ = orm.ValuesList[string](ctx, orm.From[QryQuestion](db).
		Filter("id__in", orm.From[QryChoice](db).Filter("votes__lt", 5).Only("question")), "text")
	fmt.Println(texts)
	// Output:
	// [Spaces? Tabs?]
	// [Tabs?]
}

func ExampleQuerySet_Only() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()
	q, _ := orm.From[QryQuestion](db).Only("text").OrderBy("id").First(ctx)
	fmt.Printf("%q %q\n", q.Text, q.Kind) // Kind was not loaded
	q.Text = "Tabs or spaces?"
	orm.SaveFields(ctx, db, &q, "text") // Save would write the empty Kind back
	q, _ = orm.From[QryQuestion](db).OrderBy("id").First(ctx)
	fmt.Printf("%q %q\n", q.Text, q.Kind)
	last, _ := orm.From[QryQuestion](db).Last(ctx)
	fmt.Println(last.Text)
	// Output:
	// "Tabs?" ""
	// "Tabs or spaces?" "poll"
	// Vim?
}

func ExampleBulkUpdate() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()
	choices, _ := orm.From[QryChoice](db).OrderBy("id").All(ctx)
	for i := range choices {
		choices[i].Votes *= 10
	}
	n, err := orm.BulkUpdate(ctx, db, choices, "votes") // one statement
	fmt.Println(n, err)
	votes, _ := orm.ValuesList[int](ctx, orm.From[QryChoice](db).OrderBy("id"), "votes")
	fmt.Println(votes)
	// Output:
	// 3 <nil>
	// [50 30 70]
}

func ExampleBulkCreateWith() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()
	orm.BulkCreate(ctx, db, []QryTag{{Slug: "go", Name: "Go"}}, 0)
	n, err := orm.BulkCreateWith(ctx, db,
		[]QryTag{{Slug: "go", Name: "Golang"}, {Slug: "sql", Name: "SQL"}},
		orm.BulkOptions{UniqueFields: []string{"slug"}, UpdateFields: []string{"name"}})
	fmt.Println(n, err)
	names, _ := orm.ValuesList[string](ctx, orm.From[QryTag](db).OrderBy("slug"), "name")
	fmt.Println(names)
	// Output:
	// 2 <nil>
	// [Golang SQL]
}

func ExampleAtomicRequests() {
	db, done := exampleDB()
	defer done()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tags/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if err := orm.Create(r.Context(), db, &QryTag{Slug: r.PathValue("slug"), Name: r.PathValue("slug")}); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Query().Has("fail") {
			http.Error(w, "something broke", http.StatusInternalServerError) // rolls the insert back
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	h := orm.AtomicRequests(db)(mux)
	for _, path := range []string{"/tags/kept", "/tags/dropped?fail"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", path, nil))
		fmt.Println(path, rec.Code)
	}
	slugs, _ := orm.ValuesList[string](context.Background(), orm.From[QryTag](db), "slug")
	fmt.Println(slugs)
	// Output:
	// /tags/kept 201
	// /tags/dropped?fail 500
	// [kept]
}

func Example_regexAndWeekDay() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()
	texts, _ := orm.ValuesList[string](ctx, orm.From[QryQuestion](db).Filter("text__iregex", "^(tabs|vim)").OrderBy("id"), "text")
	fmt.Println(texts)
	// 2026-11-21 is a Saturday: 7 in Django's week_day numbering.
	sat, _ := orm.ValuesList[string](ctx, orm.From[QryQuestion](db).Filter("pub_date__week_day", 7), "text")
	fmt.Println(sat)
	_, err := orm.From[QryQuestion](db).Filter("text__regex", "(").All(ctx)
	var pe *orm.PatternError
	fmt.Println(errors.As(err, &pe))
	// Output:
	// [Tabs? Vim?]
	// [Spaces?]
	// true
}
