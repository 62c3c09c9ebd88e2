package orm_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func TestLookupsAcrossRelations(t *testing.T) {
	forEachDB(t, []any{Category{}, Answer{}, Quiz{}, Owner{}, Label{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		capitals, rivers := Quiz{Title: "Capitals"}, Quiz{Title: "Rivers"}
		must(t, orm.Create(ctx, db, &capitals))
		must(t, orm.Create(ctx, db, &rivers))
		for _, a := range []Answer{
			{Quiz: orm.FK[Quiz]{ID: capitals.ID}, Text: "Paris"},
			{Quiz: orm.FK[Quiz]{ID: capitals.ID}, Text: "Prague"},
			{Quiz: orm.FK[Quiz]{ID: capitals.ID}, Text: "Lima"},
			{Quiz: orm.FK[Quiz]{ID: rivers.ID}, Text: "Po"},
		} {
			must(t, orm.Create(ctx, db, &a))
		}
		ana, bo := Owner{Name: "ana"}, Owner{Name: "bo"}
		must(t, orm.Create(ctx, db, &ana))
		must(t, orm.Create(ctx, db, &bo))
		root := Category{Name: "root", Owner: orm.FK[Owner]{ID: ana.ID}}
		must(t, orm.Create(ctx, db, &root))
		must(t, orm.Create(ctx, db, &Category{Name: "leaf", Parent: orm.FK[Category]{ID: root.ID}, Owner: orm.FK[Owner]{ID: bo.ID}}))

		answers := func(q *orm.QuerySet[Answer]) string {
			rows, err := q.All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, r := range rows {
				s = append(s, r.Text)
			}
			sort.Strings(s)
			return strings.Join(s, ",")
		}
		quizzes := func(q *orm.QuerySet[Quiz]) string {
			rows, err := q.OrderBy("title").All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, r := range rows {
				s = append(s, r.Title)
			}
			return strings.Join(s, ",")
		}
		for _, tt := range []struct {
			name, got, want string
		}{
			{"forward", answers(orm.From[Answer](db).Filter("quiz__title", "Rivers")), "Po"},
			{"forward lookup", answers(orm.From[Answer](db).Filter("quiz__title__startswith", "Cap")), "Lima,Paris,Prague"},
			{"forward exclude", answers(orm.From[Answer](db).Exclude("quiz__title", "Capitals")), "Po"},
			{"forward in Q", answers(orm.From[Answer](db).Where(orm.Or(orm.Q("quiz__title", "Rivers"), orm.Q("text", "Lima")))), "Lima,Po"},
			// Reverse, by related name: one row per quiz, however many answers match.
			{"reverse", quizzes(orm.From[Quiz](db).Filter("answers__text__startswith", "P")), "Capitals,Rivers"},
			{"reverse no duplicates", quizzes(orm.From[Quiz](db).Filter("answers__text__in", []string{"Paris", "Prague", "Lima"})), "Capitals"},
			{"reverse exclude", quizzes(orm.From[Quiz](db).Exclude("answers__text", "Po")), "Capitals"},
			{"reverse then forward", quizzes(orm.From[Quiz](db).Filter("answers__quiz__title", "Rivers")), "Rivers"},
		} {
			if tt.got != tt.want {
				t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
			}
		}
		if n, err := orm.From[Quiz](db).Filter("answers__text__startswith", "P").Count(ctx); err != nil || n != 2 {
			t.Errorf("Count across a reverse relation: %d, %v (no duplicates)", n, err)
		}
		// Several hops, a self-reference, and a nullable key.
		for _, tt := range []struct {
			lookup string
			value  any
			want   int64
		}{
			{"owner__name", "bo", 1},
			{"parent__name", "root", 1},
			{"parent__owner__name", "ana", 1},
			{"parent__owner__name", "bo", 0},
		} {
			if n, err := orm.From[Category](db).Filter(tt.lookup, tt.value).Count(ctx); err != nil || n != tt.want {
				t.Errorf("%s=%v: %d, %v; want %d", tt.lookup, tt.value, n, err, tt.want)
			}
		}
		// Updates and deletes filter through relations too.
		if n, err := orm.From[Answer](db).Filter("quiz__title", "Rivers").Update(ctx, orm.Set("text", "Danube")); err != nil || n != 1 {
			t.Errorf("Update across a relation: %d, %v", n, err)
		}
		if n, err := orm.From[Answer](db).Filter("quiz__title", "Rivers").Delete(ctx); err != nil || n != 1 {
			t.Errorf("Delete across a relation: %d, %v", n, err)
		}

		for _, tt := range []struct{ lookup, want string }{
			{"quiz__nope", `has no field "nope"`},
			{"quiz__title__nope", `unknown lookup "nope"`},
			{"answers", "reverse relation"},
		} {
			var err error
			if strings.HasPrefix(tt.lookup, "answers") {
				_, err = orm.From[Quiz](db).Filter(tt.lookup, 1).All(ctx)
			} else {
				_, err = orm.From[Answer](db).Filter(tt.lookup, "x").All(ctx)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", tt.lookup, err, tt.want)
			}
		}
	})
}

func TestOrderAcrossRelations(t *testing.T) {
	forEachDB(t, []any{Category{}, Answer{}, Quiz{}, Owner{}, Label{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		zed, amy := Owner{Name: "zed"}, Owner{Name: "amy"}
		must(t, orm.Create(ctx, db, &zed))
		must(t, orm.Create(ctx, db, &amy))
		r1 := Category{Name: "r1", Owner: orm.FK[Owner]{ID: zed.ID}}
		r2 := Category{Name: "r2", Owner: orm.FK[Owner]{ID: amy.ID}}
		must(t, orm.Create(ctx, db, &r1))
		must(t, orm.Create(ctx, db, &r2))
		for _, c := range []Category{
			{Name: "c1", Parent: orm.FK[Category]{ID: r1.ID}, Owner: orm.FK[Owner]{ID: amy.ID}},
			{Name: "c2", Parent: orm.FK[Category]{ID: r2.ID}, Owner: orm.FK[Owner]{ID: zed.ID}},
		} {
			must(t, orm.Create(ctx, db, &c))
		}
		names := func(order ...string) string {
			rows, err := orm.From[Category](db).Filter("parent__isnull", false).OrderBy(order...).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, r := range rows {
				s = append(s, r.Name)
			}
			return strings.Join(s, ",")
		}
		for _, tt := range []struct {
			order []string
			want  string
		}{
			{[]string{"owner__name"}, "c1,c2"},         // amy, zed
			{[]string{"-owner__name"}, "c2,c1"},        // zed, amy
			{[]string{"parent__name"}, "c1,c2"},        // r1, r2 (a self-reference)
			{[]string{"parent__owner__name"}, "c2,c1"}, // r2's amy before r1's zed
			{[]string{"-parent__owner__name", "name"}, "c1,c2"},
		} {
			if got := names(tt.order...); got != tt.want {
				t.Errorf("OrderBy(%v): %s, want %s", tt.order, got, tt.want)
			}
		}
		for _, bad := range []string{"owner__nope", "name__owner", "nope__name"} {
			if _, err := orm.From[Category](db).OrderBy(bad).All(ctx); err == nil {
				t.Errorf("OrderBy(%q) must fail", bad)
			}
		}
	})
}

func TestPrefetchRelated(t *testing.T) {
	forEachDB(t, []any{Category{}, Answer{}, Quiz{}, Owner{}, Label{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a, b := Quiz{Title: "A"}, Quiz{Title: "B"}
		must(t, orm.Create(ctx, db, &a))
		must(t, orm.Create(ctx, db, &b))
		for _, x := range []Answer{{Quiz: orm.FK[Quiz]{ID: a.ID}, Text: "1"}, {Quiz: orm.FK[Quiz]{ID: b.ID}, Text: "2"}, {Quiz: orm.FK[Quiz]{ID: a.ID}, Text: "3"}} {
			must(t, orm.Create(ctx, db, &x))
		}
		rows, err := orm.From[Answer](db).OrderBy("text").PrefetchRelated("quiz").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			l := r.Quiz.Loaded()
			if l == nil || l.ID != r.Quiz.ID {
				t.Fatalf("answer %s: loaded %+v for key %d", r.Text, l, r.Quiz.ID)
			}
		}
		// One object per key, shared by the rows that refer to it: loaded in one query, not per row.
		if rows[0].Quiz.Loaded() != rows[2].Quiz.Loaded() || rows[0].Quiz.Loaded().Title != "A" || rows[1].Quiz.Loaded().Title != "B" {
			t.Fatalf("prefetched objects: %+v %+v %+v", rows[0].Quiz.Loaded(), rows[1].Quiz.Loaded(), rows[2].Quiz.Loaded())
		}
		if q, err := rows[1].Quiz.Get(ctx, db); err != nil || q.Title != "B" {
			t.Fatalf("Get of a prefetched reference: %+v, %v", q, err)
		}
		if plain, _ := orm.From[Answer](db).First(ctx); plain.Quiz.Loaded() != nil {
			t.Fatal("without PrefetchRelated nothing is attached")
		}

		// Nullable keys: NULL ones stay empty; string keys work.
		owner := Owner{Name: "o"}
		must(t, orm.Create(ctx, db, &owner))
		must(t, orm.Create(ctx, db, &Label{Code: "geo"}))
		root := Category{Name: "root", Owner: orm.FK[Owner]{ID: owner.ID}}
		must(t, orm.Create(ctx, db, &root))
		must(t, orm.Create(ctx, db, &Category{Name: "leaf", Parent: orm.FK[Category]{ID: root.ID}, Owner: orm.FK[Owner]{ID: owner.ID}, Label: orm.Ref[Label, string]{ID: "geo"}}))
		cats, err := orm.From[Category](db).OrderBy("name").PrefetchRelated("parent", "label", "owner").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		leaf, top := cats[0], cats[1]
		if leaf.Parent.Loaded() == nil || leaf.Parent.Loaded().Name != "root" || leaf.Label.Loaded() == nil || leaf.Label.Loaded().Code != "geo" {
			t.Fatalf("leaf: parent %+v label %+v", leaf.Parent.Loaded(), leaf.Label.Loaded())
		}
		if top.Parent.Loaded() != nil || top.Label.Loaded() != nil || top.Owner.Loaded() == nil {
			t.Fatalf("root: NULL keys must stay empty: %+v", top)
		}
		if _, err := orm.From[Category](db).PrefetchRelated("name").All(ctx); err == nil {
			t.Fatal("PrefetchRelated of a non-key field must fail")
		}
	})
}
