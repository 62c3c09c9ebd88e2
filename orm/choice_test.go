package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

// FldStatus is a string enum with its choices.
type FldStatus string

const (
	FldDraft     FldStatus = "draft"
	FldPublished FldStatus = "published"
	FldArchived  FldStatus = "archived"
)

func (FldStatus) Choices() []orm.Choice {
	return []orm.Choice{{Value: FldDraft, Label: "Draft"}, {Value: FldPublished, Label: "Published"}, {Value: FldArchived, Label: "Archived"}}
}

// FldPriority is an integer enum.
type FldPriority int

func (FldPriority) Choices() []orm.Choice {
	return []orm.Choice{{Value: FldPriority(1), Label: "Low"}, {Value: FldPriority(2), Label: "High"}}
}

type FldPost struct {
	ID       int64
	Title    string
	Status   FldStatus   `anode:"max=10"`
	Priority FldPriority `anode:"default=1"`
	Old      *FldStatus
	Size     string `anode:"max=1,choices=s:Small|l:Large,default=s"`
}

func TestFldChoices(t *testing.T) {
	forEachDB(t, []any{FldPost{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		m, _ := orm.ModelOf[FldPost](db.Registry())
		f, _ := m.Field("Status")
		if len(f.Choices) != 3 || f.Choices[1].Value != FldPublished || f.Choices[1].Label != "Published" || f.Kind != orm.KindString {
			t.Errorf("Status choices: %+v", f.Choices)
		}
		pf, _ := m.Field("Priority")
		if len(pf.Choices) != 2 || pf.Choices[0].Value != FldPriority(1) {
			t.Errorf("Priority choices: %+v", pf.Choices)
		}

		ok := FldPost{Title: "a", Status: FldDraft}
		if err := orm.Create(ctx, db, &ok); err != nil {
			t.Fatal(err)
		}
		if ok.Priority != 1 {
			t.Errorf("default priority %d", ok.Priority)
		}
		wantRefused := func(what string, err error, field string) {
			t.Helper()
			var ve *orm.ValueError
			if !errors.Is(err, orm.ErrInvalidValue) || !errors.As(err, &ve) {
				t.Fatalf("%s: want a *ValueError, got %v", what, err)
			}
			if ve.Model != "app.FldPost" || ve.Field != field || !strings.Contains(ve.Error(), "not one of the choices") {
				t.Errorf("%s: %v", what, ve)
			}
		}
		bad := FldPost{Title: "b", Status: "deleted"}
		err := orm.Create(ctx, db, &bad)
		wantRefused("Create", err, "Status")
		if !strings.Contains(err.Error(), "draft, published, archived") {
			t.Errorf("message should list the choices: %v", err)
		}
		badPrio := FldPost{Title: "c", Status: FldDraft, Priority: 7}
		wantRefused("Create priority", orm.Create(ctx, db, &badPrio), "Priority")
		old := FldStatus("gone")
		wantRefused("Create pointer", orm.Create(ctx, db, &FldPost{Title: "d", Status: FldDraft, Old: &old}), "Old")
		wantRefused("Create tag choices", orm.Create(ctx, db, &FldPost{Title: "e", Status: FldDraft, Size: "m"}), "Size")
		ok.Status = "nope"
		wantRefused("Save", orm.Save(ctx, db, &ok), "Status")
		_, err = orm.From[FldPost](db).Update(ctx, orm.Set("status", FldStatus("nope")))
		wantRefused("Update", err, "Status")
		_, err = orm.From[FldPost](db).Update(ctx, orm.Set("status", "nope"))
		wantRefused("Update string", err, "Status")
		err = orm.BulkCreate(ctx, db, []FldPost{{Title: "x", Status: FldDraft}, {Title: "y", Status: "zzz"}}, 0)
		wantRefused("BulkCreate", err, "Status")
		if n, _ := orm.From[FldPost](db).Count(ctx); n != 1 {
			t.Errorf("refused writes must not reach the database: %d rows", n)
		}
		// Valid values pass everywhere; enums filter and read back typed.
		if _, err := orm.From[FldPost](db).Update(ctx, orm.Set("status", FldArchived), orm.Set("priority", FldPriority(2))); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[FldPost](db).Filter("status", FldArchived).Filter("priority__gte", FldPriority(2)).Get(ctx)
		if err != nil || got.Status != FldArchived || got.Priority != 2 || got.Old != nil {
			t.Errorf("read back %+v, %v", got, err)
		}
	})
}

type fldBadChoice int

func (fldBadChoice) Choices() []orm.Choice { return []orm.Choice{{Value: "one", Label: "One"}} }

func TestFldChoiceDefinitionErrors(t *testing.T) {
	type BadChoiceType struct {
		ID int64
		X  fldBadChoice
	}
	type BothChoices struct {
		ID int64
		S  FldStatus `anode:"choices=a|b"`
	}
	for _, tc := range []struct {
		model any
		field string
		want  string
	}{
		{BadChoiceType{}, "X", "is not a orm_test.fldBadChoice"},
		{BothChoices{}, "S", "has a Choices method"},
	} {
		err := orm.NewRegistry().Register("app", tc.model)
		var me *orm.ModelError
		if !errors.As(err, &me) || me.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T: %v, want field %s and %q", tc.model, err, tc.field, tc.want)
		}
	}
}
