package forms_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/orm"
	"golang.org/x/net/html"
)

type person struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// kindsForm has a field of every kind added for UUIDs, durations, JSON and
// orm.Null.
type kindsForm struct {
	Token    orm.UUID                  `form:"token,required"`
	Ref      *orm.UUID                 `form:"ref"`
	Wait     time.Duration             `form:"wait,min=1s,max=48h"`
	Doc      orm.JSON[person]          `form:"doc"`
	Any      orm.JSON[map[string]any]  `form:"any"`
	Nick     orm.Null[string]          `form:"nick,max=5"`
	Count    orm.Null[int64]           `form:"count,min=0"`
	Pinned   orm.Null[bool]            `form:"pinned"`
	Day      orm.Null[orm.Date]        `form:"day"`
	Owner    orm.Null[orm.UUID]        `form:"owner"`
	Timeout  orm.Null[time.Duration]   `form:"timeout"`
	Settings orm.Null[orm.JSON[[]int]] `form:"settings"`
	Key      orm.UUID                  `form:"key,kind=hidden"`
}

const uuidText = "0190a6c4-7dec-71d0-a765-00a0c91e6bf6"

func TestBindNewKinds(t *testing.T) {
	u := orm.MustUUID(uuidText)
	for _, c := range []struct {
		name   string
		values url.Values
		check  func(t *testing.T, d kindsForm)
		errs   map[string]string // field → key
	}{
		{name: "uuid canonical", values: url.Values{"token": {uuidText}},
			check: func(t *testing.T, d kindsForm) {
				if d.Token != u || d.Ref != nil {
					t.Errorf("%v %v", d.Token, d.Ref)
				}
			}},
		{name: "uuid upper case, braces, urn, bare hex", values: url.Values{"token": {strings.ToUpper(uuidText)}, "ref": {"{" + uuidText + "}"}, "owner": {"urn:uuid:" + uuidText}, "key": {strings.ReplaceAll(uuidText, "-", "")}},
			check: func(t *testing.T, d kindsForm) {
				if d.Token != u || d.Ref == nil || *d.Ref != u || d.Owner != orm.NullOf(u) || d.Key != u {
					t.Errorf("%+v", d)
				}
			}},
		{name: "uuid missing", values: url.Values{}, errs: map[string]string{"token": "required"}},
		{name: "uuid bad", values: url.Values{"token": {"0190a6c4-7dec-71d0-a765-00a0c91e6bfz"}, "ref": {"123"}, "owner": {uuidText + "0"}, "key": {"x"}},
			errs: map[string]string{"token": "invalid_uuid", "ref": "invalid_uuid", "owner": "invalid_uuid", "key": "invalid_uuid"}},
		{name: "duration clock", values: url.Values{"token": {uuidText}, "wait": {"01:30:00"}, "timeout": {"2 03:04:05.5"}},
			check: func(t *testing.T, d kindsForm) {
				if d.Wait != 90*time.Minute || d.Timeout != orm.NullOf(2*24*time.Hour+3*time.Hour+4*time.Minute+5500*time.Millisecond) {
					t.Errorf("%v %v", d.Wait, d.Timeout)
				}
			}},
		{name: "duration Django forms", values: url.Values{"token": {uuidText}, "wait": {"1 day, 00:00:01"}, "timeout": {"-90"}},
			check: func(t *testing.T, d kindsForm) {
				if d.Wait != 24*time.Hour+time.Second || d.Timeout != orm.NullOf(-90*time.Second) {
					t.Errorf("%v %v", d.Wait, d.Timeout)
				}
			}},
		{name: "duration Go", values: url.Values{"token": {uuidText}, "wait": {"1h30m"}, "timeout": {"250ms"}},
			check: func(t *testing.T, d kindsForm) {
				if d.Wait != 90*time.Minute || d.Timeout != orm.NullOf(250*time.Millisecond) {
					t.Errorf("%v %v", d.Wait, d.Timeout)
				}
			}},
		{name: "duration empty", values: url.Values{"token": {uuidText}, "wait": {""}, "timeout": {""}},
			check: func(t *testing.T, d kindsForm) {
				if d.Wait != 0 || d.Timeout.Valid {
					t.Errorf("%v %v", d.Wait, d.Timeout)
				}
			}},
		{name: "duration bad", values: url.Values{"token": {uuidText}, "wait": {"1:60:00"}, "timeout": {"ten minutes"}},
			errs: map[string]string{"wait": "invalid_duration", "timeout": "invalid_duration"}},
		{name: "duration overflow", values: url.Values{"token": {uuidText}, "wait": {"9999999999:00:00"}, "timeout": {"99999999999h"}},
			errs: map[string]string{"wait": "invalid_duration", "timeout": "invalid_duration"}},
		{name: "duration bounds", values: url.Values{"token": {uuidText}, "wait": {"0.5"}},
			errs: map[string]string{"wait": "min_value"}},
		{name: "duration over max", values: url.Values{"token": {uuidText}, "wait": {"2 00:00:01"}},
			errs: map[string]string{"wait": "max_value"}},
		{name: "json", values: url.Values{"token": {uuidText}, "doc": {`{"name": "Ann", "tags": ["a"]}`}, "any": {`{"n": 1.5, "x": null}`}, "settings": {"[1, 2]"}},
			check: func(t *testing.T, d kindsForm) {
				if d.Doc.V.Name != "Ann" || len(d.Doc.V.Tags) != 1 || d.Any.V["n"] != 1.5 || !d.Settings.Valid || len(d.Settings.V.V) != 2 {
					t.Errorf("%+v", d)
				}
			}},
		{name: "json empty", values: url.Values{"token": {uuidText}, "doc": {" "}, "settings": {""}},
			check: func(t *testing.T, d kindsForm) {
				if d.Doc.V.Name != "" || d.Settings.Valid {
					t.Errorf("%+v", d)
				}
			}},
		{name: "json bad", values: url.Values{"token": {uuidText}, "doc": {`{"name": 3}`}, "any": {`{"a":1} {}`}, "settings": {`[1,`}},
			errs: map[string]string{"doc": "invalid_json", "any": "invalid_json", "settings": "invalid_json"}},
		{name: "json unknown key", values: url.Values{"token": {uuidText}, "doc": {`{"name": "Ann", "age": 3}`}, "any": {`[]`}},
			errs: map[string]string{"doc": "invalid_json", "any": "invalid_json"}},
		{name: "null values", values: url.Values{"token": {uuidText}, "nick": {" Ann "}, "count": {"0"}, "pinned": {"on"}, "day": {"2024-02-29"}},
			check: func(t *testing.T, d kindsForm) {
				if d.Nick != orm.NullOf("Ann") || d.Count != orm.NullOf[int64](0) || d.Pinned != orm.NullOf(true) || d.Day != orm.NullOf(orm.Date{Year: 2024, Month: 2, Day: 29}) {
					t.Errorf("%+v", d)
				}
			}},
		{name: "null empty", values: url.Values{"token": {uuidText}, "nick": {""}, "count": {" "}},
			check: func(t *testing.T, d kindsForm) {
				if d.Nick.Valid || d.Count.Valid || d.Pinned.Valid || d.Day.Valid || d.Owner.Valid {
					t.Errorf("%+v", d)
				}
			}},
		{name: "null bad", values: url.Values{"token": {uuidText}, "nick": {"Annabel"}, "count": {"-1"}, "pinned": {"maybe"}, "day": {"2023-02-29"}},
			errs: map[string]string{"nick": "max_length", "count": "min_value", "pinned": "invalid_boolean", "day": "invalid_date"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := forms.New[kindsForm]()
			if err := f.BindValues(context.Background(), c.values); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range f.Errors().All() {
				got[e.Field] = e.Key
				if e.Message == "" {
					t.Errorf("%s: no message for %s", e.Field, e.Key)
				}
			}
			if len(got) != len(c.errs) {
				t.Fatalf("errors %v, want %v", got, c.errs)
			}
			for k, v := range c.errs {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
			if c.check != nil && f.Valid() {
				c.check(t, f.Data)
			}
		})
	}
}

func TestRenderNewKinds(t *testing.T) {
	// unbound: the values of Data, canonical and readable
	f := forms.New[kindsForm]()
	f.Data = kindsForm{
		Token:    orm.MustUUID(strings.ToUpper(uuidText)),
		Wait:     26*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Microsecond,
		Doc:      orm.JSONOf(person{Name: hostile}),
		Nick:     orm.NullOf("Ann"),
		Count:    orm.NullOf[int64](0),
		Timeout:  orm.NullOf(-90 * time.Second),
		Settings: orm.NullOf(orm.JSONOf([]int{1})),
	}
	out := string(f.HTML())
	for _, want := range []string{
		`<input type="text" name="token" id="id_token" required value="` + uuidText + `">`,
		`<input type="text" name="ref" id="id_ref">`,
		`<input type="text" name="wait" id="id_wait" value="26:03:04.000005">`,
		"<textarea name=\"doc\" id=\"id_doc\">\n{\n  &#34;name&#34;: &#34;\\&#34;&gt;&lt;script&gt;",
		"<textarea name=\"any\" id=\"id_any\">\n</textarea>", // null shows as empty
		`<input type="text" name="nick" id="id_nick" maxlength="5" value="Ann">`,
		`<input type="number" name="count" id="id_count" min="0" value="0">`,
		`<input type="date" name="day" id="id_day">`,
		`<input type="text" name="timeout" id="id_timeout" value="-00:01:30">`,
		"<textarea name=\"settings\" id=\"id_settings\">\n[\n  1\n]</textarea>",
		`<input type="hidden" name="key" value="">`, // the nil UUID is no value
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if bf, _ := f.Field("doc"); bf.Kind() != forms.KindJSON {
		t.Errorf("kind %s", bf.Kind())
	}

	// bound: what was typed comes back, escaped, whatever it was
	f = forms.New[kindsForm]()
	f.BindValues(context.Background(), url.Values{"token": {hostile}, "wait": {hostile}, "doc": {"</textarea>" + hostile}, "nick": {hostile}, "owner": {hostile}})
	out = string(f.HTML())
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "html", "head", "body", "div", "ul", "li", "label", "input", "textarea":
		default:
			t.Errorf("element <%s> in\n%s", n.Data, out)
		}
		var name, value string
		for _, a := range n.Attr {
			switch a.Key {
			case "name":
				name = a.Val
			case "value":
				value = a.Val
			}
		}
		if n.Data == "textarea" && n.FirstChild != nil {
			value = n.FirstChild.Data
		}
		if name != "" {
			seen[name] = value
		}
	}
	for name, want := range map[string]string{"token": hostile, "wait": hostile, "doc": "</textarea>" + hostile, "nick": hostile, "owner": hostile} {
		if seen[name] != want {
			t.Errorf("%s shows %q, want %q", name, seen[name], want)
		}
	}
	for _, name := range []string{"token", "wait", "doc", "nick", "owner"} {
		if bf, _ := f.Field(name); !bf.Invalid() {
			t.Errorf("%s valid", name)
		}
	}
}

