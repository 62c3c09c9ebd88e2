package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func TestPrefetchRelatedReverseAndMany(t *testing.T) {
	models := append([]any{RelCategory{}}, relModels...)
	forEachCountedDB(t, models, func(t *testing.T, db *orm.DB, c *queryCounter) {
		ctx := context.Background()
		// 1,200 questions: more than one chunk of 1,000 keys.
		qs := make([]RelQuestion, 1200)
		for i := range qs {
			qs[i].Text = fmt.Sprintf("q%04d", i)
		}
		must(t, orm.BulkCreate(ctx, db, qs, 0))
		var choices []RelChoice
		for i := range 3 {
			choices = append(choices, RelChoice{Question: orm.FK[RelQuestion]{ID: qs[0].ID}, Text: fmt.Sprint("c", i), Votes: i})
		}
		choices = append(choices, RelChoice{Question: orm.FK[RelQuestion]{ID: qs[1100].ID}, Text: "far"})
		must(t, orm.BulkCreate(ctx, db, choices, 0))
		goTag, sqlTag := RelTag{Name: "go"}, RelTag{Name: "sql"}
		must(t, orm.Create(ctx, db, &goTag))
		must(t, orm.Create(ctx, db, &sqlTag))
		must(t, orm.ManyOf[RelTag](db, &qs[0], "Tags").Add(ctx, sqlTag, goTag))
		must(t, orm.ManyOf[RelTag](db, &qs[1199], "Tags").Add(ctx, goTag))

		var got []RelQuestion
		var err error
		n := c.queries(func() {
			got, err = orm.From[RelQuestion](db).OrderBy("text").PrefetchRelated("choices", "tags").All(ctx)
		})
		// The main query, then per relation one query per 1,000 rows.
		if err != nil || len(got) != 1200 || n != 1+2+2 {
			t.Fatalf("prefetch: %d rows, %d queries, %v", len(got), n, err)
		}
		n = c.queries(func() {
			first := got[0].Choices.Loaded()
			if len(first) != 3 || first[0].Text != "c0" || first[2].Votes != 2 || first[1].Question.ID != qs[0].ID {
				t.Fatalf("choices of q0: %+v", first)
			}
			if far := got[1100].Choices.Loaded(); len(far) != 1 || far[0].Text != "far" {
				t.Fatalf("choices of q1100 (second chunk): %+v", far)
			}
			if none := got[5].Choices.Loaded(); none == nil || len(none) != 0 {
				t.Fatalf("a question without choices: %#v, want an empty slice", none)
			}
			tags := got[0].Tags.Loaded()
			if len(tags) != 2 || tags[0].Name != "go" || tags[1].Name != "sql" {
				t.Fatalf("tags of q0: %+v", tags)
			}
			if tags := got[1199].Tags.Loaded(); len(tags) != 1 || tags[0].Name != "go" {
				t.Fatalf("tags of q1199: %+v", tags)
			}
		})
		if n != 0 {
			t.Fatalf("reading prefetched objects ran %d queries", n)
		}
		// Not prefetched: nil.
		plain, _ := orm.From[RelQuestion](db).Filter("id", qs[0].ID).Get(ctx)
		if plain.Choices.Loaded() != nil || plain.Tags.Loaded() != nil {
			t.Fatal("loaded without PrefetchRelated")
		}

		// The reverse side of the many-to-many relation, into a Many field, with Get.
		var tag RelTag
		n = c.queries(func() {
			tag, err = orm.From[RelTag](db).PrefetchRelated("questions").Filter("name", "go").Get(ctx)
		})
		if err != nil || n != 2 || len(tag.Questions.Loaded()) != 2 {
			t.Fatalf("questions of go: %+v, %d queries, %v", tag.Questions.Loaded(), n, err)
		}

		// Mixed with a forward key.
		cs, err := orm.From[RelChoice](db).PrefetchRelated("question").OrderBy("id").All(ctx)
		if err != nil || cs[0].Question.Loaded() == nil || cs[0].Question.Loaded().Text != "q0000" {
			t.Fatalf("forward prefetch: %v", err)
		}

		var le *orm.LookupError
		_, err = orm.From[RelCategory](db).PrefetchRelated("children").All(ctx)
		if !errors.As(err, &le) || !strings.Contains(err.Error(), `add a field Children orm.Many[RelCategory] tagged anode:"related=children"`) {
			t.Fatalf("no holder: %v", err)
		}
		_, err = orm.From[RelQuestion](db).PrefetchRelated("answers").All(ctx)
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "relations: author, choices, tags") {
			t.Fatalf("unknown relation: %v", err)
		}
	})
}
