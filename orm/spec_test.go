package orm_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/postgres"
)

// specModelSets are model sets of the other tests, covering every field
// kind, option and relation: each is registered alone.
var specModelSets = [][]any{
	qryModels, relModels, benchModels, {Question{}, Tag{}},
	{Category{}, Answer{}, Quiz{}, Owner{}, Label{}},
	{Poll{}}, {Slugged{}}, {FldPrice{}}, {FldNullable{}}, {QryTag{}},
	{RelUDoc{}, RelUTag{}, RelUNote{}}, {RelShelf{}, RelItem{}}, {RelFolder{}, RelPin{}},
	{RelArtist{}, RelAlbum{}, RelSong{}, RelAuthor{}, RelBook{}, RelReview{}, RelLogEntry{}},
	{QryPrice{}}, {QryEvent{}}, {Phrase{}}, {Job{}}, {FldTaggedKey{}}, {FldPost{}},
	{FldNode{}, FldLeaf{}}, {FldEvent{}}, {FldDoc{}, FldTyped{}}, {FldAccount{}}, {Event{}}, {Entry{}},
}

// TestSpecRoundTrip checks that a model rebuilt from its spec renders the
// same schema, in every dialect, as the Go model the spec was taken from.
func TestSpecRoundTrip(t *testing.T) {
	sqliteDB := openDB(t, "sqlite:///"+filepath.Join(t.TempDir(), "spec.db"), []any{Poll{}})
	dialects := []orm.Dialect{testDialect{}, postgres.Dialect{}, sqliteDB.Dialect()}
	for _, set := range specModelSets {
		r := orm.NewRegistry()
		if err := r.Register("app", set...); err != nil {
			t.Fatal(err)
		}
		if err := r.Resolve(); err != nil {
			t.Fatal(err)
		}
		var specs []orm.ModelSpec
		for _, m := range r.Models() {
			specs = append(specs, m.Spec())
		}
		rebuilt, err := orm.NewRegistryFromSpecs(specs)
		if err != nil {
			t.Fatalf("%v: %v", set, err)
		}
		for _, m := range r.Models() {
			rm, ok := rebuilt.ByLabel(m.Label())
			if !ok {
				t.Fatalf("%s missing from the rebuilt registry", m.Label())
			}
			if got, want := rm.Spec(), m.Spec(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: spec of the rebuilt model differs:\n got %+v\nwant %+v", m.Label(), got, want)
			}
			for _, d := range dialects {
				want, err := orm.CreateTableSQL(d, m)
				if err != nil {
					t.Fatal(err)
				}
				got, err := orm.CreateTableSQL(d, rm)
				if err != nil {
					t.Fatalf("%s on %s: %v", m.Label(), d.Name(), err)
				}
				if strings.Join(got, ";\n") != strings.Join(want, ";\n") {
					t.Errorf("%s on %s:\n got %s\nwant %s", m.Label(), d.Name(), strings.Join(got, ";\n"), strings.Join(want, ";\n"))
				}
			}
		}
	}
}

// TestSpecErrors checks that a spec that cannot make a model is refused
// with a *ModelError naming it.
func TestSpecErrors(t *testing.T) {
	id := orm.FieldSpec{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true}
	cases := []struct {
		name  string
		specs []orm.ModelSpec
		want  string
	}{
		{"unknown related", []orm.ModelSpec{{Module: "app", Name: "A", Table: "app_a", Fields: []orm.FieldSpec{id,
			{Name: "B", Column: "b_id", Kind: orm.KindForeignKey, Related: "app.B", OnDelete: orm.Cascade}}}}, "app.B"},
		{"unexported name", []orm.ModelSpec{{Module: "app", Name: "A", Table: "app_a", Fields: []orm.FieldSpec{id,
			{Name: "x", Column: "x", Kind: orm.KindInt}}}}, "exported"},
		{"no fields", []orm.ModelSpec{{Module: "app", Name: "A", Table: "app_a"}}, "no fields"},
		{"twice", []orm.ModelSpec{{Module: "app", Name: "A", Table: "app_a", Fields: []orm.FieldSpec{id}},
			{Module: "app", Name: "A", Table: "app_b", Fields: []orm.FieldSpec{id}}}, "twice"},
		{"bad index", []orm.ModelSpec{{Module: "app", Name: "A", Table: "app_a", Fields: []orm.FieldSpec{id},
			Indexes: []orm.Index{{Fields: []string{"Nope"}}}}}, "Nope"},
	}
	for _, c := range cases {
		_, err := orm.NewRegistryFromSpecs(c.specs)
		var me *orm.ModelError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a *ModelError mentioning %q", c.name, err, c.want)
		}
	}
}
