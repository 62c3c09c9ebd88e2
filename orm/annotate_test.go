package orm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

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
