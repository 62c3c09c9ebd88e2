package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

// EmbAccount is a reusable set of fields, not a model itself: models
// embed it, and foreign keys may name it.
type EmbAccount struct {
	ID     int64
	Login  string             `anode:"max=50,unique"`
	Active bool               `anode:"default=true"`
	Roles  orm.M2M[EmbRole]   `anode:"related=accounts"`
	Note   orm.Null[string]   `anode:"max=20"`
	Boss   orm.FK[EmbAccount] `anode:"null,on_delete=set_null,related=reports"`
}

// EmbMember is the model: EmbAccount's fields promoted, plus its own.
type EmbMember struct {
	EmbAccount
	Bio  string `anode:"max=100"`
	Note string `anode:"max=30"` // hides EmbAccount.Note, as Go does
}

type EmbRole struct {
	ID   int64
	Name string `anode:"max=20"`
}

// EmbKey refers to EmbAccount, so to EmbMember, the one model embedding it.
type EmbKey struct {
	ID    int64
	Owner orm.FK[EmbAccount] `anode:"on_delete=cascade,related=keys"`
	Label string             `anode:"max=20"`
}

func TestEmbeddedStructFields(t *testing.T) {
	forEachDB(t, []any{EmbRole{}, EmbMember{}, EmbKey{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		m, err := orm.ModelOf[EmbMember](db.Registry())
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, f := range m.Fields {
			cols = append(cols, f.Column)
		}
		if got, want := strings.Join(cols, ","), "id,login,active,boss_id,bio,note"; got != want {
			t.Fatalf("columns %s, want %s", got, want)
		}
		if m.PK.Name != "ID" || m.Table != "app_embmember" {
			t.Fatalf("pk %s table %s", m.PK.Name, m.Table)
		}

		boss := &EmbMember{Bio: "runs things"}
		boss.Login, boss.Active = "ada", true
		if err := orm.Create(ctx, db, boss); err != nil {
			t.Fatal(err)
		}
		bob := &EmbMember{Note: "new"}
		bob.Login, bob.Boss = "bob", orm.FK[EmbAccount]{ID: boss.ID}
		if err := orm.Create(ctx, db, bob); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[EmbMember](db).Filter("login", "bob").Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != bob.ID || got.Note != "new" || got.Boss.ID != boss.ID || got.Bio != "" {
			t.Fatalf("read back %+v", got)
		}
		// A promoted field filters and orders like any other.
		n, err := orm.From[EmbMember](db).Filter("Login__startswith", "a").Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("count %d, %v", n, err)
		}

		// The many-to-many declared in the embedded struct.
		role := &EmbRole{Name: "staff"}
		if err := orm.Create(ctx, db, role); err != nil {
			t.Fatal(err)
		}
		if err := orm.ManyOf[EmbRole](db, bob, "Roles").Add(ctx, *role); err != nil {
			t.Fatal(err)
		}
		staff, err := orm.From[EmbMember](db).Filter("roles__name", "staff").All(ctx)
		if err != nil || len(staff) != 1 || staff[0].Login != "bob" {
			t.Fatalf("members with role staff: %v, %v", staff, err)
		}

		// A foreign key to the embedded type refers to the model embedding
		// it; loading it gives the embedded part of the row.
		key := &EmbKey{Owner: orm.FK[EmbAccount]{ID: bob.ID}, Label: "laptop"}
		if err := orm.Create(ctx, db, key); err != nil {
			t.Fatal(err)
		}
		owner, err := key.Owner.Get(ctx, db)
		if err != nil || owner.Login != "bob" || owner.Boss.ID != boss.ID {
			t.Fatalf("key owner %+v, %v", owner, err)
		}
		keys, err := orm.From[EmbKey](db).SelectRelated("Owner").All(ctx)
		if err != nil || len(keys) != 1 || keys[0].Owner.Loaded() == nil || keys[0].Owner.Loaded().Login != "bob" {
			t.Fatalf("select related: %+v, %v", keys, err)
		}
		keys, err = orm.From[EmbKey](db).PrefetchRelated("Owner").All(ctx)
		if err != nil || len(keys) != 1 || keys[0].Owner.Loaded() == nil || keys[0].Owner.Loaded().Login != "bob" {
			t.Fatalf("prefetch related: %+v, %v", keys, err)
		}
		// Lookups across it and the reverse relation work on the model.
		ks, err := orm.From[EmbKey](db).Filter("owner__bio", "").All(ctx)
		if err != nil || len(ks) != 1 {
			t.Fatalf("across: %v, %v", ks, err)
		}
		withKeys, err := orm.From[EmbMember](db).Filter("keys__label", "laptop").All(ctx)
		if err != nil || len(withKeys) != 1 || withKeys[0].ID != bob.ID {
			t.Fatalf("reverse: %v, %v", withKeys, err)
		}
		if _, err := (orm.FK[EmbAccount]{ID: 999}).Get(ctx, db); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("missing owner: %v", err)
		}
		// Deleting the member cascades to its keys.
		if err := orm.Delete(ctx, db, bob); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[EmbKey](db).Count(ctx); n != 0 {
			t.Fatalf("%d keys left after the cascade", n)
		}
	})
}

func TestEmbeddedStructErrors(t *testing.T) {
	type EmbPtr struct {
		*EmbAccount
		Bio string
	}
	type EmbNull struct {
		ID int64
		orm.Null[string]
	}
	type EmbOther struct {
		EmbAccount
		X string `anode:"max=1"`
	}
	for _, tc := range []struct {
		models []any
		want   string
	}{
		{[]any{EmbRole{}, EmbPtr{}}, "only struct types embed"},
		{[]any{EmbNull{}}, "is a column or relation type"},
		{[]any{EmbRole{}, EmbMember{}, EmbOther{}, EmbKey{}}, "embedded in both app.EmbMember and app.EmbOther"},
		{[]any{EmbRole{}, EmbKey{}}, "not a registered model (nor embedded in one)"},
	} {
		r := orm.NewRegistry()
		err := r.Register("app", tc.models...)
		if err == nil {
			err = r.Resolve()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T...: got %v, want %q", tc.models[len(tc.models)-1], err, tc.want)
		}
	}
}
