package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Quiz struct {
	ID    int64
	Title string `anode:"max=50"`
}

type Answer struct {
	ID   int64
	Quiz orm.FK[Quiz] `anode:"on_delete=cascade,related=answers"`
	Text string       `anode:"max=50"`
}

type Category struct {
	ID     int64
	Name   string                 `anode:"max=50"`
	Parent orm.FK[Category]       `anode:"null,on_delete=set_null"`
	Owner  orm.FK[Owner]          `anode:"on_delete=protect"`
	Label  orm.Ref[Label, string] `anode:"null,on_delete=restrict"`
}

type Owner struct {
	ID   int64
	Name string `anode:"max=50"`
}

type Label struct {
	Code string `anode:"pk,max=10"`
}

func TestForeignKeys(t *testing.T) {
	// Registered out of dependency order on purpose: Resolve and Ordered sort it out.
	forEachDB(t, []any{Category{}, Answer{}, Quiz{}, Owner{}, Label{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		m, _ := orm.ModelOf[Answer](db.Registry())
		f, _ := m.Field("Quiz")
		if f.Column != "quiz_id" || f.Kind != orm.KindForeignKey || f.Related == nil || f.Related.Name != "Quiz" || f.RelatedName != "answers" {
			t.Fatalf("FK metadata: %+v", f)
		}
		if byCol, _ := m.Field("quiz_id"); byCol != f {
			t.Fatal("FK not found by column name")
		}

		q := Quiz{Title: "capitals"}
		must(t, orm.Create(ctx, db, &q))
		a1 := Answer{Quiz: orm.FK[Quiz]{ID: q.ID}, Text: "Paris"}
		must(t, orm.Create(ctx, db, &a1))
		must(t, orm.Create(ctx, db, &Answer{Quiz: orm.RefTo(q.ID, &q), Text: "Rome"}))

		// Filter by key, by Ref, by column name; lazy Get.
		for _, v := range []any{q.ID, int(q.ID), a1.Quiz} {
			if n, err := orm.From[Answer](db).Filter("quiz", v).Count(ctx); err != nil || n != 2 {
				t.Errorf("Filter quiz=%v (%T): %d, %v", v, v, n, err)
			}
		}
		if n, _ := orm.From[Answer](db).Filter("quiz_id__in", []int64{q.ID, 999}).Count(ctx); n != 2 {
			t.Errorf("quiz_id__in: %d", n)
		}
		got, err := orm.From[Answer](db).Filter("text", "Paris").Get(ctx)
		if err != nil || got.Quiz.ID != q.ID || got.Quiz.Loaded() != nil {
			t.Fatalf("read FK: %+v, %v", got, err)
		}
		quiz, err := got.Quiz.Get(ctx, db)
		if err != nil || quiz.Title != "capitals" {
			t.Fatalf("Ref.Get: %+v, %v", quiz, err)
		}
		if _, err := orm.From[Answer](db).Filter("quiz", "x").All(ctx); err == nil {
			t.Error("a string key for an int64 foreign key must be refused")
		}

		// The database enforces the reference.
		err = orm.Create(ctx, db, &Answer{Quiz: orm.FK[Quiz]{ID: 424242}, Text: "orphan"})
		var ie *orm.IntegrityError
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("dangling reference: %v", err)
		}

		// Cascade.
		must(t, orm.Delete(ctx, db, &q))
		if n, _ := orm.From[Answer](db).Count(ctx); n != 0 {
			t.Fatalf("cascade left %d answers", n)
		}

		// Nullable self-reference with set_null; protect; string keys with restrict.
		owner := Owner{Name: "ana"}
		must(t, orm.Create(ctx, db, &owner))
		label := Label{Code: "geo"}
		must(t, orm.Create(ctx, db, &label))
		root := Category{Name: "root", Owner: orm.FK[Owner]{ID: owner.ID}}
		must(t, orm.Create(ctx, db, &root))
		child := Category{Name: "child", Parent: orm.FK[Category]{ID: root.ID}, Owner: orm.FK[Owner]{ID: owner.ID}, Label: orm.Ref[Label, string]{ID: "geo"}}
		must(t, orm.Create(ctx, db, &child))

		gotRoot, _ := orm.From[Category](db).Filter("name", "root").Get(ctx)
		if !gotRoot.Parent.IsZero() || !gotRoot.Label.IsZero() {
			t.Fatalf("NULL foreign keys read back as %+v", gotRoot)
		}
		if n, _ := orm.From[Category](db).Filter("parent__isnull", true).Count(ctx); n != 1 {
			t.Fatalf("parent__isnull: %d", n)
		}
		if n, _ := orm.From[Category](db).Filter("label", "geo").Count(ctx); n != 1 {
			t.Fatalf("string key filter: %d", n)
		}
		err = orm.Delete(ctx, db, &owner)
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("protect: %v", err)
		}
		err = orm.Delete(ctx, db, &label)
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("restrict: %v", err)
		}
		must(t, orm.Delete(ctx, db, &root))
		gotChild, err := orm.From[Category](db).Filter("name", "child").Get(ctx)
		if err != nil || !gotChild.Parent.IsZero() || gotChild.Label.ID != "geo" {
			t.Fatalf("set_null: %+v, %v", gotChild, err)
		}
	})
}

func TestForeignKeyDefinitionErrors(t *testing.T) {
	type NoOnDelete struct {
		ID   int64
		Quiz orm.FK[Quiz]
	}
	type SetNullNotNull struct {
		ID   int64
		Quiz orm.FK[Quiz] `anode:"on_delete=set_null"`
	}
	type BadOnDelete struct {
		ID   int64
		Quiz orm.FK[Quiz] `anode:"on_delete=explode"`
	}
	type Dangling struct {
		ID    int64
		Owner orm.FK[Owner] `anode:"on_delete=cascade"`
	}
	type WrongKey struct {
		ID    int64
		Label orm.FK[Label] `anode:"on_delete=cascade"`
	}
	type NullPlain struct {
		ID   int64
		Name string `anode:"null"`
	}
	for _, tt := range []struct {
		models []any
		want   string
	}{
		{[]any{Quiz{}, NoOnDelete{}}, "needs on_delete="},
		{[]any{Quiz{}, SetNullNotNull{}}, "set_null needs the null tag option"},
		{[]any{Quiz{}, BadOnDelete{}}, `on_delete="explode"`},
		{[]any{Dangling{}}, "not a registered model"},
		{[]any{Label{}, WrongKey{}}, "does not match app.Label's primary key"},
		{[]any{NullPlain{}}, "make other fields nullable with a pointer"},
		{[]any{CycleA{}, CycleB{}}, "foreign keys form a cycle"},
	} {
		r := orm.NewRegistry()
		err := r.Register("app", tt.models...)
		if err == nil {
			_, err = r.Ordered()
		}
		var me *orm.ModelError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T…: %v, want a ModelError containing %q", tt.models[len(tt.models)-1], err, tt.want)
		}
	}
}

type CycleA struct {
	ID int64
	B  orm.FK[CycleB] `anode:"on_delete=cascade"`
}

type CycleB struct {
	ID int64
	A  orm.FK[CycleA] `anode:"on_delete=cascade"`
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
