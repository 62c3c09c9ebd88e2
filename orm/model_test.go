package orm_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type Question struct {
	ID      int64
	Text    string    `anode:"max=200,verbose=question text"`
	PubDate time.Time `anode:"index"`
	Closed  *time.Time
	Slug    string `anode:"max=50,unique,help=Used in URLs, lowercase"`
	Votes   int    `anode:"default=0"`
	Kind    string `anode:"max=10,choices=poll:Poll|survey:Survey,default=poll"`
	//lint:ignore U1000 present to show unexported fields are not model fields
	secret string
}

func (Question) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"-PubDate"}, UniqueTogether: [][]string{{"Text", "PubDate"}}}
}

type Tag struct {
	Code  string `anode:"pk,max=20"`
	Label string
}

func TestModelMetadata(t *testing.T) {
	r := orm.NewRegistry()
	if err := r.Register("polls", Question{}, (*Tag)(nil)); err != nil {
		t.Fatal(err)
	}
	m, err := orm.ModelOf[Question](r)
	if err != nil {
		t.Fatal(err)
	}
	if m.Table != "polls_question" || m.Label() != "polls.Question" || m.PK.Name != "ID" || !m.PK.AutoIncrement {
		t.Fatalf("model: table %q label %q pk %v", m.Table, m.Label(), m.PK)
	}
	if m.Meta.VerboseName != "question" || m.Meta.VerboseNamePlural != "questions" {
		t.Errorf("verbose names %q %q", m.Meta.VerboseName, m.Meta.VerboseNamePlural)
	}
	if got := strings.Join(m.FieldNames(), ","); got != "ID,Text,PubDate,Closed,Slug,Votes,Kind" {
		t.Errorf("fields %s", got)
	}
	tests := []struct {
		name   string
		column string
		kind   orm.Kind
		null   bool
		check  func(f *orm.Field) bool
	}{
		{"Text", "text", orm.KindString, false, func(f *orm.Field) bool { return f.MaxLength == 200 && f.VerboseName == "question text" }},
		{"PubDate", "pub_date", orm.KindTime, false, func(f *orm.Field) bool { return f.Index && f.VerboseName == "pub date" }},
		{"Closed", "closed", orm.KindTime, true, nil},
		{"Slug", "slug", orm.KindString, false, func(f *orm.Field) bool { return f.Unique && f.HelpText == "Used in URLs, lowercase" }},
		{"Votes", "votes", orm.KindInt, false, func(f *orm.Field) bool { return f.Default == 0 }},
		{"Kind", "kind", orm.KindString, false, func(f *orm.Field) bool {
			return len(f.Choices) == 2 && f.Choices[1].Value == "survey" && f.Choices[1].Label == "Survey" && f.Default == "poll"
		}},
	}
	for _, tt := range tests {
		f, ok := m.Field(tt.name)
		if !ok {
			t.Errorf("no field %s", tt.name)
			continue
		}
		if byCol, _ := m.Field(tt.column); byCol != f {
			t.Errorf("%s: not found by column %q", tt.name, tt.column)
		}
		if f.Column != tt.column || f.Kind != tt.kind || f.Null != tt.null || (tt.check != nil && !tt.check(f)) {
			t.Errorf("%s: %+v", tt.name, f)
		}
	}
	tag, _ := orm.ModelOf[Tag](r)
	if tag.PK.Name != "Code" || tag.PK.AutoIncrement || tag.Table != "polls_tag" {
		t.Errorf("Tag: pk %+v table %s", tag.PK, tag.Table)
	}
	if _, err := orm.ModelOf[struct{ ID int64 }](r); err == nil {
		t.Error("ModelOf an unregistered type must fail")
	}
}

