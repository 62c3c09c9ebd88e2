package orm_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Choice struct {
	ID     int64
	Text   string `anode:"max=50"`
	Votes  int
	Target int
	Note   *string
}

func TestWhereAndF(t *testing.T) {
	forEachDB(t, []any{Choice{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, c := range []Choice{{Text: "a", Votes: 1, Target: 5}, {Text: "b", Votes: 7, Target: 5}, {Text: "c", Votes: 5, Target: 5}, {Text: "d", Votes: 0, Target: 0}} {
			if err := orm.Create(ctx, db, &c); err != nil {
				t.Fatal(err)
			}
		}
		texts := func(q *orm.QuerySet[Choice]) string {
			rows, err := q.OrderBy("text").All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, r := range rows {
				s = append(s, r.Text)
			}
			return strings.Join(s, ",")
		}
		for _, tt := range []struct {
			name string
			q    *orm.QuerySet[Choice]
			want string
		}{
			{"or", orm.From[Choice](db).Where(orm.Or(orm.Q("text", "a"), orm.Q("votes__gt", 6))), "a,b"},
			{"not", orm.From[Choice](db).Where(orm.Not(orm.Q("votes__lt", 5))), "b,c"},
			{"nested", orm.From[Choice](db).Where(orm.And(orm.Q("target", 5), orm.Or(orm.Q("text", "a"), orm.Q("text", "c")))), "a,c"},
			{"empty or", orm.From[Choice](db).Where(orm.Or()), ""},
			{"F compare", orm.From[Choice](db).Filter("votes__gte", orm.F("target")), "b,c,d"},
			{"F exact", orm.From[Choice](db).Filter("votes", orm.F("target")), "c,d"},
			{"F arithmetic", orm.From[Choice](db).Filter("votes__gt", orm.F("target").Add(1)), "b"},
			{"with filter", orm.From[Choice](db).Filter("target", 5).Where(orm.Not(orm.Q("text", "b"))), "a,c"},
		} {
			if got := texts(tt.q); got != tt.want {
				t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
			}
		}

		// Atomic increments: 100 concurrent updates, none lost.
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				_, err := orm.From[Choice](db).Filter("text", "d").Update(ctx, orm.Set("votes", orm.F("votes").Add(1)))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		d, _ := orm.From[Choice](db).Filter("text", "d").Get(ctx)
		if d.Votes != 100 {
			t.Fatalf("after 100 concurrent F increments: %d votes", d.Votes)
		}

		n, err := orm.From[Choice](db).Filter("target", 5).Update(ctx, orm.Set("text", "x"), orm.Set("target", orm.F("target").Mul(2)), orm.Set("note", nil))
		if err != nil || n != 3 {
			t.Fatalf("Update = %d, %v", n, err)
		}
		if got := texts(orm.From[Choice](db).Filter("target", 10)); got != "x,x,x" {
			t.Fatalf("after Update: %q", got)
		}

		for _, tt := range []struct {
			sets []orm.Assignment
			want string
		}{
			{nil, "needs at least one Set"},
			{[]orm.Assignment{orm.Set("nope", 1)}, "no such field"},
			{[]orm.Assignment{orm.Set("id", 1)}, "primary key cannot be updated"},
			{[]orm.Assignment{orm.Set("votes", nil)}, "cannot be NULL"},
			{[]orm.Assignment{orm.Set("votes", "many")}, "does not fit"},
			{[]orm.Assignment{orm.Set("text", orm.F("text").Add(1))}, "arithmetic needs a number field"},
			{[]orm.Assignment{orm.Set("votes", orm.F("missing"))}, `F("missing"): no such field`},
		} {
			_, err := orm.From[Choice](db).Update(ctx, tt.sets...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Update(%v): %v, want %q", tt.sets, err, tt.want)
			}
		}
		_, err = orm.From[Choice](db).Where(orm.Or(orm.Q("bogus", 1))).All(ctx)
		var le *orm.LookupError
		if !errors.As(err, &le) {
			t.Errorf("bad Q: %v", err)
		}
		if _, err := orm.From[Choice](db).Filter("text__contains", orm.F("text")).All(ctx); err == nil {
			t.Error("contains with an F expression must be refused")
		}
	})
}
