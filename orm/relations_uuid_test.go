package orm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/anode-go/anode/orm"
)

// Relations between models with UUID keys: keys read back from either
// database must match the objects' own.
type RelUDoc struct {
	ID    orm.UUID
	Name  string             `anode:"max=20"`
	Tags  orm.M2M[RelUTag]   `anode:"related=docs"`
	Notes orm.Many[RelUNote] `anode:"related=notes"`
}

type RelUTag struct {
	ID   orm.UUID
	Name string `anode:"max=20"`
}

type RelUNote struct {
	ID  int64
	Doc orm.Ref[RelUDoc, orm.UUID] `anode:"on_delete=protect,related=notes"`
}

func TestRelationsWithUUIDKeys(t *testing.T) {
	forEachDB(t, []any{RelUDoc{}, RelUTag{}, RelUNote{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		doc := RelUDoc{ID: orm.NewUUIDv4(), Name: "doc"}
		must(t, orm.Create(ctx, db, &doc))
		tag := RelUTag{ID: orm.NewUUIDv4(), Name: "t"}
		must(t, orm.Create(ctx, db, &tag))
		tags := orm.ManyOf[RelUTag](db, &doc, "Tags")
		must(t, tags.Add(ctx, tag))
		must(t, tags.Add(ctx, tag)) // already there
		if n, err := tags.Query().Count(ctx); err != nil || n != 1 {
			t.Fatalf("tags: %d, %v", n, err)
		}
		if err := tags.Add(ctx, RelUTag{Name: "unsaved"}); err == nil {
			t.Fatal("adding an unsaved object must be refused")
		}
		note := RelUNote{Doc: orm.Ref[RelUDoc, orm.UUID]{ID: doc.ID}}
		must(t, orm.Create(ctx, db, &note))
		docs, err := orm.From[RelUDoc](db).PrefetchRelated("tags", "notes").All(ctx)
		if err != nil || len(docs) != 1 || len(docs[0].Tags.Loaded()) != 1 || len(docs[0].Notes.Loaded()) != 1 {
			t.Fatalf("prefetch: %+v, %v", docs, err)
		}
		notes, err := orm.From[RelUNote](db).SelectRelated("doc").All(ctx)
		if err != nil || notes[0].Doc.Loaded() == nil || notes[0].Doc.Loaded().ID != doc.ID {
			t.Fatalf("SelectRelated: %+v, %v", notes, err)
		}
		var pe *orm.ProtectedError
		if err := orm.Delete(ctx, db, &doc); !errors.As(err, &pe) || pe.Count != 1 {
			t.Fatalf("protect: %v", err)
		}
		must(t, orm.Delete(ctx, db, &note))
		must(t, orm.Delete(ctx, db, &doc))
		if n, _ := orm.ManyOf[RelUDoc](db, &tag, "docs").Query().Count(ctx); n != 0 {
			t.Fatalf("pairs left after the delete: %d", n)
		}
	})
}
