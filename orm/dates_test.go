package orm_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type Event struct {
	ID   int64
	Name string `anode:"max=20"`
	At   time.Time
}

func TestDateTransforms(t *testing.T) {
	forEachDB(t, []any{Event{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		plus5 := time.FixedZone("+5", 5*3600)
		for _, e := range []Event{
			{Name: "nye", At: time.Date(2025, 12, 31, 23, 30, 15, 0, time.UTC)},
			{Name: "ny", At: time.Date(2026, 1, 1, 0, 15, 45, 0, time.UTC)},
			// 03:00 on 1 March 2026 at +5 is 22:00 on 28 February in UTC.
			{Name: "zoned", At: time.Date(2026, 3, 1, 3, 0, 0, 0, plus5)},
			{Name: "summer", At: time.Date(2026, 7, 14, 12, 5, 0, 0, time.UTC)},
		} {
			if err := orm.Create(ctx, db, &e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			lookup string
			value  any
			want   string
		}{
			{"at__year", 2026, "ny,summer,zoned"},
			{"at__year__lt", 2026, "nye"},
			{"at__month", 2, "zoned"}, // parts are in UTC
			{"at__month__in", []int{1, 7}, "ny,summer"},
			{"at__day", 28, "zoned"},
			{"at__hour__gte", 22, "nye,zoned"},
			{"at__minute", 15, "ny"},
			{"at__second__range", []int{10, 50}, "ny,nye"},
		} {
			rows, err := orm.From[Event](db).Filter(tt.lookup, tt.value).All(ctx)
			if err != nil {
				t.Errorf("%s: %v", tt.lookup, err)
				continue
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
			}
			sort.Strings(names)
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("%s %v: %s, want %s", tt.lookup, tt.value, got, tt.want)
			}
		}
		for _, bad := range []string{"name__year", "at__year__contains", "at__decade"} {
			if _, err := orm.From[Event](db).Filter(bad, 1).All(ctx); err == nil {
				t.Errorf("%s must be refused", bad)
			}
		}
	})
}
