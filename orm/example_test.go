package orm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/anode-go/anode/orm"
)

type Article struct {
	ID        int64
	Title     string `anode:"max=200"`
	Published time.Time
	Views     int
}

func (Article) Meta() orm.Meta { return orm.Meta{Ordering: []string{"-Views"}} }

func Example() {
	dir, _ := os.MkdirTemp("", "orm-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	r := orm.NewRegistry()
	if err := r.Register("blog", Article{}); err != nil {
		fmt.Println(err)
		return
	}
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(dir, "blog.db"), r, orm.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.CreateTables(ctx)

	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i, title := range []string{"Hello", "Anode", "Go"} {
		orm.Create(ctx, db, &Article{Title: title, Published: now, Views: i * 10})
	}
	popular, _ := orm.From[Article](db).Filter("views__gte", 10).All(ctx)
	for _, a := range popular {
		fmt.Println(a.Title, a.Views)
	}
	_, err = orm.From[Article](db).Filter("title", "Rust").Get(ctx)
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// Go 20
	// Anode 10
	// true
}
