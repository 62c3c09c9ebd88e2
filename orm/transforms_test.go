package orm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type QryEvent struct {
	ID   int64
	Name string `anode:"max=40"`
	At   time.Time
	Day  orm.Date // At's UTC date, for the transforms of date fields
}

// TestQryTimeTransforms checks every transform against Go's own calendar
// (time.Weekday, ISOWeek) over dates around year ends, where ISO weeks and
// years differ from the calendar's, and a time whose UTC date differs from
// its local one.
func TestQryTimeTransforms(t *testing.T) {
	forEachDB(t, []any{QryEvent{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		var evs []QryEvent
		for _, start := range []time.Time{
			time.Date(2024, 12, 25, 10, 0, 0, 0, time.UTC),
			time.Date(2026, 12, 27, 23, 59, 59, 0, time.UTC),
			time.Date(2020, 12, 28, 0, 0, 1, 0, time.UTC),
		} {
			for d := 0; d < 10; d++ {
				evs = append(evs, QryEvent{Name: "e", At: start.AddDate(0, 0, d)})
			}
		}
		est := time.FixedZone("EST", -5*3600)
		evs = append(evs, QryEvent{Name: "local", At: time.Date(2026, 6, 14, 23, 30, 0, 0, est)}, // 2026-06-15 UTC
			QryEvent{Name: "q3", At: time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC)})
		for i := range evs {
			evs[i].Day = orm.DateOf(evs[i].At.UTC())
		}
		must(t, orm.BulkCreate(ctx, db, evs, 0))

		parts := map[string]func(time.Time) int{
			"week_day":     func(t time.Time) int { return int(t.Weekday()) + 1 },
			"iso_week_day": func(t time.Time) int { return (int(t.Weekday())+6)%7 + 1 },
			"week":         func(t time.Time) int { _, w := t.ISOWeek(); return w },
			"iso_year":     func(t time.Time) int { y, _ := t.ISOWeek(); return y },
			"quarter":      func(t time.Time) int { return (int(t.Month())-1)/3 + 1 },
		}
		for part, fn := range parts {
			want := map[int][]int64{}
			for _, e := range evs {
				v := fn(e.At.UTC())
				want[v] = append(want[v], e.ID)
			}
			for v, ids := range want {
				for _, field := range []string{"at", "day"} {
					got, err := orm.ValuesList[int64](ctx, orm.From[QryEvent](db).Filter(field+"__"+part, v).OrderBy("id"), "id")
					if err != nil || !slices.Equal(got, ids) {
						t.Errorf("%s__%s = %d: got %v, %v; want %v", field, part, v, got, err, ids)
					}
				}
			}
		}
		n, err := orm.From[QryEvent](db).Filter("at__week__gte", 52).Filter("at__iso_year__lt", 2026).Count(ctx)
		if err != nil || n != countWhere(evs, func(t time.Time) bool { y, w := t.ISOWeek(); return w >= 52 && y < 2026 }) {
			t.Errorf("week__gte & iso_year__lt: %d, %v", n, err)
		}
		n, err = orm.From[QryEvent](db).Filter("at__week_day__in", []int{1, 7}).Count(ctx)
		if err != nil || n != countWhere(evs, func(t time.Time) bool { return t.Weekday() == time.Sunday || t.Weekday() == time.Saturday }) {
			t.Errorf("week_day__in weekend: %d, %v", n, err)
		}

		// date: the UTC calendar date, from a time.Time in any zone.
		local, err := orm.From[QryEvent](db).Filter("at__date", time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)).Get(ctx)
		if err != nil || local.Name != "local" {
			t.Fatalf("date = 2026-06-15: %+v, %v", local, err)
		}
		if n, _ := orm.From[QryEvent](db).Filter("at__date", time.Date(2026, 6, 14, 20, 0, 0, 0, est)).Count(ctx); n != 1 {
			t.Errorf("2026-06-14 20:00 EST is 2026-06-15 01:00 UTC: the date of the argument must be taken in UTC too (%d rows)", n)
		}
		if n, _ := orm.From[QryEvent](db).Filter("at__date", time.Date(2026, 6, 14, 12, 0, 0, 0, est)).Count(ctx); n != 0 {
			t.Errorf("2026-06-14 12:00 EST is still the 14th in UTC: %d rows", n)
		}
		n, err = orm.From[QryEvent](db).Filter("at__date__range", []time.Time{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}).Count(ctx)
		if err != nil || n != 2 {
			t.Errorf("date__range = %d, %v", n, err)
		}
		n, err = orm.From[QryEvent](db).Filter("at__date__gt", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)).Count(ctx)
		if err != nil || n != countWhere(evs, func(t time.Time) bool {
			return t.After(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) || t.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		}) {
			t.Errorf("date__gt = %d, %v", n, err)
		}

		var le *orm.LookupError
		for _, bad := range []*orm.QuerySet[QryEvent]{
			orm.From[QryEvent](db).Filter("name__week", 1),
			orm.From[QryEvent](db).Filter("day__hour", 1),
			orm.From[QryEvent](db).Filter("day__date", time.Now()),
			orm.From[QryEvent](db).Filter("at__quarter__contains", 1),
			orm.From[QryEvent](db).Filter("at__date", "2026-06-15"),
			orm.From[QryEvent](db).Filter("at__week", "one"),
		} {
			if _, err := bad.All(ctx); !errors.As(err, &le) {
				t.Errorf("want a LookupError, got %v", err)
			}
		}
	})
}

