package orm_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Slugged struct {
	ID    int64
	Slug  string `anode:"max=40,unique"`
	Count int    `anode:"default=7"`
}

// Summary is not a model: Raw scans into it by column name.
type Summary struct {
	Slug  string
	Total int64 `anode:"column=total"`
}

func TestIterateRawGetOrCreateBulk(t *testing.T) {
	forEachDB(t, []any{Slugged{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()

		// BulkCreate in several batches; keys come back in order; defaults apply.
		objs := make([]Slugged, 2500)
		for i := range objs {
			objs[i].Slug = "s" + itoa(i+1)
		}
		must(t, orm.BulkCreate(ctx, db, objs, 1000))
		for i, o := range objs {
			if o.ID == 0 || o.Count != 7 {
				t.Fatalf("object %d after BulkCreate: %+v", i, o)
			}
			if i > 0 && o.ID <= objs[i-1].ID {
				t.Fatalf("keys not in insertion order at %d: %d after %d", i, o.ID, objs[i-1].ID)
			}
		}
		got, _ := orm.From[Slugged](db).Filter("id", objs[1234].ID).Get(ctx)
		if got.Slug != "s1235" {
			t.Fatalf("key %d holds %q, want s1235", objs[1234].ID, got.Slug)
		}
		if n, _ := orm.From[Slugged](db).Count(ctx); n != 2500 {
			t.Fatalf("BulkCreate wrote %d rows", n)
		}

		// Iterate streams, and stopping early is fine.
		seen := 0
		for row, err := range orm.From[Slugged](db).OrderBy("id").Iterate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			seen++
			if seen == 10 {
				if row.Slug != "s10" {
					t.Fatalf("10th row %q", row.Slug)
				}
				break
			}
		}
		total := 0
		for _, err := range orm.From[Slugged](db).Iterate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			total++
		}
		if total != 2500 {
			t.Fatalf("Iterate saw %d rows", total)
		}
		for _, err := range orm.From[Slugged](db).Filter("nope", 1).Iterate(ctx) {
			if err == nil || !strings.Contains(err.Error(), `no field "nope"`) {
				t.Fatalf("Iterate with a bad lookup: %v", err)
			}
		}

		// Raw into a model and into any struct, values bound.
		ph := db.Dialect().Placeholder
		models, err := orm.Raw[Slugged](ctx, db, "SELECT id, slug, count FROM app_slugged WHERE slug = "+ph(1), "s42")
		if err != nil || len(models) != 1 || models[0].Slug != "s42" || models[0].Count != 7 {
			t.Fatalf("Raw into model: %+v, %v", models, err)
		}
		sums, err := orm.Raw[Summary](ctx, db, "SELECT slug, count * 2 AS total FROM app_slugged WHERE id <= "+ph(1)+" ORDER BY id", objs[1].ID)
		if err != nil || len(sums) != 2 || sums[1].Slug != "s2" || sums[1].Total != 14 {
			t.Fatalf("Raw into struct: %+v, %v", sums, err)
		}
		if _, err := orm.Raw[Summary](ctx, db, "SELECT slug, count AS extra FROM app_slugged"); err == nil || !strings.Contains(err.Error(), `"extra" matches no field`) {
			t.Fatalf("Raw with an unmatched column: %v", err)
		}

		// GetOrCreate: found, created, and race-safe.
		row, created, err := orm.From[Slugged](db).Filter("slug", "s1").GetOrCreate(ctx, Slugged{Slug: "s1"})
		if err != nil || created || row.ID != objs[0].ID {
			t.Fatalf("GetOrCreate existing: %+v %v %v", row, created, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		creators, ids := 0, map[int64]bool{}
		for range 20 {
			wg.Go(func() {
				r, c, err := orm.From[Slugged](db).Filter("slug", "fresh").GetOrCreate(ctx, Slugged{Slug: "fresh", Count: 1})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if c {
					creators++
				}
				ids[r.ID] = true
			})
		}
		wg.Wait()
		if creators != 1 || len(ids) != 1 {
			t.Fatalf("20 concurrent GetOrCreate: %d created, %d distinct rows", creators, len(ids))
		}
		// Inside a transaction the lost race does not abort it (savepoint).
		err = db.Atomic(ctx, func(ctx context.Context) error {
			if _, _, err := orm.From[Slugged](db).Filter("slug", "fresh").GetOrCreate(ctx, Slugged{Slug: "fresh"}); err != nil {
				return err
			}
			return orm.Create(ctx, db, &Slugged{Slug: "after"})
		})
		must(t, err)
	})
}

func TestUpdateOrCreate(t *testing.T) {
	forEachDB(t, []any{Slugged{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		row, created, err := orm.From[Slugged](db).Filter("slug", "x").UpdateOrCreate(ctx, Slugged{Slug: "x", Count: 1})
		if err != nil || !created || row.ID == 0 || row.Count != 1 {
			t.Fatalf("create: %+v %v %v", row, created, err)
		}
		again, created, err := orm.From[Slugged](db).Filter("slug", "x").UpdateOrCreate(ctx, Slugged{Slug: "x", Count: 5})
		if err != nil || created || again.ID != row.ID || again.Count != 5 {
			t.Fatalf("update: %+v %v %v", again, created, err)
		}
		if got, _ := orm.From[Slugged](db).Filter("slug", "x").Get(ctx); got.Count != 5 {
			t.Fatalf("stored: %+v", got)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		creators := 0
		for i := range 20 {
			wg.Go(func() {
				_, c, err := orm.From[Slugged](db).Filter("slug", "race").UpdateOrCreate(ctx, Slugged{Slug: "race", Count: i})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				}
				if c {
					creators++
				}
			})
		}
		wg.Wait()
		if n, _ := orm.From[Slugged](db).Filter("slug", "race").Count(ctx); n != 1 || creators != 1 {
			t.Fatalf("20 concurrent UpdateOrCreate: %d rows, %d creators", n, creators)
		}
	})
}
