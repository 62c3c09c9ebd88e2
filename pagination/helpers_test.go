package pagination_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

type Author struct {
	ID   int64
	Name string `anode:"max=50"`
}

// Item has duplicate values in Rank and Group, so ordering by them alone is
// not stable.
type Item struct {
	ID      int64
	Name    string           `anode:"max=50,unique"`
	Rank    int              // duplicates
	Group   string           `anode:"max=10"`
	Created time.Time        // distinct
	Price   orm.Decimal      `anode:"digits=8,places=2"`
	Author  orm.FK[Author]   `anode:"on_delete=cascade"`
	Note    orm.Null[string] // nullable: cannot be a cursor field
}

// forEachDB runs fn on SQLite and PostgreSQL with fresh tables.
func forEachDB(t *testing.T, fn func(t *testing.T, db *orm.DB)) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		r := orm.NewRegistry()
		if err := r.Register("shop", Author{}, Item{}); err != nil {
			t.Fatal(err)
		}
		db, err := orm.Open(context.Background(), rawURL, r, orm.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.CreateTables(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	})
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// seed creates n items: Name item-00…, Rank i%4 (duplicates), Group a or b,
// Created a minute apart, Price i.50, two authors in turn.
func seed(t testing.TB, db *orm.DB, n int) []Item {
	t.Helper()
	ctx := context.Background()
	authors := []Author{{Name: "ana"}, {Name: "bo"}}
	for i := range authors {
		if err := orm.Create(ctx, db, &authors[i]); err != nil {
			t.Fatal(err)
		}
	}
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{
			Name:    fmt.Sprintf("item-%02d", i),
			Rank:    i % 4,
			Group:   []string{"a", "b"}[i%2],
			Created: base.Add(time.Duration(i) * time.Minute),
			Price:   orm.NewDecimal(int64(i*100+50), 2),
			Author:  orm.FK[Author]{ID: authors[i%2].ID},
		}
	}
	if err := orm.BulkCreate(ctx, db, items, 0); err != nil {
		t.Fatal(err)
	}
	return items
}

func names(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}
