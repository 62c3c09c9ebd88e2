package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Job struct {
	ID     int64
	Name   string `anode:"max=20"`
	Weight int
	Score  float64
}

func TestAggregatesAndLocking(t *testing.T) {
	forEachDB(t, []any{Job{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		jobs := []Job{{Name: "a", Weight: 1, Score: 0.5}, {Name: "b", Weight: 4, Score: 1.5}, {Name: "c", Weight: 10, Score: 4}}
		must(t, orm.BulkCreate(ctx, db, jobs, 0))
		q := orm.From[Job](db)

		sum, err := orm.Sum[int64](ctx, q, "weight")
		if err != nil || sum != 15 {
			t.Errorf("Sum = %d, %v", sum, err)
		}
		avg, _ := orm.Avg[float64](ctx, q, "weight")
		if avg != 5 {
			t.Errorf("Avg = %v", avg)
		}
		mn, _ := orm.Min[float64](ctx, q, "score")
		mx, _ := orm.Max[int](ctx, q.Filter("weight__lt", 10), "weight")
		if mn != 0.5 || mx != 4 {
			t.Errorf("Min score %v, Max weight %v", mn, mx)
		}
		if empty, err := orm.Sum[int64](ctx, q.Filter("weight__gt", 100), "weight"); err != nil || empty != 0 {
			t.Errorf("Sum of nothing = %d, %v", empty, err)
		}
		for _, bad := range []string{"nope", "name"} {
			if _, err := orm.Sum[int64](ctx, q, bad); err == nil {
				t.Errorf("Sum(%q) must fail", bad)
			}
		}

		// SelectForUpdate needs a transaction.
		if _, err := q.SelectForUpdate(orm.LockWait).All(ctx); err == nil || !strings.Contains(err.Error(), "outside Atomic") {
			t.Fatalf("SelectForUpdate outside Atomic: %v", err)
		}
		err = db.Atomic(ctx, func(ctx context.Context) error {
			j, err := q.Filter("name", "a").SelectForUpdate(orm.LockWait).Get(ctx)
			if err != nil {
				return err
			}
			j.Weight++
			return orm.Save(ctx, db, &j)
		})
		must(t, err)

		if db.Dialect().Name() != "postgres" {
			return
		}
		// PostgreSQL: a row locked by one transaction is skipped by SKIP LOCKED
		// and refused by NOWAIT in another.
		locked := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- db.Atomic(ctx, func(ctx context.Context) error {
				if _, err := q.Filter("name", "b").SelectForUpdate(orm.LockWait).Get(ctx); err != nil {
					close(locked)
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked
		err = db.Atomic(ctx, func(ctx context.Context) error {
			rows, err := q.OrderBy("name").SelectForUpdate(orm.LockSkipLocked).All(ctx)
			if err != nil {
				return err
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != "a,c" {
				t.Errorf("SKIP LOCKED saw %v, want a,c", names)
			}
			return nil
		})
		must(t, err)
		err = db.Atomic(ctx, func(ctx context.Context) error {
			_, err := q.Filter("name", "b").SelectForUpdate(orm.LockNoWait).All(ctx)
			return err
		})
		if err == nil {
			t.Error("NOWAIT on a locked row must fail")
		}
		close(release)
		must(t, <-done)
	})
}
