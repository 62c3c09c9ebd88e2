package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type FldAccount struct {
	ID      int64
	Email   string           `anode:"max=100"`
	Balance orm.Decimal      `anode:"digits=10,places=2,db_default=0.50"`
	Active  bool             `anode:"db_default=true"`
	Nick    orm.Null[string] `anode:"db_default=it's"`
	Level   int              `anode:"db_default=3"`
	Joined  time.Time        `anode:"db_default=now"`
	Deleted bool
	Code    string   `anode:"max=10"`
	Opened  orm.Date `anode:"db_default=now"`
}

func (FldAccount) Meta() orm.Meta {
	return orm.Meta{
		Checks: []orm.Check{
			{Name: "fld_balance_nonneg", Cond: orm.Q("Balance__gte", orm.MustDecimal("0"))},
			{Name: "fld_level_range", Cond: orm.And(orm.Q("Level__gte", 1), orm.Q("Level__lte", 9))},
			{Name: "fld_code_shape", Cond: orm.Or(orm.Q("Code", ""), orm.Not(orm.Q("Code__contains", "'")))},
		},
		Indexes: []orm.Index{
			{Name: "fld_account_email_ci", Fields: []string{"Lower(Email)"}, Unique: true, Where: orm.Q("Deleted", false)},
			{Fields: []string{"Code"}, Where: orm.Q("Code__startswith", "x_%")},
			{Name: "fld_account_code_deleted", Fields: []string{"Code"}, Unique: true, Where: orm.Q("Deleted", true)},
		},
	}
}

func TestFldModelOptions(t *testing.T) {
	forEachDB(t, []any{FldAccount{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		m, _ := orm.ModelOf[FldAccount](db.Registry())
		if f, _ := m.Field("Active"); f.DBDefault != true {
			t.Errorf("Active.DBDefault = %v", f.DBDefault)
		}
		if f, _ := m.Field("Joined"); f.DBDefault != orm.DBNow {
			t.Errorf("Joined.DBDefault = %v", f.DBDefault)
		}
		// Unset fields take the database default, read back into the object.
		before := time.Now().Add(-time.Minute)
		a := FldAccount{Email: "Ana@example.com"}
		if err := orm.Create(ctx, db, &a); err != nil {
			t.Fatal(err)
		}
		if a.Balance.String() != "0.50" || !a.Active || a.Nick.V != "it's" || a.Level != 3 || a.Joined.Before(before) || a.Joined.After(time.Now().Add(time.Minute)) {
			t.Errorf("db defaults read back: %+v", a)
		}
		got, err := orm.From[FldAccount](db).Filter("id", a.ID).Get(ctx)
		if err != nil || got.Balance.String() != "0.50" || !got.Active || got.Nick.V != "it's" || got.Level != 3 || !got.Joined.Equal(a.Joined) {
			t.Errorf("db defaults stored: %+v %v", got, err)
		}
		if today := orm.DateOf(a.Joined); a.Opened.Compare(today.AddDays(-1)) < 0 || a.Opened.Compare(today.AddDays(1)) > 0 {
			t.Errorf("db_default=now on a date: %v (joined %v)", a.Opened, a.Joined)
		}
		if n, _ := orm.From[FldAccount](db).Filter("joined__lte", time.Now().Add(time.Minute)).Filter("joined__gte", before).Count(ctx); n != 1 {
			t.Errorf("db_default=now compares as a time: %d", n)
		}
		bulk := []FldAccount{{Email: "b1@x"}, {Email: "b2@x", Level: 5, Balance: orm.MustDecimal("7")}}
		if err := orm.BulkCreate(ctx, db, bulk, 0); err != nil {
			t.Fatal(err)
		}
		if bulk[0].ID == 0 || bulk[0].Level != 3 || bulk[0].Balance.String() != "0.50" || bulk[1].Level != 5 || !bulk[1].Balance.Equal(orm.MustDecimal("7")) || bulk[1].Opened.IsZero() {
			t.Errorf("BulkCreate with db defaults: %+v", bulk)
		}
		if n, _ := orm.From[FldAccount](db).Filter("level", 3).Count(ctx); n != 2 {
			t.Errorf("level 3 rows: %d", n)
		}
		// CHECK constraints: typed IntegrityError naming the constraint.
		for _, tc := range []struct {
			acc  FldAccount
			name string
		}{
			{FldAccount{Email: "b@x", Balance: orm.MustDecimal("-1"), Level: 2}, "fld_balance_nonneg"},
			{FldAccount{Email: "c@x", Level: 10}, "fld_level_range"},
			{FldAccount{Email: "d@x", Level: 2, Code: "a'b"}, "fld_code_shape"},
		} {
			err := orm.Create(ctx, db, &tc.acc)
			var ie *orm.IntegrityError
			if !errors.As(err, &ie) || ie.Kind != orm.IntegrityCheck || ie.Constraint != tc.name {
				t.Errorf("%s: got %v", tc.name, err)
			}
		}
		// The partial, lower-cased unique index: case-insensitive uniqueness
		// among rows not deleted.
		dup := FldAccount{Email: "ANA@EXAMPLE.COM", Level: 1}
		err = orm.Create(ctx, db, &dup)
		var ie *orm.IntegrityError
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityUnique {
			t.Errorf("case-insensitive duplicate: %v", err)
		}
		dup.Deleted = true
		if err := orm.Create(ctx, db, &dup); err != nil {
			t.Errorf("a deleted row is outside the partial index: %v", err)
		}
		// A partial unique index is no ON CONFLICT target.
		_, err = orm.BulkCreateWith(ctx, db, []FldAccount{{Email: "u@x", Code: "c", Level: 1, Opened: orm.NewDate(2026, 1, 1)}}, orm.BulkOptions{UniqueFields: []string{"Code"}, UpdateFields: []string{"Level"}})
		var le *orm.LookupError
		if !errors.As(err, &le) {
			t.Errorf("upsert on a partial unique index: %v", err)
		}
		if n, _ := orm.From[FldAccount](db).Filter("email__iexact", "ana@example.com").Count(ctx); n != 2 {
			t.Errorf("iexact: %d", n)
		}
	})
}

func TestFldModelOptionsSQL(t *testing.T) {
	r := orm.NewRegistry()
	if err := r.Register("app", FldAccount{}); err != nil {
		t.Fatal(err)
	}
	m, _ := orm.ModelOf[FldAccount](r)
	for _, tc := range []struct {
		d    orm.Dialect
		want []string
	}{
		{sqliteDialect(t), []string{`"balance" INTEGER DEFAULT 50 NOT NULL`, `DEFAULT 'it''s' NULL`, `DEFAULT (strftime(`,
			`CONSTRAINT "fld_balance_nonneg" CHECK ("balance" >= 0)`, `CONSTRAINT "fld_code_shape" CHECK (("code" = '' OR NOT ("code" GLOB '*''*')))`,
			`CREATE UNIQUE INDEX "fld_account_email_ci" ON "app_fldaccount" (LOWER("email")) WHERE "deleted" = FALSE`,
			`WHERE "code" GLOB 'x_%*'`}},
		{postgresDialect(), []string{`"balance" NUMERIC(10, 2) DEFAULT 0.50 NOT NULL`, `"active" BOOLEAN DEFAULT TRUE NOT NULL`, `DEFAULT CURRENT_TIMESTAMP`,
			`CHECK ("balance" >= '0.00')`, `(LOWER("email")) WHERE "deleted" = FALSE`, `WHERE "code" LIKE 'x\_\%%' ESCAPE '\'`}},
	} {
		stmts, err := orm.CreateTableSQL(tc.d, m)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(stmts, ";\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: missing %s in\n%s", tc.d.Name(), w, all)
			}
		}
	}
}

