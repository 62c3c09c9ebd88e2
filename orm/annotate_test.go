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

func TestQryAggregate(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qrySeed(t, db)
		res, err := orm.From[QryChoice](db).Aggregate(ctx,
			orm.CountOf("id").As("n"), orm.CountOf("label").Distinct().As("labels"),
			orm.SumOf("votes").As("total"), orm.AvgOf("votes").As("mean"),
			orm.MinOf("weight").As("lightest"), orm.MaxOf("label").As("last_label"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"n": int64(4), "labels": int64(3), "total": int64(15), "mean": 3.75, "lightest": 0.5, "last_label": "z"}
		for k, v := range want {
			if res[k] != v {
				t.Errorf("Aggregate[%s] = %#v, want %#v", k, res[k], v)
			}
		}
		empty, err := orm.From[QryChoice](db).Filter("votes__gt", 100).Aggregate(ctx, orm.CountOf("id").As("n"), orm.SumOf("votes").As("total"))
		if err != nil || empty["n"] != int64(0) || empty["total"] != nil {
			t.Fatalf("Aggregate of nothing = %#v, %v", empty, err)
		}
		// A limited query is aggregated as a derived table.
		top, err := orm.From[QryChoice](db).OrderBy("-votes").Limit(2).Aggregate(ctx, orm.SumOf("votes").As("top2"))
		if err != nil || top["top2"] != int64(12) {
			t.Fatalf("Aggregate over Limit(2) = %#v, %v", top, err)
		}
		var le *orm.LookupError
		for _, bad := range []orm.Agg{
			orm.SumOf("votes"),                   // no alias
			orm.SumOf("votes").As("votes"),       // clashes with a field
			orm.SumOf("votes").As(`t"; DROP --`), // not an identifier
			orm.SumOf("label").As("s"),           // not a number
			orm.AvgOf("nope").As("a"),            // no field
			orm.SumOf("votes").As("anode_x"),     // reserved prefix
		} {
			if _, err := orm.From[QryChoice](db).Aggregate(ctx, bad); !errors.As(err, &le) || le.Model != "app.QryChoice" {
				t.Errorf("Aggregate(%+v): %v", bad, err)
			}
		}
		if _, err := orm.From[QryChoice](db).Aggregate(ctx, orm.CountOf("id").As("n"), orm.CountOf("label").As("N")); err == nil {
			t.Error("two aliases differing in case must be refused")
		}
	})
}

