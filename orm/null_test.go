package orm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type FldNullable struct {
	ID     int64
	Name   orm.Null[string]
	Count  orm.Null[int64]
	Small  orm.Null[int32]
	When   orm.Null[time.Time]
	Ratio  orm.Null[float64]
	Flag   orm.Null[bool]
	Dur    orm.Null[time.Duration]
	Blob   orm.Null[[]byte]
	Price  orm.Null[orm.Decimal] `anode:"digits=8,places=2"`
	Day    orm.Null[orm.Date]
	At     orm.Null[orm.TimeOfDay]
	Ref    orm.Null[orm.UUID]
	Status orm.Null[FldStatus]
	Prio   orm.Null[FldPriority]
	PDay   *orm.Date
	PID    *orm.UUID
	PAt    *orm.TimeOfDay
	PDoc   *orm.JSON[[]string]
	PStat  *FldStatus
}

func TestFldNullRoundTrip(t *testing.T) {
	forEachDB(t, []any{FldNullable{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		when := time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)
		full := FldNullable{
			Name: orm.NullOf("ana"), Count: orm.NullOf[int64](5), Small: orm.NullOf[int32](-3),
			When: orm.NullOf(when), Ratio: orm.NullOf(0.25), Flag: orm.NullOf(false),
			Dur: orm.NullOf(90 * time.Second), Blob: orm.NullOf([]byte{0, 1, 2}),
			Price: orm.NullOf(orm.MustDecimal("12.50")), Day: orm.NullOf(orm.NewDate(2026, 2, 28)),
			At: orm.NullOf(orm.TimeOfDay{Hour: 9, Minute: 5}), Ref: orm.NullOf(orm.NewUUIDv4()),
			Status: orm.NullOf(FldPublished), Prio: orm.NullOf(FldPriority(2)),
			PDay: &orm.Date{Year: 2020, Month: 1, Day: 2}, PID: new(orm.UUID), PAt: &orm.TimeOfDay{Hour: 1},
			PDoc: &orm.JSON[[]string]{V: []string{"a"}}, PStat: new(FldStatus),
		}
		*full.PID = orm.NewUUIDv7()
		*full.PStat = FldDraft
		if err := orm.Create(ctx, db, &full); err != nil {
			t.Fatal(err)
		}
		empty := FldNullable{}
		if err := orm.Create(ctx, db, &empty); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[FldNullable](db).Filter("id", full.ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Price.Valid || !got.Price.V.Equal(full.Price.V) || got.Price.V.String() != "12.50" {
			t.Errorf("price: %+v", got.Price)
		}
		got.Price, full.Price = orm.Null[orm.Decimal]{}, orm.Null[orm.Decimal]{} // big.Int pointers differ
		if !reflect.DeepEqual(got, full) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, full)
		}
		gotEmpty, err := orm.From[FldNullable](db).Filter("id", empty.ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotEmpty, empty) {
			t.Errorf("NULL round trip: got %+v", gotEmpty)
		}

		// Lookups take T, Null[T] and nil.
		for _, tc := range []struct {
			lookup string
			value  any
			want   int64
		}{
			{"count", int64(5), full.ID},
			{"count", orm.NullOf[int64](5), full.ID},
			{"count", orm.Null[int64]{}, empty.ID},
			{"count", nil, empty.ID},
			{"count__isnull", true, empty.ID},
			{"count__isnull", false, full.ID},
			{"count__gt", 4, full.ID},
			{"name", "ana", full.ID},
			{"status", FldPublished, full.ID},
			{"prio", FldPriority(2), full.ID},
			{"price__gte", orm.MustDecimal("12.5"), full.ID},
			{"day", orm.NewDate(2026, 2, 28), full.ID},
			{"day__month", 2, full.ID},
			{"ref", full.Ref.V, full.ID},
			{"ref", full.Ref.V.String(), full.ID},
			{"when__isnull", true, empty.ID},
		} {
			rows, err := orm.From[FldNullable](db).Filter(tc.lookup, tc.value).All(ctx)
			if err != nil {
				t.Errorf("%s %v: %v", tc.lookup, tc.value, err)
				continue
			}
			if len(rows) != 1 || rows[0].ID != tc.want {
				t.Errorf("%s %v: got %d rows", tc.lookup, tc.value, len(rows))
			}
		}
		if _, err := orm.From[FldNullable](db).Filter("count__in", []any{orm.Null[int64]{}}).All(ctx); err == nil {
			t.Error("an invalid Null inside in must be refused")
		}
		for _, l := range []string{"PDay", "PID", "PAt", "PDoc", "PStat"} {
			if n, err := orm.From[FldNullable](db).Filter(l+"__isnull", true).Count(ctx); err != nil || n != 1 {
				t.Errorf("%s__isnull: %d %v", l, n, err)
			}
		}
		// Fixtures carry every type, NULLs included.
		var buf bytes.Buffer
		if err := orm.Dump(ctx, db, &buf, "app"); err != nil {
			t.Fatal(err)
		}
		if _, err := orm.From[FldNullable](db).Delete(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := orm.Load(ctx, db, &buf); err != nil || n != 2 {
			t.Fatalf("load: %d %v\n%s", n, err, buf.String())
		}
		reloaded, err := orm.From[FldNullable](db).Filter("id", full.ID).Get(ctx)
		if err != nil || reloaded.Price.V.String() != "12.50" {
			t.Fatalf("reloaded: %+v %v", reloaded, err)
		}
		reloaded.Price = orm.Null[orm.Decimal]{}
		if !reflect.DeepEqual(reloaded, full) {
			t.Errorf("fixture round trip:\n got %+v\nwant %+v", reloaded, full)
		}
		// Update to NULL and back.
		if _, err := orm.From[FldNullable](db).Filter("id", full.ID).Update(ctx, orm.Set("count", nil)); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[FldNullable](db).Filter("count__isnull", true).Count(ctx); n != 2 {
			t.Errorf("after Set(count, nil): %d NULL counts, want 2", n)
		}
		if _, err := orm.From[FldNullable](db).Filter("id", full.ID).Update(ctx, orm.Set("price", orm.Null[orm.Decimal]{}),
			orm.Set("name", orm.NullOf("eva")), orm.Set("PDoc", orm.NullOf(orm.JSONOf([]string{"z"})))); err != nil {
			t.Fatal(err)
		}
		if g, err := orm.From[FldNullable](db).Filter("id", full.ID).Get(ctx); err != nil || g.Price.Valid || g.Name.V != "eva" || g.PDoc == nil || g.PDoc.V[0] != "z" {
			t.Errorf("Update with Null values: %+v %v", g, err)
		}
	})
}

