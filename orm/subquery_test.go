package orm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func qryTexts(t *testing.T, q *orm.QuerySet[QryQuestion]) []string {
	t.Helper()
	texts, err := orm.ValuesList[string](context.Background(), q.OrderBy("text"), "text")
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

func TestQrySubqueries(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qs := qrySeed(t, db)
		questions := orm.From[QryQuestion](db)

		// pk IN (SELECT question_id …), chosen with Only.
		popular := orm.From[QryChoice](db).Filter("votes__gte", 5).Only("question")
		if got := qryTexts(t, questions.Filter("id__in", popular)); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("id__in subquery = %v", got)
		}
		if got := qryTexts(t, questions.Exclude("id__in", popular)); !slices.Equal(got, []string{"c"}) {
			t.Fatalf("NOT id__in subquery = %v", got)
		}
		// A subquery selecting its primary key.
		polls := questions.Filter("kind", "poll")
		n, err := orm.From[QryChoice](db).Filter("question__in", polls).Count(ctx)
		if err != nil || n != 4 {
			t.Fatalf("question__in polls = %d, %v", n, err)
		}

		// A sliced subquery keeps its order, even across a relation.
		top := orm.From[QryChoice](db).OrderBy("-question__rank", "-votes").Limit(1).Only("question")
		if got := qryTexts(t, questions.Filter("id__in", top)); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("id__in a sliced subquery = %v", got)
		}
		low := orm.From[QryChoice](db).OrderBy("votes").Limit(2).Only("question")
		if got := qryTexts(t, questions.Filter("id__in", low)); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("id__in the two lowest = %v", got)
		}

		// Correlated EXISTS with OuterRef.
		voted := orm.From[QryChoice](db).Filter("question", orm.OuterRef("id")).Filter("votes__gt", 6)
		if got := qryTexts(t, questions.Where(orm.Exists(voted))); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("Exists = %v", got)
		}
		if got := qryTexts(t, questions.Where(orm.Not(orm.Exists(voted)))); !slices.Equal(got, []string{"a", "c"}) {
			t.Fatalf("Not(Exists) = %v", got)
		}
		anyChoice := orm.From[QryChoice](db).Filter("question", orm.OuterRef("id"))
		if got := qryTexts(t, questions.Where(orm.Or(orm.Exists(anyChoice), orm.Q("kind", "survey")))); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("Exists in Or = %v", got)
		}
		// OuterRef against another column: choices whose votes exceed the question's rank.
		over := orm.From[QryChoice](db).Filter("question", orm.OuterRef("id")).Filter("votes__gt", orm.OuterRef("rank"))
		d, err := questions.Where(orm.Exists(over)).Delete(ctx)
		if err != nil || d != 2 {
			t.Fatalf("Delete where Exists = %d, %v", d, err)
		}
		if left, _ := questions.Count(ctx); left != 1 {
			t.Fatalf("left %d questions", left)
		}
		_ = qs

		// A query with OuterRef cannot run on its own; bad subqueries are refused before SQL.
		if _, err := anyChoice.All(ctx); err == nil || !strings.Contains(err.Error(), "OuterRef") {
			t.Fatalf("running an OuterRef query alone: %v", err)
		}
		var le *orm.LookupError
		bad := []*orm.QuerySet[QryQuestion]{
			questions.Where(orm.Exists(orm.From[QryChoice](db).Filter("question", orm.OuterRef("nope")))),
			questions.Where(orm.Exists(orm.From[QryChoice](db).Filter("label", orm.OuterRef("id")))),
			questions.Filter("id__in", orm.From[QryChoice](db).Only("label")),
			questions.Filter("id__in", orm.From[QryChoice](db).Filter("nope", 1)),
			questions.Filter("text__contains", orm.OuterRef("id")),
		}
		for i, q := range bad {
			if _, err := q.All(ctx); !errors.As(err, &le) {
				t.Errorf("bad subquery %d: %v", i, err)
			}
		}
	})
}