func TestQryAnnotate(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qs := qrySeed(t, db)
		type row struct {
			Text     string
			NChoices int64
			Votes    *int64
		}
		base := orm.From[QryQuestion](db).Annotate(orm.CountOf("choices").As("n_choices"), orm.SumOf("choices__votes").As("votes"))
		rows, err := orm.Values[row](ctx, base.OrderBy("-n_choices", "text"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Text != "a" || rows[0].NChoices != 3 || *rows[0].Votes != 8 ||
			rows[1].Text != "b" || rows[1].NChoices != 1 || *rows[1].Votes != 7 || rows[2].NChoices != 0 || rows[2].Votes != nil {
			t.Fatalf("annotated rows = %+v", rows)
		}
		// Filter on an annotation, and All still returns the model's rows.
		busy, err := base.Filter("n_choices__gte", 1).Exclude("votes", 7).All(ctx)
		if err != nil || len(busy) != 1 || busy[0].ID != qs[0].ID || busy[0].Rank != 2 {
			t.Fatalf("filtered on annotations: %+v, %v", busy, err)
		}
		// Aliases in Where: relation aggregates in WHERE, own-row ones in HAVING.
		either, err := orm.Values[row](ctx, base.Where(orm.Or(orm.Q("n_choices", 0), orm.Q("votes__gte", 8))).OrderBy("text"))
		if err != nil || len(either) != 2 || either[0].Text != "a" || either[1].Text != "c" {
			t.Fatalf("Where on aliases = %+v, %v", either, err)
		}
		if n, err := base.Filter("n_choices", 0).Count(ctx); err != nil || n != 1 {
			t.Fatalf("Count with an annotation filter = %d, %v", n, err)
		}

		// GROUP BY a field, HAVING on the aggregate, ordered by it.
		type total struct {
			Question int64
			Total    int64
			Heaviest float64
		}
		groups := orm.From[QryChoice](db).GroupBy("question").
			Annotate(orm.SumOf("votes").As("total"), orm.MaxOf("weight").As("heaviest"))
		got, err := orm.Values[total](ctx, groups.OrderBy("-total"))
		if err != nil || !slices.Equal(got, []total{{qs[0].ID, 8, 1.5}, {qs[1].ID, 7, 2}}) {
			t.Fatalf("grouped = %+v, %v", got, err)
		}
		got, err = orm.Values[total](ctx, groups.Where(orm.Or(orm.Q("total__lt", 8), orm.Q("heaviest__gt", 1.9))))
		if err != nil || !slices.Equal(got, []total{{qs[1].ID, 7, 2}}) {
			t.Fatalf("HAVING from Where = %+v, %v", got, err)
		}
		got, err = orm.Values[total](ctx, groups.Filter("total__lt", 8))
		if err != nil || !slices.Equal(got, []total{{qs[1].ID, 7, 2}}) {
			t.Fatalf("HAVING = %+v, %v", got, err)
		}
		if n, err := groups.Count(ctx); err != nil || n != 2 {
			t.Fatalf("Count of groups = %d, %v", n, err)
		}
		if _, err := groups.Filter("total__gt", 0).Delete(ctx); err == nil {
			t.Fatal("Delete on groups must be refused")
		}
		if _, err := groups.Update(ctx, orm.Set("votes", 0)); err == nil {
			t.Fatal("Update on groups must be refused")
		}
		if n, _ := orm.From[QryChoice](db).Filter("votes", 0).Count(ctx); n != 1 {
			t.Fatalf("a refused Update changed rows: %d with no votes", n)
		}
		// Update and Delete filter on a relation annotation (a WHERE subquery).
		if n, err := base.Filter("n_choices", 0).Update(ctx, orm.Set("rank", 99)); err != nil || n != 1 {
			t.Fatalf("Update where n_choices = 0: %d, %v", n, err)
		}
		if _, err := groups.All(ctx); err == nil || !strings.Contains(err.Error(), "read it with orm.Values") {
			t.Fatalf("All on a GroupBy query: %v", err)
		}
		type notGrouped struct{ Label string }
		var le *orm.LookupError
		if _, err := orm.Values[notGrouped](ctx, groups); !errors.As(err, &le) || !strings.Contains(err.Error(), "not a GroupBy field") {
			t.Fatalf("Values naming a field outside the group: %v", err)
		}
		// Own-rows aggregate without GroupBy groups by key: one row each.
		per, err := orm.ValuesList[int64](ctx, orm.From[QryChoice](db).Annotate(orm.CountOf("id").As("one")).OrderBy("id"), "one")
		if err != nil || !slices.Equal(per, []int64{1, 1, 1, 1}) {
			t.Fatalf("per-row count = %v, %v", per, err)
		}

		for _, bad := range []*orm.QuerySet[QryQuestion]{
			orm.From[QryQuestion](db).Annotate(orm.CountOf("choices").As("text")),
			orm.From[QryQuestion](db).Annotate(orm.SumOf("choices").As("s")),
			orm.From[QryQuestion](db).Annotate(orm.CountOf("nope__id").As("s")),
			orm.From[QryQuestion](db).Annotate(orm.CountOf("choices__nope").As("s")),
			base.Filter("n_choices__contains", "1"),
			base.Filter("n_choices", "many"),
		} {
			if _, err := bad.All(ctx); !errors.As(err, &le) {
				t.Errorf("want a LookupError, got %v", err)
			}
		}
	})
}

func TestQryTimeAggregates(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qs := qrySeed(t, db)
		type span struct {
			Kind   string
			First  time.Time
			Latest *time.Time
		}
		groups := orm.From[QryQuestion](db).GroupBy("kind").
			Annotate(orm.MinOf("pub_date").As("first"), orm.MaxOf("pub_date").As("latest"))
		got, err := orm.Values[span](ctx, groups.OrderBy("kind"))
		if err != nil || len(got) != 2 {
			t.Fatalf("time aggregates = %+v, %v", got, err)
		}
		if got[0].Kind != "poll" || !got[0].First.Equal(qs[0].PubDate) || !got[0].Latest.Equal(qs[1].PubDate) ||
			got[1].Kind != "survey" || !got[1].First.Equal(qs[2].PubDate) || got[0].First.Location() != time.UTC {
			t.Fatalf("time aggregates = %+v", got)
		}
		recent, err := orm.ValuesList[string](ctx, groups.Filter("latest__gt", qs[1].PubDate.Add(-time.Second)).OrderBy("kind"), "kind")
		if err != nil || !slices.Equal(recent, []string{"poll", "survey"}) {
			t.Fatalf("HAVING on a time = %v, %v", recent, err)
		}
		recent, err = orm.ValuesList[string](ctx, groups.Filter("latest__gt", qs[1].PubDate), "kind")
		if err != nil || !slices.Equal(recent, []string{"survey"}) {
			t.Fatalf("HAVING on a time = %v, %v", recent, err)
		}
		firsts, err := orm.ValuesList[time.Time](ctx, groups.OrderBy("first"), "first")
		if err != nil || len(firsts) != 2 || !firsts[1].Equal(qs[2].PubDate) {
			t.Fatalf("ValuesList of times = %v, %v", firsts, err)
		}
		res, err := orm.From[QryQuestion](db).Aggregate(ctx, orm.MaxOf("pub_date").As("last"), orm.MinOf("text").As("t"))
		if err != nil || !res["last"].(time.Time).Equal(qs[2].PubDate) || res["t"] != "a" {
			t.Fatalf("Aggregate of a time = %#v, %v", res, err)
		}
		empty, err := orm.From[QryQuestion](db).Filter("rank", 99).Aggregate(ctx, orm.MaxOf("pub_date").As("last"))
		if err != nil || empty["last"] != nil {
			t.Fatalf("Aggregate of no times = %#v, %v", empty, err)
		}
	})
}

