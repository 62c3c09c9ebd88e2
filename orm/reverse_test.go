package orm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/anode-go/anode/orm"
)

// Hostile or malformed relation names are refused with a *LookupError, never
// a panic, and no SQL runs.
func TestRelationsRefuseBadNames(t *testing.T) {
	forEachCountedDB(t, relModels, func(t *testing.T, db *orm.DB, c *queryCounter) {
		ctx := context.Background()
		q := RelQuestion{Text: "q"}
		must(t, orm.Create(ctx, db, &q))
		tag := RelTag{Name: "t"}
		must(t, orm.Create(ctx, db, &tag))
		for _, name := range []string{"", "__", "tags__", "question__", "choices__nope", `tags"; DROP TABLE x; --`, "Tags\x00", "ｔａｇｓ", "author__"} {
			var errs []error
			n := c.queries(func() {
				_, err := orm.From[RelChoice](db).SelectRelated(name).All(ctx)
				errs = append(errs, err)
				_, err = orm.From[RelQuestion](db).PrefetchRelated(name).All(ctx)
				errs = append(errs, err)
				_, err = orm.RelatedOf[RelChoice](db, &q, name).All(ctx)
				errs = append(errs, err)
				_, err = orm.RelatedOne[RelProfile](ctx, db, &RelUser{ID: 1}, name)
				errs = append(errs, err)
				errs = append(errs, orm.ManyOf[RelTag](db, &q, name).Add(ctx, tag))
				_, err = orm.From[RelQuestion](db).Filter(name, "x").All(ctx)
				errs = append(errs, err)
			})
			if n != 0 {
				t.Errorf("%q: %d statements ran", name, n)
			}
			for i, err := range errs {
				var le *orm.LookupError
				if !errors.As(err, &le) {
					t.Errorf("%q, call %d: %v, want a *LookupError", name, i, err)
				}
			}
		}
	})
}