func TestDurationRoundTrip(t *testing.T) {
	f := forms.New[kindsForm]()
	for _, d := range []time.Duration{0, time.Nanosecond, -time.Nanosecond, 59 * time.Second, 100 * time.Hour, 1<<63 - 1, -1 << 63, 1500 * time.Microsecond} {
		f.Data.Timeout = orm.NullOf(d)
		bf, _ := f.Field("timeout")
		g := forms.New[kindsForm]()
		g.BindValues(context.Background(), url.Values{"token": {uuidText}, "timeout": {bf.Value()}})
		if !g.Valid() || g.Data.Timeout != orm.NullOf(d) {
			t.Errorf("%v shown as %q reads back as %v %v", d, bf.Value(), g.Data.Timeout, g.Errors())
		}
	}
}

func TestNewKindDeclarations(t *testing.T) {
	type uuidMin struct {
		U orm.UUID `form:"u,min=1"`
	}
	type jsonText struct {
		J orm.JSON[int] `form:"j,kind=text"`
	}
	type durationKind struct {
		S string `form:"s,kind=duration"`
	}
	type nullPtr struct {
		N orm.Null[*string]
	}
	type durations struct {
		D []time.Duration
	}
	for name, err := range map[string]error{
		"uuid min":       forms.Check[uuidMin](),
		"json text":      forms.Check[jsonText](),
		"duration kind":  forms.Check[durationKind](),
		"null pointer":   forms.Check[nullPtr](),
		"duration slice": forms.Check[durations](),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	type ok struct {
		U orm.UUID          `form:"u,kind=uuid"`
		D time.Duration     `form:"d,kind=hidden"`
		J orm.JSON[[]int]   `form:"j,kind=json"`
		N orm.Null[float64] `form:"n,kind=decimal"`
	}
	if err := forms.Check[ok](); err != nil {
		t.Error(err)
	}
}
