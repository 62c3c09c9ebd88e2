package orm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anode-go/anode/orm"
)

type ChoiceColor struct {
	ID   int64
	Name string `anode:"max=20"`
}

func (c ChoiceColor) String() string { return "color " + c.Name }

func (ChoiceColor) Meta() orm.Meta { return orm.Meta{Ordering: []string{"-Name"}} }

type ChoicePlain struct {
	ID   int64
	Name string `anode:"max=20"`
}

// TestRowChoices checks the rows offered as choices: the model's ordering,
// String labels (the key without one), and the cut at max.
func TestRowChoices(t *testing.T) {
	forEachDB(t, []any{ChoiceColor{}, ChoicePlain{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, n := range []string{"red", "green", "blue"} {
			if err := orm.Create(ctx, db, &ChoiceColor{Name: n}); err != nil {
				t.Fatal(err)
			}
			if err := orm.Create(ctx, db, &ChoicePlain{Name: n}); err != nil {
				t.Fatal(err)
			}
		}
		colors, _ := orm.ModelOf[ChoiceColor](db.Registry())
		plain, _ := orm.ModelOf[ChoicePlain](db.Registry())
		cs, more, err := orm.RowChoices(ctx, db, colors, 10)
		if got := fmt.Sprint(cs); err != nil || more || got != "[{1 color red} {2 color green} {3 color blue}]" {
			t.Fatalf("colors: %s %v %v", got, more, err)
		}
		cs, more, err = orm.RowChoices(ctx, db, plain, 2)
		if got := fmt.Sprint(cs); err != nil || !more || got != "[{1 1} {2 2}]" {
			t.Fatalf("plain, at most 2: %s %v %v", got, more, err)
		}
		cs, more, err = orm.RowChoices(ctx, db, plain, 3)
		if err != nil || more || len(cs) != 3 {
			t.Fatalf("plain, exactly 3: %v %v %v", cs, more, err)
		}
	})
}
