package orm_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/anode-go/anode/orm"
)

func TestManyKeys(t *testing.T) {
	forEachDB(t, relModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		q := RelQuestion{Text: "q"}
		a, b := RelTag{Name: "a"}, RelTag{Name: "b"}
		for _, err := range []error{orm.Create(ctx, db, &q), orm.Create(ctx, db, &a), orm.Create(ctx, db, &b)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		k := orm.ManyKeysOf(db, &q, "Tags")
		if k.Related().Name != "RelTag" {
			t.Fatal(k.Related().Name)
		}
		if err := k.Set(ctx, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := k.Set(ctx, b.ID); err != nil { // removes a, keeps b
			t.Fatal(err)
		}
		keys, err := k.Keys(ctx)
		if err != nil || !slices.Equal(keys, []any{b.ID}) {
			t.Fatalf("%v %v", keys, err)
		}
		// from the other side, by related name
		keys, err = orm.ManyKeysOf(db, &b, "questions").Keys(ctx)
		if err != nil || !slices.Equal(keys, []any{q.ID}) {
			t.Fatalf("%v %v", keys, err)
		}
		var ie *orm.IntegrityError
		if err := k.Set(ctx, int64(424242)); !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("missing tag: %v", err)
		}
		if keys, _ := k.Keys(ctx); !slices.Equal(keys, []any{b.ID}) {
			t.Fatalf("a failed Set changed the pairs: %v", keys)
		}
		var le *orm.LookupError
		if err := orm.ManyKeysOf(db, &q, "nope").Set(ctx); !errors.As(err, &le) {
			t.Fatal(err)
		}
		if _, err := orm.ManyKeysOf(db, &RelQuestion{}, "Tags").Keys(ctx); !errors.As(err, &le) {
			t.Fatal(err)
		}
	})
}
