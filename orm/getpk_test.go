package orm_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/anode-go/anode/orm"
)

// TestGetByPK covers the precomputed get-by-primary-key path and the
// refinements that must leave it: each case's answer is checked against the
// rows, so taking the fast path where it does not apply fails the test.
func TestGetByPK(t *testing.T) {
	forEachDB(t, []any{Poll{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		polls := seed(t, ctx, db)
		all, err := orm.From[Poll](db).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]Poll{}
		for _, p := range all {
			byID[p.ID] = p
		}
		for _, p := range polls {
			got, err := orm.From[Poll](db).Filter("id", p.ID).Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, byID[p.ID]) {
				t.Fatalf("get %d:\n got %+v\nwant %+v", p.ID, got, byID[p.ID])
			}
			if got2, err := orm.From[Poll](db).Filter("ID", p.ID).Get(ctx); err != nil || got2.Title != p.Title {
				t.Fatalf("get by Go name: %+v, %v", got2, err)
			}
		}
		if _, err := orm.From[Poll](db).Filter("id", int64(1_000_000)).Get(ctx); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("missing key: %v", err)
		}
		if got, err := orm.From[Poll](db).Filter("id", int(polls[1].ID)).Get(ctx); err != nil || got.ID != polls[1].ID {
			t.Fatalf("get by an int key: %+v, %v", got, err)
		}
		var le *orm.LookupError
		if _, err := orm.From[Poll](db).Filter("id", "one").Get(ctx); !errors.As(err, &le) {
			t.Fatalf("a text key for an integer primary key: %v, want a *LookupError", err)
		}

		// Refinements before or after the key filter still apply.
		dinner := polls[2] // Votes 0, Open
		cases := []struct {
			name string
			q    *orm.QuerySet[Poll]
			ok   bool
		}{
			{"then filter", orm.From[Poll](db).Filter("id", dinner.ID).Filter("votes__gt", 0), false},
			{"filter then key", orm.From[Poll](db).Filter("votes__gt", 0).Filter("id", dinner.ID), false},
			{"exclude key", orm.From[Poll](db).Exclude("id", dinner.ID).Filter("title", dinner.Title), false},
			{"where then key", orm.From[Poll](db).Where(orm.Q("open", false)).Filter("id", dinner.ID), false},
			{"offset", orm.From[Poll](db).Offset(1).Filter("id", dinner.ID), false},
			{"key then offset", orm.From[Poll](db).Filter("id", dinner.ID).Offset(1), false},
			{"key gte", orm.From[Poll](db).Filter("id__gte", dinner.ID).Filter("votes", 0), true},
			{"key and match", orm.From[Poll](db).Filter("id", dinner.ID).Filter("open", true), true},
		}
		for _, c := range cases {
			got, err := c.q.Get(ctx)
			if c.ok && (err != nil || got.ID != dinner.ID) {
				t.Errorf("%s: %+v, %v", c.name, got, err)
			}
			if !c.ok && !errors.Is(err, orm.ErrNotFound) {
				t.Errorf("%s: want ErrNotFound, got %+v, %v", c.name, got, err)
			}
		}

		// From's shared QuerySet is never changed by refining it.
		base := orm.From[Poll](db)
		a := base.Filter("id", polls[0].ID)
		b := base.Filter("id", polls[1].ID)
		if n, err := base.Count(ctx); err != nil || n != int64(len(polls)) {
			t.Fatalf("base after refining: %d, %v", n, err)
		}
		ga, errA := a.Get(ctx)
		gb, errB := b.Get(ctx)
		if errA != nil || errB != nil || ga.ID != polls[0].ID || gb.ID != polls[1].ID {
			t.Fatalf("independent refinements: %d %d %v %v", ga.ID, gb.ID, errA, errB)
		}

		// The rarely used options (Only, Defer, Annotate, …) are shared
		// between a QuerySet and its refinements until one changes them: a
		// change never shows through to the other.
		key := polls[0]
		if key.Votes == 0 || key.Title == "" {
			t.Fatalf("seed poll %+v: the checks below need a title and votes", key)
		}
		onlyTitle := base.Filter("id", key.ID).Only("title")
		narrowed := onlyTitle.Defer("title") // as Django: only the key is left
		deferTitle := base.Filter("id", key.ID).Defer("title")
		annotated := onlyTitle.Annotate(orm.CountOf("id").As("n"))
		for _, c := range []struct {
			name         string
			q            *orm.QuerySet[Poll]
			title, votes bool // loaded
		}{
			{"base", base.Filter("id", key.ID), true, true},
			{"only", onlyTitle, true, false},
			{"defer", deferTitle, false, true},
			{"only then defer", narrowed, false, false},
		} {
			got, err := c.q.Get(ctx)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if (got.Title != "") != c.title || (got.Votes != 0) != c.votes {
				t.Errorf("%s: loaded %+v; want title loaded %v, votes loaded %v", c.name, got, c.title, c.votes)
			}
		}
		if rows, err := orm.ValuesMap(ctx, annotated, "title", "n"); err != nil || len(rows) != 1 || rows[0]["n"] != int64(1) {
			t.Errorf("annotated refinement: %v, %v", rows, err)
		}
		if _, err := orm.ValuesMap(ctx, onlyTitle, "title", "n"); err == nil {
			t.Error("the annotation of a refinement shows through to the QuerySet it refined")
		}

		// Concurrent reads share the pooled buffers safely (run with -race).
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					p := polls[(g+i)%len(polls)]
					got, err := orm.From[Poll](db).Filter("id", p.ID).Get(ctx)
					if err == nil && !reflect.DeepEqual(got, byID[p.ID]) {
						err = errors.New("wrong row " + got.Title)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	})
}