// Bad definitions fail at registration with a ModelError naming model and field.
func TestModelErrors(t *testing.T) {
	type NoPK struct{ Name string }
	type BadType struct {
		ID int64
		Ch chan int
	}
	type BadTag struct {
		ID   int64
		Name string `anode:"maxlen=5"`
	}
	type BadMax struct {
		ID int64
		N  int `anode:"max=5"`
	}
	type BadColumn struct {
		ID   int64
		Name string `anode:"column=Name; DROP TABLE x"`
	}
	type DupColumn struct {
		ID      int64
		Name    string
		NameAlt string `anode:"column=name"`
	}
	type TwoPK struct {
		A int64 `anode:"pk"`
		B int64 `anode:"pk"`
	}
	type NullPK struct {
		ID *int64 `anode:"pk"`
	}
	type BadDefault struct {
		ID int64
		N  int `anode:"default=many"`
	}
	tests := []struct {
		model any
		field string
		want  string
	}{
		{NoPK{}, "", "no primary key"},
		{BadType{}, "Ch", "not a supported field type"},
		{BadTag{}, "Name", `unknown tag option "maxlen"`},
		{BadMax{}, "N", "max applies to string fields only"},
		{BadColumn{}, "Name", "want lowercase letters"},
		{DupColumn{}, "NameAlt", `column "name" is also used by field Name`},
		{TwoPK{}, "B", "second primary key"},
		{NullPK{}, "ID", "cannot be a pointer"},
		{BadDefault{}, "N", `default="many"`},
		{badMeta{}, "", `Meta.Ordering names "Missing"`},
		{42, "", "named struct type"},
	}
	for _, tt := range tests {
		err := orm.NewRegistry().Register("app", tt.model)
		var me *orm.ModelError
		if !errors.As(err, &me) || me.Field != tt.field || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: error %v, want a ModelError for field %q containing %q", tt.model, err, tt.field, tt.want)
		}
	}
	r := orm.NewRegistry()
	r.Register("polls", Question{})
	if err := r.Register("other", Question{}); err == nil || !strings.Contains(err.Error(), `already registered by module "polls"`) {
		t.Errorf("double registration: %v", err)
	}
}

type badMeta struct{ ID int64 }

func (badMeta) Meta() orm.Meta { return orm.Meta{Ordering: []string{"-Missing"}} }

func TestCreateTableSQL(t *testing.T) {
	r := orm.NewRegistry()
	if err := r.Register("polls", Question{}); err != nil {
		t.Fatal(err)
	}
	m, _ := orm.ModelOf[Question](r)
	stmts, err := orm.CreateTableSQL(testDialect{}, m)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE TABLE «polls_question» (\n" +
			"\t«id» AUTO,\n" +
			"\t«text» VARCHAR(200) NOT NULL,\n" +
			"\t«pub_date» time NOT NULL,\n" +
			"\t«closed» time NULL,\n" +
			"\t«slug» VARCHAR(50) NOT NULL,\n" +
			"\t«votes» int NOT NULL,\n" +
			"\t«kind» VARCHAR(10) NOT NULL,\n" +
			"\tCONSTRAINT «polls_question_slug_uniq» UNIQUE («slug»),\n" +
			"\tCONSTRAINT «polls_question_text_pub_date_uniq» UNIQUE («text», «pub_date»)\n)",
		"CREATE INDEX «polls_question_pub_date_idx» ON «polls_question» («pub_date»)",
	}
	if strings.Join(stmts, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(stmts, "\n--\n"), strings.Join(want, "\n--\n"))
	}
}

func TestLongConstraintNames(t *testing.T) {
	type AVeryLongModelNameThatKeepsGoingOnAndOn struct {
		ID                                   int64
		AnExtremelyLongFieldNameForTestingIt string `anode:"unique"`
	}
	r := orm.NewRegistry()
	if err := r.Register("amoduleofsomelength", AVeryLongModelNameThatKeepsGoingOnAndOn{}); err != nil {
		t.Fatal(err)
	}
	m, _ := orm.ModelOf[AVeryLongModelNameThatKeepsGoingOnAndOn](r)
	stmts, _ := orm.CreateTableSQL(testDialect{}, m)
	i := strings.Index(stmts[0], "CONSTRAINT «")
	name := stmts[0][i+len("CONSTRAINT «"):]
	name = name[:strings.Index(name, "»")]
	if len(name) > 63 || !strings.HasSuffix(name, "_uniq") {
		t.Fatalf("constraint name %q (%d chars)", name, len(name))
	}
}

// testDialect renders recognisably, to test the SQL shape independent of a database.
type testDialect struct{}

func (testDialect) Name() string                              { return "test" }
func (testDialect) QuoteIdent(n string) string                { return "«" + n + "»" }
func (testDialect) Placeholder(n int) string                  { return "?" }
func (testDialect) AutoPrimaryKey() string                    { return "AUTO" }
func (testDialect) TranslateError(e error) error              { return e }
func (testDialect) Extract(part, col string) string           { return part + "(" + col + ")" }
func (testDialect) ResetSequence(table, column string) string { return "" }
func (testDialect) Match(kind string, fold bool, col, ph, v string) (string, string) {
	return col + " MATCH " + ph, v
}
func (testDialect) ColumnType(f *orm.Field) (string, error) {
	if f.Kind == orm.KindString {
		return "VARCHAR(" + itoa(f.MaxLength) + ")", nil
	}
	return f.Kind.String(), nil
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
