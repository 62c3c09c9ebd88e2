package orm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anode-go/anode/orm"
)

// ExDrink is an enum: its Choices method gives fields of the type their
// choices, and writes refuse other values.
type ExDrink string

func (ExDrink) Choices() []orm.Choice {
	return []orm.Choice{{Value: ExDrink("tea"), Label: "Tea"}, {Value: ExDrink("coffee"), Label: "Coffee"}}
}

type ExOrder struct {
	ID    orm.UUID    // a UUID primary key, assigned a v7 UUID by Create
	Drink ExDrink     `anode:"max=10"`
	Price orm.Decimal `anode:"digits=6,places=2"`
	Note  orm.Null[string]
	Extra orm.JSON[map[string]any]
}

func openExample(models ...any) (*orm.DB, func()) {
	dir, _ := os.MkdirTemp("", "orm-fields-example")
	r := orm.NewRegistry()
	if err := r.Register("cafe", models...); err != nil {
		panic(err)
	}
	db, err := orm.Open(context.Background(), "sqlite:///"+filepath.Join(dir, "cafe.db"), r, orm.OpenOptions{})
	if err != nil {
		panic(err)
	}
	if err := db.CreateTables(context.Background()); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

// Field types beyond Go's own: enums with choices, a UUID key, an exact
// decimal, a nullable string and a JSON document with key-path lookups.
func Example_fieldTypes() {
	db, done := openExample(ExOrder{})
	defer done()
	ctx := context.Background()

	orders := []ExOrder{
		{Drink: "tea", Price: orm.MustDecimal("2.50"), Extra: orm.JSONOf(map[string]any{"milk": true, "size": "large"})},
		{Drink: "coffee", Price: orm.MustDecimal("3.10"), Note: orm.NullOf("to go"), Extra: orm.JSONOf(map[string]any{"size": "small"})},
	}
	for i := range orders {
		if err := orm.Create(ctx, db, &orders[i]); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("v7 key:", orders[0].ID.Version())

	total, _ := orm.SumDecimal(ctx, orm.From[ExOrder](db), "price")
	fmt.Println("total:", total)

	large, _ := orm.From[ExOrder](db).Filter("extra__size", "large").All(ctx)
	fmt.Println("large:", large[0].Drink)
	withNote, _ := orm.From[ExOrder](db).Filter("note__isnull", false).Count(ctx)
	fmt.Println("with a note:", withNote)

	err := orm.Create(ctx, db, &ExOrder{Drink: "juice", Price: orm.MustDecimal("1")})
	fmt.Println(errors.Is(err, orm.ErrInvalidValue), err)
	err = orm.Create(ctx, db, &ExOrder{Drink: "tea", Price: orm.MustDecimal("1.005")})
	fmt.Println(err)
	// Output:
	// v7 key: 7
	// total: 5.60
	// large: tea
	// with a note: 1
	// true orm: model cafe.ExOrder, field Drink: value juice: not one of the choices (tea, coffee)
	// orm: model cafe.ExOrder, field Price: value 1.005: has 3 places after the point; the field allows 2 (round it first)
}

// Decimal arithmetic is exact.
func ExampleDecimal() {
	price := orm.MustDecimal("19.99")
	qty := orm.NewDecimal(3, 0)
	total := price.Mul(qty)
	fmt.Println(total, total.Cmp(orm.MustDecimal("59.97")) == 0)
	fmt.Println(orm.MustDecimal("0.1").Add(orm.MustDecimal("0.2")))
	b, _ := json.Marshal(total)
	fmt.Println(string(b))
	// Output:
	// 59.97 true
	// 0.3
	// "59.97"
}

// Null marshals as null or its value.
func ExampleNull() {
	type Profile struct {
		Nick orm.Null[string] `json:"nick"`
		Age  orm.Null[int]    `json:"age"`
	}
	b, _ := json.Marshal(Profile{Nick: orm.NullOf("ana")})
	fmt.Println(string(b))
	// Output: {"nick":"ana","age":null}
}

// ParseUUID accepts the usual forms; String is canonical.
func ExampleParseUUID() {
	u, err := orm.ParseUUID("{F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6}")
	fmt.Println(u, u.Version(), err)
	// Output: f81d4fae-7dec-11d0-a765-00a0c91e6bf6 1 <nil>
}