type AnnAuthor struct {
	ID   int64
	Name string `anode:"max=40"`
}

type AnnTag struct {
	ID   int64
	Name string `anode:"max=40"`
}

type AnnPost struct {
	ID      int64
	PubDate time.Time
	Author  orm.FK[AnnAuthor]    `anode:"on_delete=cascade,related=posts"`
	Tags    orm.M2M[AnnTag]      `anode:"related=posts"`
	Notes   orm.Many[AnnComment] `anode:"related=comments"`
	Rating  int
}

type AnnComment struct {
	ID   int64
	Post orm.FK[AnnPost] `anode:"on_delete=cascade,related=comments"`
	Body string
}

// TestQryAnnotateAliasClash checks that an alias may not shadow a field or
// relation of the model, by Go name or column, whatever its case.
func TestQryAnnotateAliasClash(t *testing.T) {
	forEachDB(t, []any{AnnAuthor{}, AnnTag{}, AnnPost{}, AnnComment{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, tc := range []struct {
			alias, clash string
		}{
			{"rating", "field Rating"},
			{"RATING", "field Rating"},
			{"pubdate", "field PubDate"},
			{"Pub_Date", "field PubDate"},
			{"author", "field Author"},
			{"Author_ID", "field Author (column author_id)"},
			{"id", "field ID"},
			{"Comments", "reverse relation comments"},
			{"TAGS", "many-to-many"},
			{"notes", "field Notes"},
		} {
			_, err := orm.Values[struct{ ID int64 }](ctx, orm.From[AnnPost](db).Annotate(orm.CountOf("comments").As(tc.alias)))
			var le *orm.LookupError
			if !errors.As(err, &le) || le.Lookup != tc.alias || !strings.Contains(le.Reason, "clashes with the "+tc.clash) {
				t.Errorf("alias %q: got %v, want a *LookupError: clashes with the %s", tc.alias, err, tc.clash)
			}
		}
		// Aggregate checks aliases the same way; the reverse relation of
		// the other model counts there.
		if _, err := orm.From[AnnAuthor](db).Aggregate(ctx, orm.CountOf("id").As("Posts")); err == nil || !strings.Contains(err.Error(), "reverse relation posts") {
			t.Errorf("alias Posts on AnnAuthor: %v", err)
		}
		if _, err := orm.From[AnnTag](db).Aggregate(ctx, orm.CountOf("id").As("posts")); err == nil || !strings.Contains(err.Error(), "many-to-many relation posts") {
			t.Errorf("alias posts on AnnTag: %v", err)
		}
		// A distinct alias works.
		a := AnnAuthor{Name: "ana"}
		must(t, orm.Create(ctx, db, &a))
		p := AnnPost{PubDate: time.Now(), Author: orm.FK[AnnAuthor]{ID: a.ID}}
		must(t, orm.Create(ctx, db, &p))
		must(t, orm.Create(ctx, db, &AnnComment{Post: orm.FK[AnnPost]{ID: p.ID}, Body: "hi"}))
		type row struct {
			ID        int64
			NComments int64
		}
		rows, err := orm.Values[row](ctx, orm.From[AnnPost](db).Annotate(orm.CountOf("comments").As("n_comments")))
		if err != nil || len(rows) != 1 || rows[0].NComments != 1 {
			t.Errorf("n_comments: %+v, %v", rows, err)
		}
	})
}
