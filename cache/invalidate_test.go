package cache_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/anode-go/anode/cache"
	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/sqlite"
)

type Question struct {
	ID   int64
	Text string `anode:"max=100"`
}

func TestInvalidationFromModels(t *testing.T) {
	ctx := context.Background()
	reg := orm.NewRegistry()
	if err := reg.Register("polls", Question{}); err != nil {
		t.Fatal(err)
	}
	c := open(t, "memory://")
	cache.DeleteOn(reg, c, func(q Question) []string { return []string{"question:" + strconv.FormatInt(q.ID, 10)} })
	cache.ClearOn(reg, c, func(Question) []string { return []string{"polls"} })
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "t.db"), reg, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must(t, db.CreateTables(ctx))

	q := &Question{Text: "first"}
	must(t, orm.Create(ctx, db, q))
	key := "question:" + strconv.FormatInt(q.ID, 10)
	must(t, cache.Set(ctx, c, key, *q, cache.DefaultTTL))
	must(t, cache.Set(ctx, c.Namespace("polls"), "index", "list of 1", cache.DefaultTTL))
	must(t, cache.Set(ctx, c, "unrelated", "stays", cache.DefaultTTL))

	q.Text = "changed"
	must(t, orm.Save(ctx, db, q))
	if _, ok, _ := c.Bytes(ctx, key); ok {
		t.Fatal("Save did not delete the object's key")
	}
	if _, ok, _ := c.Namespace("polls").Bytes(ctx, "index"); ok {
		t.Fatal("Save did not clear the namespace")
	}
	if _, ok, _ := c.Bytes(ctx, "unrelated"); !ok {
		t.Fatal("an unrelated key was removed")
	}
	must(t, cache.Set(ctx, c, key, *q, cache.DefaultTTL))
	must(t, orm.Delete(ctx, db, q))
	if _, ok, _ := c.Bytes(ctx, key); ok {
		t.Fatal("Delete did not delete the object's key")
	}
	// A rolled-back write invalidates nothing.
	must(t, cache.Set(ctx, c, "question:99", "x", cache.DefaultTTL))
	db.Atomic(ctx, func(ctx context.Context) error {
		orm.Create(ctx, db, &Question{ID: 99, Text: "rolled back"})
		return context.Canceled
	})
	if _, ok, _ := c.Bytes(ctx, "question:99"); !ok {
		t.Fatal("a rolled-back write invalidated")
	}
}
