package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Article2 struct {
	ID    int64
	Title string `anode:"max=50"`
	Slug  string `anode:"max=50"`
}

var errVeto = errors.New("vetoed")

func TestHooks(t *testing.T) {
	forEachDB(t, []any{Article2{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		r := db.Registry()
		var mu sync.Mutex
		var trace, committed []string
		log := func(s string) { mu.Lock(); trace = append(trace, s); mu.Unlock() }

		orm.BeforeSave(r, func(ctx context.Context, a *Article2, op orm.Op) error {
			log("before1:" + op.String())
			a.Slug = strings.ToLower(strings.ReplaceAll(a.Title, " ", "-"))
			return nil
		})
		orm.BeforeSave(r, func(ctx context.Context, a *Article2, op orm.Op) error {
			log("before2:" + a.Slug)
			if a.Title == "forbidden" {
				return errVeto
			}
			return nil
		})
		orm.AfterSave(r, func(ctx context.Context, a *Article2, op orm.Op) error {
			log(fmt.Sprintf("after:%s:%v", op, a.ID != 0))
			if a.Title == "regret" {
				return errVeto
			}
			return nil
		})
		orm.BeforeDelete(r, func(ctx context.Context, a *Article2) error {
			if a.Title == "keep" {
				return errVeto
			}
			return nil
		})
		orm.AfterCommit(r, func(ctx context.Context, a Article2, op orm.Op) {
			mu.Lock()
			committed = append(committed, op.String()+":"+a.Slug)
			mu.Unlock()
		})

		a := Article2{Title: "Hello World"}
		must(t, orm.Create(ctx, db, &a))
		if a.Slug != "hello-world" {
			t.Fatalf("BeforeSave did not set the slug: %+v", a)
		}
		if got, _ := orm.From[Article2](db).Filter("id", a.ID).Get(ctx); got.Slug != "hello-world" {
			t.Fatalf("stored slug %q", got.Slug)
		}
		a.Title = "Hello Again"
		must(t, orm.Save(ctx, db, &a))
		if strings.Join(trace, ",") != "before1:create,before2:hello-world,after:create:true,before1:update,before2:hello-again,after:update:true" {
			t.Fatalf("hook order: %v", trace)
		}

		// Vetoes: before (nothing written) and after (the write is rolled back).
		if err := orm.Create(ctx, db, &Article2{Title: "forbidden"}); !errors.Is(err, errVeto) {
			t.Fatalf("BeforeSave veto: %v", err)
		}
		if err := orm.Create(ctx, db, &Article2{Title: "regret"}); !errors.Is(err, errVeto) {
			t.Fatalf("AfterSave veto: %v", err)
		}
		if n, _ := orm.From[Article2](db).Count(ctx); n != 1 {
			t.Fatalf("vetoed writes left %d rows, want 1", n)
		}
		keep := Article2{Title: "keep"}
		must(t, orm.Create(ctx, db, &keep))
		if err := orm.Delete(ctx, db, &keep); !errors.Is(err, errVeto) {
			t.Fatalf("BeforeDelete veto: %v", err)
		}
		if ok, _ := orm.From[Article2](db).Filter("id", keep.ID).Exists(ctx); !ok {
			t.Fatal("a vetoed delete deleted")
		}
		must(t, orm.Delete(ctx, db, &a))

		// AfterCommit runs only for committed writes, after the commit.
		db.Atomic(ctx, func(ctx context.Context) error {
			orm.Create(ctx, db, &Article2{Title: "Rolled Back"})
			return errBoom
		})
		err := db.Atomic(ctx, func(ctx context.Context) error {
			if err := orm.Create(ctx, db, &Article2{Title: "In Tx"}); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range committed {
				if strings.HasSuffix(c, "in-tx") {
					return errors.New("AfterCommit ran before the commit")
				}
			}
			return nil
		})
		must(t, err)
		want := "create:hello-world,update:hello-again,create:keep,delete:hello-again,create:in-tx"
		if strings.Join(committed, ",") != want {
			t.Fatalf("AfterCommit saw %v, want %s", committed, want)
		}
	})
}
