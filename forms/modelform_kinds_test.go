package forms_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
)

type Site struct {
	ID   orm.UUID
	Name string `anode:"max=20"`
}

func (s Site) String() string { return s.Name }

type deviceConfig struct {
	Mode  string `json:"mode"`
	Ports []int  `json:"ports"`
}

// Device has a field of each type ModelForm used to refuse.
type Device struct {
	ID       orm.UUID
	Site     orm.Ref[Site, orm.UUID]      `anode:"on_delete=cascade"`
	Serial   orm.UUID                     `anode:"unique"`
	Interval time.Duration                ``
	Config   orm.JSON[deviceConfig]       ``
	Label    orm.Null[string]             `anode:"max=20"`
	Weight   orm.Null[orm.Decimal]        `anode:"digits=6,places=2"`
	Seen     orm.Null[orm.Date]           ``
	Grace    orm.Null[time.Duration]      ``
	Spare    orm.Null[orm.UUID]           ``
	Notes    orm.Null[orm.JSON[[]string]] ``
	Firmware []byte                       ``
}

func openDevices(t *testing.T, rawURL string) *orm.DB {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register("iot", Site{}, Device{}); err != nil {
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

func TestModelFormNewKinds(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := openDevices(t, rawURL)
		site := Site{Name: "Lab"}
		if err := orm.Create(ctx, db, &site); err != nil {
			t.Fatal(err)
		}

		// the UUID key, which Create assigns, and bytes are left out
		mf, err := forms.NewModelForm[Device](ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bf := range mf.Fields() {
			names = append(names, bf.Name()+":"+bf.Kind().String())
		}
		if got := strings.Join(names, ","); got != "site:choice,serial:uuid,interval:duration,config:json,label:text,weight:decimal,seen:date,grace:duration,spare:uuid,notes:json" {
			t.Fatalf("fields %s", got)
		}
		html := string(mf.HTML())
		for _, want := range []string{
			`<option value="` + site.ID.String() + `">Lab</option>`,
			`<input type="text" name="serial" id="id_serial" required>`,
			`<textarea name="config" id="id_config" required>`,
			`<input type="text" name="label" id="id_label" maxlength="20">`,
			`<input type="text" name="grace" id="id_grace">`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("missing %s in\n%s", want, html)
			}
		}

		// bad input: a field error each, nothing saved
		mf.BindValues(ctx, url.Values{"site": {site.ID.String()}, "serial": {"nope"}, "interval": {"soon"}, "config": {`{"mode": 1}`},
			"grace": {"1:99"}, "spare": {"x"}, "notes": {"{"}})
		got := map[string]string{}
		for _, e := range mf.Errors().All() {
			got[e.Field] = e.Key
		}
		want := map[string]string{"serial": "invalid_uuid", "interval": "invalid_duration", "config": "invalid_json", "grace": "invalid_duration", "spare": "invalid_uuid", "notes": "invalid_json"}
		if len(got) != len(want) {
			t.Fatalf("errors %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s, want %s", k, got[k], v)
			}
		}
		var es *forms.Errors
		if err := mf.Save(ctx); !errors.As(err, &es) {
			t.Fatalf("save of an invalid form: %v", err)
		}

		// create, with the optional fields empty
		serial := orm.NewUUIDv4()
		mf, _ = forms.NewModelForm[Device](ctx, db, nil)
		if err := mf.BindValues(ctx, url.Values{"site": {site.ID.String()}, "serial": {strings.ToUpper(serial.String())}, "interval": {"1h30m"},
			"config": {`{"mode": "<b>fast</b>", "ports": [80, 443]}`}}); err != nil || !mf.Valid() {
			t.Fatalf("%v %v", err, mf.Errors())
		}
		if err := mf.Save(ctx); err != nil {
			t.Fatal(err)
		}
		d, err := orm.From[Device](db).Filter("ID", mf.Instance.ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Site.ID != site.ID || d.Serial != serial || d.Interval != 90*time.Minute || d.Config.V.Mode != "<b>fast</b>" || len(d.Config.V.Ports) != 2 ||
			d.Label.Valid || d.Weight.Valid || d.Seen.Valid || d.Grace.Valid || d.Spare.Valid || d.Notes.Valid {
			t.Fatalf("%+v", d)
		}

		// the unique UUID, checked when binding
		dup, _ := forms.NewModelForm[Device](ctx, db, nil, "Site", "Serial", "Interval", "Config")
		dup.BindValues(ctx, url.Values{"site": {site.ID.String()}, "serial": {serial.String()}, "interval": {"0"}, "config": {"{}"}})
		if errs := dup.Errors().Field("serial"); len(errs) != 1 || errs[0].Key != "unique" {
			t.Fatalf("%v", dup.Errors().All())
		}

		// edit: the stored values are shown back, then every Null is set
		edit, err := forms.NewModelForm[Device](ctx, db, &d)
		if err != nil {
			t.Fatal(err)
		}
		html = string(edit.HTML())
		for _, want := range []string{
			`<option value="` + site.ID.String() + `" selected>Lab</option>`,
			`value="` + serial.String() + `"`,
			`value="01:30:00"`,
			"&#34;mode&#34;: &#34;&lt;b&gt;fast&lt;/b&gt;&#34;,\n  &#34;ports&#34;: [\n    80,\n    443\n  ]",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("missing %s in\n%s", want, html)
			}
		}
		spare := orm.NewUUIDv7()
		values := url.Values{"site": {site.ID.String()}, "serial": {serial.String()}, "interval": {"2 00:00:00.25"}, "config": {`{"mode": "slow", "ports": null}`},
			"label": {"rack 1"}, "weight": {"1.25"}, "seen": {"2024-06-30"}, "grace": {"00:05:00"}, "spare": {spare.String()}, "notes": {`["a", "b"]`}}
		if err := edit.BindValues(ctx, values); err != nil || !edit.Valid() {
			t.Fatalf("%v %v", err, edit.Errors())
		}
		if err := edit.Save(ctx); err != nil {
			t.Fatal(err)
		}
		d, err = orm.From[Device](db).Filter("ID", d.ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Interval != 48*time.Hour+250*time.Millisecond || d.Config.V.Mode != "slow" || d.Config.V.Ports != nil ||
			d.Label != orm.NullOf("rack 1") || !d.Weight.Valid || d.Weight.V.String() != "1.25" || d.Seen != orm.NullOf(orm.Date{Year: 2024, Month: 6, Day: 30}) ||
			d.Grace != orm.NullOf(5*time.Minute) || d.Spare != orm.NullOf(spare) || !d.Notes.Valid || strings.Join(d.Notes.V.V, ",") != "a,b" {
			t.Fatalf("%+v", d)
		}

		// and cleared again: empty input is NULL
		edit, _ = forms.NewModelForm[Device](ctx, db, &d, "Label", "Weight", "Seen", "Grace", "Spare", "Notes")
		if bf, _ := edit.Field("notes"); bf.Value() != "[\n  \"a\",\n  \"b\"\n]" {
			t.Errorf("notes shown as %q", bf.Value())
		}
		if err := edit.BindValues(ctx, url.Values{"label": {""}}); err != nil || !edit.Valid() {
			t.Fatalf("%v %v", err, edit.Errors())
		}
		if err := edit.Save(ctx); err != nil {
			t.Fatal(err)
		}
		d, _ = orm.From[Device](db).Filter("ID", d.ID).Get(ctx)
		if d.Label.Valid || d.Weight.Valid || d.Seen.Valid || d.Grace.Valid || d.Spare.Valid || d.Notes.Valid || d.Interval != 48*time.Hour+250*time.Millisecond {
			t.Fatalf("%+v", d)
		}
	})
}

func TestModelFormBytesRefused(t *testing.T) {
	db := openDevices(t, anodetest.SQLiteURL(t))
	_, err := forms.NewModelForm[Device](context.Background(), db, nil, "Firmware")
	var de *forms.DeclarationError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "field Firmware: a bytes field has no form input") {
		t.Fatalf("%v", err)
	}
}