func TestFldNullJSON(t *testing.T) {
	type doc struct {
		A orm.Null[int]    `json:"a"`
		B orm.Null[string] `json:"b"`
	}
	b, err := json.Marshal(doc{A: orm.NullOf(7)})
	if err != nil || string(b) != `{"a":7,"b":null}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"a":null,"b":"x"}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.A.Valid || !d.B.Valid || d.B.V != "x" {
		t.Errorf("unmarshal: %+v", d)
	}
	if p := orm.NullOf(3).Ptr(); p == nil || *p != 3 {
		t.Error("Ptr")
	}
	if (orm.Null[int]{}).Ptr() != nil {
		t.Error("Ptr of NULL")
	}
}

func TestFldNullMetadata(t *testing.T) {
	r := orm.NewRegistry()
	if err := r.Register("app", FldNullable{}); err != nil {
		t.Fatal(err)
	}
	m, _ := orm.ModelOf[FldNullable](r)
	for name, kind := range map[string]orm.Kind{"Name": orm.KindText, "Count": orm.KindInt, "When": orm.KindTime,
		"Price": orm.KindDecimal, "Day": orm.KindDate, "At": orm.KindTimeOfDay, "Ref": orm.KindUUID, "Status": orm.KindText} {
		f, _ := m.Field(name)
		if f == nil || !f.Null || f.Kind != kind {
			t.Errorf("%s: %+v, want NULL %s", name, f, kind)
		}
	}
	f, _ := m.Field("Status")
	if len(f.Choices) != 3 {
		t.Errorf("Null[FldStatus] choices: %v", f.Choices)
	}
	type NestedNull struct {
		ID int64
		X  orm.Null[*int]
	}
	err := orm.NewRegistry().Register("app", NestedNull{})
	var me *orm.ModelError
	if !errors.As(err, &me) || me.Field != "X" {
		t.Errorf("Null[*int]: %v", err)
	}
}
