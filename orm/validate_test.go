package orm_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type VldItem struct {
	ID     int64
	Status string      `anode:"max=10,choices=draft:Draft|live:Live,default=draft"`
	Price  orm.Decimal `anode:"digits=5,places=2"`
	Data   orm.JSON[any]
	Note   string `anode:"max=20"`
}

// TestVldWritesCheckValues checks that BulkUpdate and SaveFields refuse
// the values Create and Save refuse, with a *ValueError before any SQL, so
// that nothing is written when one object is invalid.
func TestVldWritesCheckValues(t *testing.T) {
	forEachDB(t, []any{VldItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		orm.BeforeSave(db.Registry(), func(ctx context.Context, it *VldItem, op orm.Op) error {
			if it.Note == "hook" {
				it.Status = "hooked" // a hook's change is checked too
			}
			return nil
		})
		items := []VldItem{{Price: orm.MustDecimal("1.00"), Data: orm.JSONOf[any]("a")}, {Price: orm.MustDecimal("2.00"), Data: orm.JSONOf[any]("b")}}
		must(t, orm.BulkCreate(ctx, db, items, 0))
		before, err := orm.From[VldItem](db).OrderBy("id").All(ctx)
		must(t, err)

		bad := []struct {
			name   string
			field  string
			change func(*VldItem)
			reason string
		}{
			{"choice", "status", func(it *VldItem) { it.Status = "deleted" }, "not one of the choices"},
			{"places", "price", func(it *VldItem) { it.Price = orm.MustDecimal("1.234") }, "places"},
			{"digits", "price", func(it *VldItem) { it.Price = orm.MustDecimal("1234.5") }, "digits"},
			{"json", "data", func(it *VldItem) { it.Data = orm.JSONOf[any](math.Inf(1)) }, "JSON"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				objs := append([]VldItem(nil), before...)
				objs[0].Note = "written?"
				tc.change(&objs[1])
				n, err := orm.BulkUpdate(ctx, db, objs, tc.field, "note")
				var ve *orm.ValueError
				if !errors.As(err, &ve) || !errors.Is(err, orm.ErrInvalidValue) || !strings.Contains(ve.Reason, tc.reason) || n != 0 {
					t.Errorf("BulkUpdate: %d, %v; want a *ValueError about %q", n, err, tc.reason)
				} else if !strings.Contains(err.Error(), "object 1") || !strings.EqualFold(ve.Field, tc.field) {
					t.Errorf("BulkUpdate error names no object or field: %v", err)
				}
				one := objs[1]
				one.Note = "written?"
				err = orm.SaveFields(ctx, db, &one, tc.field, "note")
				if !errors.As(err, &ve) || !errors.Is(err, orm.ErrInvalidValue) || !strings.Contains(ve.Reason, tc.reason) {
					t.Errorf("SaveFields: %v; want a *ValueError about %q", err, tc.reason)
				}
				after, err := orm.From[VldItem](db).OrderBy("id").All(ctx)
				must(t, err)
				for i := range after {
					if after[i].Note != before[i].Note || after[i].Status != before[i].Status || after[i].Price.Cmp(before[i].Price) != 0 {
						t.Errorf("row %d written: %+v", i, after[i])
					}
				}
			})
		}

		// Only the named fields are checked: an invalid value in a field
		// that is not written does not stop the write.
		objs := append([]VldItem(nil), before...)
		objs[0].Status, objs[0].Note = "deleted", "one"
		if n, err := orm.BulkUpdate(ctx, db, objs, "note"); err != nil || n != 2 {
			t.Errorf("BulkUpdate of a valid field: %d, %v", n, err)
		}
		if err := orm.SaveFields(ctx, db, &objs[0], "note"); err != nil {
			t.Errorf("SaveFields of a valid field: %v", err)
		}
		// Valid values are written, decimals exactly.
		objs[0].Status, objs[0].Price = "live", orm.MustDecimal("999.99")
		if _, err := orm.BulkUpdate(ctx, db, objs, "status", "price"); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[VldItem](db).Filter("id", objs[0].ID).Get(ctx)
		if err != nil || got.Status != "live" || got.Price.String() != "999.99" || got.Note != "one" {
			t.Errorf("after valid BulkUpdate: %+v %v", got, err)
		}
		// A before-save hook's change is checked as well.
		got.Note = "hook"
		var ve *orm.ValueError
		if err := orm.SaveFields(ctx, db, &got, "status", "note"); !errors.As(err, &ve) || ve.Value != "hooked" {
			t.Errorf("SaveFields after a hook set an invalid value: %v", err)
		}
		if n, err := orm.From[VldItem](db).Filter("note", "hook").Count(ctx); err != nil || n != 0 {
			t.Errorf("the hook's invalid value was written: %d %v", n, err)
		}
	})
}
