package forms_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
)

type Author struct {
	ID   int64  `anode:"pk,auto"`
	Name string `anode:"max=50,unique,verbose=author name"`
}

func (a Author) String() string { return a.Name }

type Book struct {
	ID       int64              `anode:"pk,auto"`
	Title    string             `anode:"max=100,help=As printed on the cover."`
	Author   orm.FK[Author]     `anode:"on_delete=cascade"`
	Editor   orm.FK[Author]     `anode:"null,on_delete=set_null,related=edited"`
	Status   string             `anode:"max=10,default=draft,choices=draft:Draft|published:Published"`
	Pages    *int64             ``
	Price    orm.Decimal        `anode:"digits=6,places=2"`
	Summary  string             ``
	Released orm.Date           ``
	Tags     orm.M2M[Author]    `anode:"related=tagged"`
	Extra    orm.JSON[[]string] ``
}

func (Book) Meta() orm.Meta {
	return orm.Meta{UniqueTogether: [][]string{{"Title", "Author"}}}
}

func openModels(t *testing.T, rawURL string) *orm.DB {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register("lib", Author{}, Book{}); err != nil {
		t.Fatal(err)
	}
	db, err := orm.Open(context.Background(), rawURL, r, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateTables(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestModelForm(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := openModels(t, rawURL)
		ann := Author{Name: "Ann"}
		bob := Author{Name: "Bob"}
		for _, a := range []*Author{&ann, &bob} {
			if err := orm.Create(ctx, db, a); err != nil {
				t.Fatal(err)
			}
		}

		// the generated fields
		mf, err := forms.NewModelForm[Book](ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bf := range mf.Fields() {
			names = append(names, bf.Name())
		}
		if got := strings.Join(names, ","); got != "title,author,editor,status,pages,price,summary,released,extra,tags" {
			t.Fatalf("fields %s", got)
		}
		// The related objects are the choices of a foreign key without
		// being asked, labelled by their String method, as in Django.
		auto := string(mf.HTML())
		for _, want := range []string{
			`<select name="author" id="id_author" required><option value="">---------</option><option value="` + strconv.FormatInt(ann.ID, 10) + `">Ann</option>`,
			`<select name="editor" id="id_editor"><option value="">---------</option>`,
		} {
			if !strings.Contains(auto, want) {
				t.Errorf("missing %s in\n%s", want, auto)
			}
		}
		choices, err := forms.ChoicesFrom(ctx, orm.From[Author](db).OrderBy("name"), nil)
		if err != nil {
			t.Fatal(err)
		}
		mf.SetChoices("author", choices)
		mf.SetChoices("tags", choices)
		html := string(mf.HTML())
		for _, want := range []string{
			`<input type="text" name="title" id="id_title" required aria-describedby="id_title_help" maxlength="100">`,
			`<option value="` + strconv.FormatInt(ann.ID, 10) + `">Ann</option>`,
			`<option value="draft" selected>Draft</option>`, // the field's default
			`<textarea name="summary" id="id_summary" required>`,
			`step="0.01"`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("missing %s in\n%s", want, html)
			}
		}

		// create
		id := strconv.FormatInt(ann.ID, 10)
		bobID := strconv.FormatInt(bob.ID, 10)
		data := url.Values{"title": {"Go"}, "author": {id}, "status": {"draft"}, "price": {"12.50"}, "summary": {"s"}, "released": {"2024-01-02"},
			"extra": {`["a"]`}, "tags": {id, bobID}}
		if err := mf.BindValues(ctx, data); err != nil || !mf.Valid() {
			t.Fatalf("%v %v", err, mf.Errors())
		}
		if err := mf.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if mf.Instance.ID == 0 || mf.Instance.Author.ID != ann.ID || mf.Instance.Editor.ID != 0 || mf.Instance.Pages != nil {
			t.Fatalf("%+v", mf.Instance)
		}
		if n, err := orm.ManyOf[Author](db, &mf.Instance, "Tags").Query().Count(ctx); err != nil || n != 2 {
			t.Fatalf("tags: %d %v", n, err)
		}

		// unique together, checked when binding
		mf2, _ := forms.NewModelForm[Book](ctx, db, nil)
		mf2.SetChoices("author", choices)
		mf2.BindValues(ctx, data)
		if nf := mf2.Errors().NonField(); len(nf) != 1 || nf[0].Key != "unique_together" || nf[0].Message != "Book with this Title and Author already exists." {
			t.Fatalf("%v", mf2.Errors().All())
		}
		// a choice outside the related objects
		data2 := url.Values{"title": {"Other"}, "author": {"999999"}, "price": {"1"}, "summary": {"s"}, "released": {"2024-01-02"}, "status": {"draft"}, "extra": {"[]"}}
		mf2, _ = forms.NewModelForm[Book](ctx, db, nil)
		mf2.SetChoices("author", choices)
		mf2.BindValues(ctx, data2)
		if errs := mf2.Errors().Field("author"); len(errs) != 1 || errs[0].Key != "invalid_choice" {
			t.Fatalf("%v", mf2.Errors().All())
		}
		// a key among the choices that the database no longer has: its
		// foreign key decides, at Save
		mf2, _ = forms.NewModelForm[Book](ctx, db, nil)
		mf2.SetChoices("author", append(choices, forms.Choice{Value: "999999", Label: "gone"}))
		mf2.BindValues(ctx, data2)
		if !mf2.Valid() {
			t.Fatal(mf2.Errors())
		}
		err = mf2.Save(ctx)
		var es *forms.Errors
		if !errors.As(err, &es) || mf2.Valid() {
			t.Fatalf("save with a missing author: %v", err)
		}
		if n, _ := orm.From[Book](db).Count(ctx); n != 1 {
			t.Fatalf("%d books", n)
		}

		// edit: the instance itself does not count as a duplicate
		book, _ := orm.From[Book](db).Get(ctx)
		edit, err := forms.NewModelForm[Book](ctx, db, &book, "Title", "Author", "Pages", "Tags")
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := edit.Field("title"); v.Value() != "Go" {
			t.Fatal(v.Value())
		}
		edit.SetChoices("tags", choices)
		if bf, _ := edit.Field("tags"); !strings.Contains(string(bf.Input()), `<option value="`+bobID+`" selected>Bob</option>`) {
			t.Fatalf("current tags not shown: %s", bf.Input())
		}
		edit.BindValues(ctx, url.Values{"title": {"Go"}, "author": {id}, "pages": {"300"}, "tags": {bobID}})
		if err := edit.Save(ctx); err != nil {
			t.Fatal(err)
		}
		book, _ = orm.From[Book](db).Get(ctx)
		if book.Pages == nil || *book.Pages != 300 || book.Summary != "s" {
			t.Fatalf("%+v", book)
		}
		tags, _ := orm.ManyOf[Author](db, &book, "Tags").Query().All(ctx)
		if len(tags) != 1 || tags[0].ID != bob.ID {
			t.Fatalf("tags %+v", tags)
		}
		// a related key of no object, without choices: the database refuses it, nothing is written
		edit, _ = forms.NewModelForm[Book](ctx, db, &book, "Pages", "Tags")
		edit.BindValues(ctx, url.Values{"pages": {"1"}, "tags": {"424242"}})
		if err := edit.Save(ctx); !errors.As(err, &es) || len(edit.Errors().Field("tags")) != 1 {
			t.Fatalf("%v %v", err, edit.Errors().All())
		}
		if book, _ = orm.From[Book](db).Get(ctx); *book.Pages != 300 {
			t.Fatal("rolled-back save changed the row")
		}

		// unique field
		af, _ := forms.NewModelForm[Author](ctx, db, nil)
		af.BindValues(ctx, url.Values{"name": {"Ann"}})
		if errs := af.Errors().Field("name"); len(errs) != 1 || errs[0].Key != "unique" || errs[0].Message != "Author with this author name already exists." {
			t.Fatalf("%v", af.Errors().All())
		}
		af, _ = forms.NewModelForm[Author](ctx, db, &ann)
		af.BindValues(ctx, url.Values{"name": {"Ann"}})
		if !af.Valid() {
			t.Fatal(af.Errors())
		}
		// a unique value taken between Bind and Save
		af, _ = forms.NewModelForm[Author](ctx, db, nil)
		af.BindValues(ctx, url.Values{"name": {"Cid"}})
		if err := orm.Create(ctx, db, &Author{Name: "Cid"}); err != nil {
			t.Fatal(err)
		}
		if err := af.Save(ctx); !errors.As(err, &es) || len(af.Errors().Field("name")) != 1 {
			t.Fatalf("%v %v", err, af.Errors().All())
		}
	})
}

func TestModelFormDeclarationErrors(t *testing.T) {
	db := openModels(t, anodetest.SQLiteURL(t))
	for _, c := range []struct{ field, want string }{
		{"Nope", "field Nope: no such model field"},
	} {
		_, err := forms.NewModelForm[Book](context.Background(), db, nil, c.field)
		var de *forms.DeclarationError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %s", err, c.want)
		}
	}
}
