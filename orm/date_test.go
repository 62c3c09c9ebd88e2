package orm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type FldEvent struct {
	ID    int64
	Name  string
	Day   orm.Date
	Start orm.TimeOfDay
}

func TestFldDateAndTimeOfDay(t *testing.T) {
	forEachDB(t, []any{FldEvent{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		events := []FldEvent{
			{Name: "leap", Day: orm.NewDate(2024, time.February, 29), Start: orm.TimeOfDay{Hour: 23, Minute: 59, Second: 59, Microsecond: 999999}},
			{Name: "new", Day: orm.NewDate(2026, time.January, 1), Start: orm.TimeOfDay{Hour: 0}},
			{Name: "old", Day: orm.NewDate(1999, time.December, 31), Start: orm.TimeOfDay{Hour: 9, Minute: 30, Microsecond: 5}},
		}
		if err := orm.BulkCreate(ctx, db, events, 0); err != nil {
			t.Fatal(err)
		}
		rows, err := orm.From[FldEvent](db).OrderBy("day").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Name != "old" || rows[2].Name != "new" || rows[1] != events[0] || rows[0] != events[2] {
			t.Fatalf("round trip / order: %+v", rows)
		}
		byTime, _ := orm.From[FldEvent](db).OrderBy("-start").All(ctx)
		if len(byTime) != 3 || byTime[0].Name != "leap" || byTime[2].Name != "new" {
			t.Errorf("time order: %+v", byTime)
		}
		for _, tc := range []struct {
			lookup string
			value  any
			want   int64
		}{
			{"day", orm.NewDate(2024, 2, 29), 1},
			{"day__year", 2024, 1},
			{"day__month", 12, 1},
			{"day__day__in", []int{1, 31}, 2},
			{"day__year__gte", 2000, 2},
			{"day__lt", orm.NewDate(2025, 1, 1), 2},
			{"start__gt", orm.TimeOfDay{Hour: 9, Minute: 30}, 2},
			{"start", orm.TimeOfDay{Hour: 9, Minute: 30, Microsecond: 5}, 1},
		} {
			n, err := orm.From[FldEvent](db).Filter(tc.lookup, tc.value).Count(ctx)
			if err != nil || n != tc.want {
				t.Errorf("%s %v: %d %v, want %d", tc.lookup, tc.value, n, err, tc.want)
			}
		}
		if _, err := orm.From[FldEvent](db).Filter("day__hour", 1).Count(ctx); err == nil {
			t.Error("hour on a date must be refused")
		}
		if _, err := orm.From[FldEvent](db).Filter("day", time.Now()).Count(ctx); err == nil {
			t.Error("a time.Time value for a date field must be refused")
		}
		var ve *orm.ValueError
		if err := orm.Create(ctx, db, &FldEvent{Name: "zero"}); !errors.As(err, &ve) || ve.Field != "Day" {
			t.Errorf("zero date: %v", err)
		}
		if err := orm.Create(ctx, db, &FldEvent{Name: "bad", Day: orm.NewDate(2026, 1, 1), Start: orm.TimeOfDay{Hour: 24}}); !errors.As(err, &ve) || ve.Field != "Start" {
			t.Errorf("hour 24: %v", err)
		}
	})
}

func TestFldDateValues(t *testing.T) {
	d, err := orm.ParseDate("2026-03-01")
	if err != nil || d != (orm.Date{Year: 2026, Month: 3, Day: 1}) || d.String() != "2026-03-01" {
		t.Errorf("ParseDate %v %v", d, err)
	}
	if d.AddDays(-1) != orm.NewDate(2026, 2, 28) || d.Compare(d.AddDays(1)) != -1 {
		t.Error("AddDays/Compare")
	}
	for _, bad := range []string{"2026-02-30", "26-01-01", "2026-1-1", ""} {
		if _, err := orm.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{"15:04": "15:04:00", "15:04:05": "15:04:05", "15:04:05.5": "15:04:05.500000", "00:00:00.000001": "00:00:00.000001"} {
		tod, err := orm.ParseTimeOfDay(in)
		if err != nil || tod.String() != want {
			t.Errorf("ParseTimeOfDay(%q) = %s %v, want %s", in, tod, err, want)
		}
	}
	for _, bad := range []string{"24:00", "12:60", "1:2:3:4", "12:00:00.0000001"} {
		if _, err := orm.ParseTimeOfDay(bad); err == nil {
			t.Errorf("ParseTimeOfDay(%q) accepted", bad)
		}
	}
}
