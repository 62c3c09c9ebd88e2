package forms_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
)

type item struct {
	Name string `form:"name,required"`
	Qty  int    `form:"qty,min=1"`
}

func TestFormSet(t *testing.T) {
	ctx := context.Background()
	fs := forms.NewFormSet(item{"a", 1}, item{"b", 2})
	fs.Extra, fs.CanDelete, fs.CanOrder = 2, true, true
	html := string(fs.HTML())
	for _, want := range []string{
		`<input type="hidden" name="form-TOTAL_FORMS" value="4" id="id_form-TOTAL_FORMS">`,
		`<input type="hidden" name="form-INITIAL_FORMS" value="2" id="id_form-INITIAL_FORMS">`,
		`name="form-1-name" id="id_form-1-name" required value="b"`,
		`name="form-3-qty" id="id_form-3-qty" min="1" value="0"`,
		`name="form-0-DELETE"`,
		`name="form-0-ORDER" id="id_form-0-ORDER" value="1"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}

	v := url.Values{
		"form-TOTAL_FORMS": {"5"}, "form-INITIAL_FORMS": {"2"},
		"form-0-name": {"a"}, "form-0-qty": {"1"}, "form-0-ORDER": {"3"},
		"form-1-name": {""}, "form-1-qty": {"0"}, "form-1-DELETE": {"on"}, // invalid but deleted
		"form-2-name": {""}, "form-2-qty": {"0"}, // blank extra row
		"form-3-name": {"c"}, "form-3-qty": {"5"}, "form-3-ORDER": {"1"},
		"form-4-name": {"d"}, "form-4-qty": {"6"}, // a row added by script, no order: last
	}
	fs = forms.NewFormSet(item{"a", 1}, item{"b", 2})
	fs.Extra, fs.CanDelete, fs.CanOrder = 2, true, true
	if err := fs.BindValues(ctx, v); err != nil || !fs.Valid() {
		t.Fatalf("%v %v", err, fs.Errors())
	}
	var names []string
	for _, f := range fs.Kept() {
		names = append(names, f.Data.Name)
	}
	if strings.Join(names, ",") != "c,a,d" || !fs.Deleted(1) {
		t.Fatalf("kept %v", names)
	}

	// a row's error makes the set invalid
	v.Set("form-3-qty", "0")
	fs = forms.NewFormSet(item{"a", 1}, item{"b", 2})
	fs.CanDelete = true
	fs.BindValues(ctx, v)
	if fs.Valid() || fs.Forms()[3].Errors().Field("qty")[0].Key != "min_value" {
		t.Fatal("invalid row accepted")
	}

	for _, c := range []struct {
		total, initial, key string
	}{{"x", "2", "management_form"}, {"5", "1", "management_form"}, {"1001", "2", "too_many_forms"}} {
		fs := forms.NewFormSet(item{"a", 1}, item{"b", 2})
		fs.BindValues(ctx, url.Values{"form-TOTAL_FORMS": {c.total}, "form-INITIAL_FORMS": {c.initial}})
		if fs.Valid() || fs.Errors().Len() != 1 || fs.Errors().All()[0].Key != c.key {
			t.Errorf("%v: %v", c, fs.Errors().All())
		}
	}
	fs = forms.NewFormSet[item]()
	fs.Min = 1
	fs.BindValues(ctx, url.Values{"form-TOTAL_FORMS": {"1"}, "form-INITIAL_FORMS": {"0"}})
	if fs.Valid() || fs.Errors().All()[0].Key != "too_few_forms" {
		t.Fatal(fs.Errors())
	}
}

func TestModelFormSet(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := openModels(t, rawURL)
		for _, n := range []string{"Ann", "Bob", "Cid"} {
			if err := orm.Create(ctx, db, &Author{Name: n}); err != nil {
				t.Fatal(err)
			}
		}
		authors, _ := orm.From[Author](db).OrderBy("id").All(ctx)
		fs, err := forms.NewModelFormSet(ctx, db, authors)
		if err != nil {
			t.Fatal(err)
		}
		fs.Extra, fs.CanDelete = 1, true
		html := string(fs.HTML())
		pk := func(i int) string { return strconv.FormatInt(authors[i].ID, 10) }
		if !strings.Contains(html, `<input type="hidden" name="form-0-pk" value="`+pk(0)+`">`) {
			t.Fatal(html)
		}
		v := url.Values{
			"form-TOTAL_FORMS": {"4"}, "form-INITIAL_FORMS": {"3"},
			"form-0-pk": {pk(0)}, "form-0-name": {"Ann"},
			"form-1-pk": {pk(1)}, "form-1-name": {"Bobby"},
			"form-2-pk": {pk(2)}, "form-2-name": {"Cid"}, "form-2-DELETE": {"true"},
			"form-3-name": {"Dee"},
		}
		if err := fs.BindValues(ctx, v); err != nil || !fs.Valid() {
			t.Fatalf("%v %v", err, fs.Errors())
		}
		if err := fs.Save(ctx, nil); err != nil {
			t.Fatal(err)
		}
		rows, _ := orm.From[Author](db).OrderBy("name").All(ctx)
		var names []string
		for _, a := range rows {
			names = append(names, a.Name)
		}
		if strings.Join(names, ",") != "Ann,Bobby,Dee" {
			t.Fatalf("%v", names)
		}

		// a duplicate in one row is caught by the unique check when binding
		authors, _ = orm.From[Author](db).OrderBy("id").All(ctx)
		fs, _ = forms.NewModelFormSet(ctx, db, authors)
		v = url.Values{"form-TOTAL_FORMS": {"4"}, "form-INITIAL_FORMS": {"3"}, "form-3-name": {"Ann"}}
		for i, a := range authors {
			v.Set("form-"+strconv.Itoa(i)+"-pk", strconv.FormatInt(a.ID, 10))
			v.Set("form-"+strconv.Itoa(i)+"-name", a.Name)
		}
		fs.BindValues(ctx, v)
		if fs.Valid() || len(fs.Forms()[3].Errors().Field("name")) != 1 {
			t.Fatal("duplicate accepted")
		}
		// two new rows with the same name pass the checks; the database refuses the second and nothing is written
		fs, _ = forms.NewModelFormSet(ctx, db, authors)
		v.Set("form-TOTAL_FORMS", "5")
		v.Set("form-3-name", "Eve")
		v.Set("form-4-name", "Eve")
		if fs.BindValues(ctx, v); !fs.Valid() {
			t.Fatal(fs.Errors())
		}
		if err := fs.Save(ctx, nil); err == nil || len(fs.Forms()[4].Errors().Field("name")) != 1 {
			t.Fatalf("%v %v", err, fs.Forms()[4].Errors())
		}
		if n, _ := orm.From[Author](db).Count(ctx); n != 3 {
			t.Fatalf("%d rows: the transaction was not rolled back", n)
		}
		// rows that no longer match their objects
		fs, _ = forms.NewModelFormSet(ctx, db, authors)
		v.Set("form-0-pk", "424242")
		fs.BindValues(ctx, v)
		if fs.Valid() || fs.Errors().All()[0].Key != "stale_rows" {
			t.Fatal(fs.Errors())
		}
	})
}
