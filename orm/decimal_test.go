package orm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type FldPrice struct {
	ID     int64
	Label  string
	Amount orm.Decimal  `anode:"digits=10,places=2"`
	Rate   *orm.Decimal `anode:"digits=18,places=9"`
}

func TestFldDecimalArithmetic(t *testing.T) {
	d := orm.MustDecimal
	for _, tc := range []struct{ got, want string }{
		{d("0.1").Add(d("0.2")).String(), "0.3"},
		{d("1.50").Sub(d("2")).String(), "-0.50"},
		{d("1.5").Mul(d("1.25")).String(), "1.875"},
		{d("-0.05").String(), "-0.05"},
		{d("123456789012345678901234567890.5").Add(d("0.5")).String(), "123456789012345678901234567891.0"},
		{orm.NewDecimal(1250, 2).String(), "12.50"},
		{d("7").Neg().String(), "-7"},
		{orm.Decimal{}.String(), "0"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	if d("1.5").Cmp(d("1.50")) != 0 || d("1.49").Cmp(d("1.5")) != -1 || d("-1").Cmp(d("-2")) != 1 {
		t.Error("Cmp")
	}
	for _, bad := range []string{"", ".", "-", "1e5", "NaN", "1.2.3", "1,5", " 1", "Inf", "0x10"} {
		if _, err := orm.ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", bad)
		}
	}
	b, _ := json.Marshal(d("12.50"))
	if string(b) != `"12.50"` {
		t.Errorf("JSON %s", b)
	}
	var x orm.Decimal
	if err := json.Unmarshal([]byte(`3.25`), &x); err != nil || x.String() != "3.25" {
		t.Errorf("from a JSON number: %s %v", x, err)
	}
}

func TestFldDecimalField(t *testing.T) {
	forEachDB(t, []any{FldPrice{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		d := orm.MustDecimal
		rate := d("0.000000001")
		prices := []FldPrice{
			{Label: "tenth", Amount: d("0.10")},
			{Label: "max", Amount: d("99999999.99"), Rate: &rate},
			{Label: "neg", Amount: d("-0.01")},
			{Label: "int", Amount: d("12")},
			{Label: "third", Amount: d("0.3")},
		}
		if err := orm.BulkCreate(ctx, db, prices, 0); err != nil {
			t.Fatal(err)
		}
		rows, err := orm.From[FldPrice](db).OrderBy("amount").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, r := range rows {
			order = append(order, r.Label+"="+r.Amount.String())
		}
		if got := strings.Join(order, " "); got != "neg=-0.01 tenth=0.10 third=0.30 int=12.00 max=99999999.99" {
			t.Errorf("exact values in numeric order: %s", got)
		}
		if r := rows[4].Rate; r == nil || r.String() != "0.000000001" {
			t.Errorf("rate %v", r)
		}
		for _, tc := range []struct {
			lookup string
			value  any
			want   int64
		}{
			{"amount", d("0.1"), 1},
			{"amount__gt", d("0.1"), 3},
			{"amount__lt", d("0.30"), 2},
			{"amount__range", []orm.Decimal{d("0"), d("12")}, 3},
			{"amount__in", []orm.Decimal{d("12"), d("-0.01")}, 2},
			{"rate__isnull", true, 4},
		} {
			n, err := orm.From[FldPrice](db).Filter(tc.lookup, tc.value).Count(ctx)
			if err != nil || n != tc.want {
				t.Errorf("%s %v: %d %v, want %d", tc.lookup, tc.value, n, err, tc.want)
			}
		}
		sum, err := orm.SumDecimal(ctx, orm.From[FldPrice](db), "amount")
		if err != nil || sum.String() != "100000012.38" {
			t.Errorf("sum %s %v", sum, err)
		}
		lo, err := orm.MinDecimal(ctx, orm.From[FldPrice](db), "amount")
		if err != nil || lo.String() != "-0.01" {
			t.Errorf("min %s %v", lo, err)
		}
		hi, err := orm.MaxDecimal(ctx, orm.From[FldPrice](db).Filter("amount__lt", d("1")), "amount")
		if err != nil || hi.String() != "0.30" {
			t.Errorf("max %s %v", hi, err)
		}
		none, err := orm.SumDecimal(ctx, orm.From[FldPrice](db).Filter("label", "nothing"), "amount")
		if err != nil || !none.IsZero() {
			t.Errorf("empty sum %s %v", none, err)
		}
		if _, err := orm.Sum[float64](ctx, orm.From[FldPrice](db), "amount"); err == nil || !strings.Contains(err.Error(), "SumDecimal") {
			t.Errorf("Sum over a decimal should point to SumDecimal: %v", err)
		}
		if _, err := orm.SumDecimal(ctx, orm.From[FldPrice](db), "label"); err == nil {
			t.Error("SumDecimal over a text field must fail")
		}

		// Too many places or digits: refused, not rounded.
		for _, bad := range []FldPrice{{Label: "p", Amount: d("0.001")}, {Label: "d", Amount: d("100000000")}} {
			err := orm.Create(ctx, db, &bad)
			var ve *orm.ValueError
			if !errors.As(err, &ve) || ve.Field != "Amount" || ve.Model != "app.FldPrice" {
				t.Errorf("%s: want a ValueError, got %v", bad.Amount, err)
			}
		}
		if _, err := orm.From[FldPrice](db).Update(ctx, orm.Set("amount", d("1.005"))); !errors.Is(err, orm.ErrInvalidValue) && err == nil {
			t.Errorf("Update with 3 places: %v", err)
		}
		if _, err := orm.From[FldPrice](db).Filter("amount", d("0.105")).Count(ctx); err == nil {
			t.Error("a lookup value with more places than the field must be refused")
		}
		if _, err := orm.From[FldPrice](db).Filter("amount", 0.1).Count(ctx); err == nil {
			t.Error("a float lookup value on a decimal field must be refused")
		}
		// BulkUpdate binds decimals for the dialect too (scaled on SQLite).
		rows[0].Amount = d("1.25")
		if _, err := orm.BulkUpdate(ctx, db, rows[:1], "Amount"); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[FldPrice](db).Filter("amount", d("1.25")).Filter("id", rows[0].ID).Count(ctx); n != 1 {
			t.Errorf("BulkUpdate of a decimal: %d", n)
		}
		// F arithmetic: Add and Sub stay exact in the database.
		if _, err := orm.From[FldPrice](db).Filter("label", "tenth").Update(ctx, orm.Set("amount", orm.F("amount").Add(d("0.05")))); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[FldPrice](db).Filter("label", "tenth").Filter("amount", d("0.15")).Count(ctx); n != 1 {
			t.Errorf("F(amount).Add(0.05) did not give 0.15")
		}
		if n, _ := orm.From[FldPrice](db).Filter("amount__gt", orm.F("amount").Sub(d("0.01"))).Count(ctx); n != 5 {
			t.Errorf("amount > amount - 0.01: %d", n)
		}
		if _, err := orm.From[FldPrice](db).Update(ctx, orm.Set("amount", orm.F("amount").Mul(2))); err == nil {
			t.Error("decimal Mul in the database must be refused")
		}
		if _, err := orm.From[FldPrice](db).Filter("amount", orm.F("rate").Add(d("1"))).Count(ctx); err == nil {
			t.Error("decimal fields with different places must not be combined")
		}
		// Trailing zeros beyond places are not extra precision.
		ok := FldPrice{Label: "z", Amount: d("5.5000")}
		if err := orm.Create(ctx, db, &ok); err != nil {
			t.Errorf("5.5000 fits places=2: %v", err)
		}
		if n, _ := orm.From[FldPrice](db).Filter("amount", d("5.50")).Count(ctx); n != 1 {
			t.Errorf("5.5000 stored as 5.50: %d", n)
		}
	})
}

func TestFldDecimalDefinitionErrors(t *testing.T) {
	type NoDigits struct {
		ID int64
		A  orm.Decimal
	}
	type NoPlaces struct {
		ID int64
		A  orm.Decimal `anode:"digits=5"`
	}
	type PlacesOver struct {
		ID int64
		A  orm.Decimal `anode:"digits=2,places=3"`
	}
	type DigitsOnInt struct {
		ID int64
		A  int `anode:"digits=5,places=0"`
	}
	for _, m := range []any{NoDigits{}, NoPlaces{}, PlacesOver{}, DigitsOnInt{}} {
		err := orm.NewRegistry().Register("app", m)
		var me *orm.ModelError
		if !errors.As(err, &me) || me.Field != "A" {
			t.Errorf("%T: %v", m, err)
		}
	}
	// SQLite holds at most 18 digits (scaled 64-bit integers); PostgreSQL more.
	type Wide struct {
		ID int64
		A  orm.Decimal `anode:"digits=30,places=2"`
	}
	r := orm.NewRegistry()
	if err := r.Register("app", Wide{}); err != nil {
		t.Fatal(err)
	}
	m, _ := orm.ModelOf[Wide](r)
	if _, err := orm.CreateTableSQL(sqliteDialect(t), m); err == nil || !strings.Contains(err.Error(), "18 digits") {
		t.Errorf("sqlite digits=30: %v", err)
	}
	stmts, err := orm.CreateTableSQL(postgresDialect(), m)
	if err != nil || !strings.Contains(stmts[0], "NUMERIC(30, 2)") {
		t.Errorf("postgres digits=30: %v %v", stmts, err)
	}
}

func TestFldValuesMapOwnTypes(t *testing.T) {
	forEachDB(t, []any{FldNullable{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		id := orm.NewUUIDv4()
		row := FldNullable{Price: orm.NullOf(orm.MustDecimal("12.50")), Day: orm.NullOf(orm.NewDate(2026, 1, 2)), Ref: orm.NullOf(id),
			At: orm.NullOf(orm.TimeOfDay{Hour: 7}), PDoc: &orm.JSON[[]string]{V: []string{"a"}}}
		if err := orm.Create(ctx, db, &row); err != nil {
			t.Fatal(err)
		}
		maps, err := orm.ValuesMap(ctx, orm.From[FldNullable](db), "price", "day", "ref", "at", "PDoc", "name")
		if err != nil || len(maps) != 1 {
			t.Fatalf("%v %v", maps, err)
		}
		m := maps[0]
		if p, ok := m["price"].(orm.Decimal); !ok || p.String() != "12.50" {
			t.Errorf("price %#v", m["price"])
		}
		if m["day"] != orm.NewDate(2026, 1, 2) || m["ref"] != id || m["at"] != (orm.TimeOfDay{Hour: 7}) || m["name"] != nil {
			t.Errorf("values %#v", m)
		}
		if doc, ok := m["PDoc"].(json.RawMessage); !ok || string(doc) != `["a"]` {
			t.Errorf("json %#v", m["PDoc"])
		}
	})
}

func TestFldValuesOwnTypes(t *testing.T) {
	forEachDB(t, []any{FldPrice{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		rate := orm.MustDecimal("0.5")
		if err := orm.BulkCreate(ctx, db, []FldPrice{{Label: "a", Amount: orm.MustDecimal("12.50"), Rate: &rate}, {Label: "b", Amount: orm.MustDecimal("-3")}}, 0); err != nil {
			t.Fatal(err)
		}
		type row struct {
			Label  string
			Amount orm.Decimal           // no digits/places needed: read at the field's
			Rate   orm.Null[orm.Decimal] // nullable
		}
		rows, err := orm.Values[row](ctx, orm.From[FldPrice](db).OrderBy("label"))
		if err != nil || len(rows) != 2 {
			t.Fatalf("%v %v", rows, err)
		}
		if rows[0].Amount.String() != "12.50" || !rows[0].Rate.Valid || rows[0].Rate.V.String() != "0.500000000" || rows[1].Amount.String() != "-3.00" || rows[1].Rate.Valid {
			t.Errorf("Values: %+v", rows)
		}
		amounts, err := orm.ValuesList[orm.Decimal](ctx, orm.From[FldPrice](db).OrderBy("amount"), "amount")
		if err != nil || len(amounts) != 2 || amounts[0].String() != "-3.00" {
			t.Errorf("ValuesList: %v %v", amounts, err)
		}
	})
}