func TestFldModelOptionErrors(t *testing.T) {
	type BadDefault struct {
		ID int64
		N  int `anode:"db_default=many"`
	}
	type NowOnInt struct {
		ID int64
		N  int `anode:"db_default=now"`
	}
	type DefaultTooPrecise struct {
		ID int64
		A  orm.Decimal `anode:"digits=4,places=1,db_default=1.25"`
	}
	type DefaultOnJSON struct {
		ID int64
		J  orm.JSON[int] `anode:"db_default=1"`
	}
	for _, m := range []any{BadDefault{}, NowOnInt{}, DefaultTooPrecise{}, DefaultOnJSON{}} {
		err := orm.NewRegistry().Register("app", m)
		var me *orm.ModelError
		if !errors.As(err, &me) || me.Field == "" || !strings.Contains(err.Error(), "db_default") {
			t.Errorf("%T: %v", m, err)
		}
	}
	for _, tc := range []struct {
		meta orm.Meta
		want string
	}{
		{orm.Meta{Checks: []orm.Check{{Name: "Bad Name", Cond: orm.Q("N", 1)}}}, "name"},
		{orm.Meta{Checks: []orm.Check{{Name: "c1", Cond: orm.Q("Missing", 1)}}}, "Missing"},
		{orm.Meta{Checks: []orm.Check{{Name: "c1"}}}, "no condition"},
		{orm.Meta{Checks: []orm.Check{{Name: "c1", Cond: orm.Q("At__lt", time.Now())}}}, "At"},
		{orm.Meta{Checks: []orm.Check{{Name: "c1", Cond: orm.Q("N", 1)}, {Name: "c1", Cond: orm.Q("N", 2)}}}, "twice"},
		{orm.Meta{Indexes: []orm.Index{{Fields: []string{"Lower(N)"}}}}, "Lower takes a string field"},
		{orm.Meta{Indexes: []orm.Index{{Fields: []string{"Lower(Nope)"}}}}, "Lower"},
		{orm.Meta{Indexes: []orm.Index{{Fields: []string{"S"}, Where: orm.Q("S__regex", "a")}}}, "regex"},
	} {
		fldMetaUnderTest = tc.meta
		err := orm.NewRegistry().Register("app", fldMetaModel{})
		var me *orm.ModelError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.meta, err, tc.want)
		}
	}
}

var fldMetaUnderTest orm.Meta

type fldMetaModel struct {
	ID int64
	N  int
	S  string
	At time.Time
}

func (fldMetaModel) Meta() orm.Meta { return fldMetaUnderTest }