func countWhere(evs []QryEvent, keep func(time.Time) bool) int64 {
	var n int64
	for _, e := range evs {
		if keep(e.At.UTC()) {
			n++
		}
	}
	return n
}

func TestQryRegex(t *testing.T) {
	forEachDB(t, qryModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		qrySeed(t, db)
		must(t, orm.Create(ctx, db, &QryQuestion{Text: "Why? (really)", Kind: "poll"}))
		texts := func(q *orm.QuerySet[QryQuestion]) []string {
			got, err := orm.ValuesList[string](ctx, q.OrderBy("text"), "text")
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := texts(orm.From[QryQuestion](db).Filter("text__regex", "^[ab]$")); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("regex ^[ab]$ = %v", got)
		}
		if got := texts(orm.From[QryQuestion](db).Filter("text__regex", "^W")); !slices.Equal(got, []string{"Why? (really)"}) {
			t.Errorf("regex ^W = %v", got)
		}
		if got := texts(orm.From[QryQuestion](db).Filter("text__regex", "^w")); len(got) != 0 {
			t.Errorf("regex is case-sensitive, ^w = %v", got)
		}
		if got := texts(orm.From[QryQuestion](db).Filter("text__iregex", "^w.*REALLY")); !slices.Equal(got, []string{"Why? (really)"}) {
			t.Errorf("iregex = %v", got)
		}
		if got := texts(orm.From[QryQuestion](db).Exclude("text__regex", `\(`)); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Errorf("Exclude regex = %v", got)
		}
		// The same pattern again comes from the cache (SQLite) and still works.
		if n, _ := orm.From[QryQuestion](db).Filter("text__regex", "^[ab]$").Count(ctx); n != 2 {
			t.Errorf("regex count = %d", n)
		}

		var pe *orm.PatternError
		_, err := orm.From[QryQuestion](db).Filter("text__regex", "(unclosed").All(ctx)
		if !errors.As(err, &pe) {
			t.Fatalf("invalid pattern: %T %v", err, err)
		}
		var le *orm.LookupError
		if db.Dialect().Name() == "sqlite" && (!errors.As(err, &le) || le.Model != "app.QryQuestion" || !strings.Contains(err.Error(), `lookup "Text__regex"`)) {
			t.Fatalf("SQLite refuses an invalid pattern before SQL, naming model and field: %v", err)
		}
		if _, err := orm.From[QryQuestion](db).Filter("rank__regex", "1").All(ctx); !errors.As(err, &le) {
			t.Fatalf("regex on an int field: %v", err)
		}
	})
}

type QryShift struct {
	ID     int64
	Name   string `anode:"max=10"`
	At     time.Time
	Opens  orm.TimeOfDay
	Closes orm.Null[orm.TimeOfDay]
}

// TestQryClockTransforms checks hour, minute and second on time and
// time-of-day fields, with fractional seconds: the second is truncated
// (59.6 is 59, never 60), on every database.
func TestQryClockTransforms(t *testing.T) {
	forEachDB(t, []any{QryShift{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		tod := func(s string) orm.TimeOfDay {
			v, err := orm.ParseTimeOfDay(s)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		shifts := []QryShift{
			{Name: "a", At: time.Date(2026, 3, 1, 10, 20, 59, 600_000_000, time.UTC), Opens: tod("08:30:59.600000"), Closes: orm.NullOf(tod("17:00"))},
			{Name: "b", At: time.Date(2026, 3, 1, 10, 21, 0, 400_000_000, time.UTC), Opens: tod("08:31:00.400000")},
			{Name: "c", At: time.Date(2026, 3, 1, 23, 59, 59, 999_999_000, time.UTC), Opens: tod("23:59:59.999999"), Closes: orm.NullOf(tod("23:59:30.5"))},
		}
		must(t, orm.BulkCreate(ctx, db, shifts, 0))
		for _, tc := range []struct {
			lookup string
			value  any
			want   string
		}{
			{"at__second", 59, "a c"},
			{"at__second", 60, ""},
			{"at__second", 0, "b"},
			{"at__second__gte", 59, "a c"},
			{"at__minute", 20, "a"},
			{"at__hour__gte", 23, "c"},
			{"opens__hour", 8, "a b"},
			{"opens__hour__gte", 9, "c"},
			{"opens__minute__in", []int{30, 59}, "a c"},
			{"opens__minute__range", []int{31, 58}, "b"},
			{"opens__second", 59, "a c"},
			{"opens__second", 60, ""},
			{"opens__second__lt", 1, "b"},
			{"opens__second__exact", 0, "b"},
			{"closes__hour", 17, "a"},
			{"closes__second", 30, "c"},
			{"closes__minute__lte", 30, "a"},
		} {
			got, err := orm.ValuesList[string](ctx, orm.From[QryShift](db).Filter(tc.lookup, tc.value).OrderBy("name"), "name")
			if err != nil {
				t.Errorf("%s %v: %v", tc.lookup, tc.value, err)
				continue
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("%s %v: got %q, want %q", tc.lookup, tc.value, s, tc.want)
			}
		}
		for _, lookup := range []string{"opens__year", "opens__date", "opens__week_day", "closes__day"} {
			_, err := orm.From[QryShift](db).Filter(lookup, 1).All(ctx)
			var le *orm.LookupError
			if !errors.As(err, &le) || !strings.Contains(le.Reason, "hour, minute and second") {
				t.Errorf("%s: got %v, want a *LookupError listing hour, minute and second", lookup, err)
			}
		}
	})
}
