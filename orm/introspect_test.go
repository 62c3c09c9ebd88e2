package orm_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

// Models covering what CreateTableSQL renders: every field kind, NULL,
// db_default, unique, index, UniqueTogether, checks, partial and Lower()
// indexes, foreign keys with each on_delete rule, one-to-one and a
// generated many-to-many table.

type IspLevel int32

func (IspLevel) Choices() []orm.Choice {
	return []orm.Choice{{Value: IspLevel(1), Label: "Low"}, {Value: IspLevel(2), Label: "High"}}
}

type IspOwner struct {
	ID   int64
	Name string `anode:"max=50,unique"`
}

type IspLabel struct {
	Code string `anode:"pk,max=20"`
}

type IspItem struct {
	ID       int64
	Flag     bool                      `anode:"db_default=true"`
	Count    int                       `anode:"db_default=3,index"`
	Small    int32                     `anode:"db_default=-1"`
	Level    IspLevel                  `anode:"default=1"`
	Ratio    float64                   ``
	Ratio32  float32                   ``
	Title    string                    `anode:"max=100"`
	Email    string                    `anode:"max=254"`
	Body     string                    ``
	Note     orm.Null[string]          `anode:"max=30,db_default=it's (ok)"`
	Data     []byte                    ``
	Created  time.Time                 `anode:"db_default=now"`
	Closed   *time.Time                ``
	Span     time.Duration             ``
	Price    orm.Decimal               `anode:"digits=10,places=2,db_default=0.50"`
	Token    orm.UUID                  `anode:"unique"`
	Day      orm.Date                  ``
	At       orm.TimeOfDay             ``
	Doc      orm.JSON[[]string]        ``
	Maybe    orm.Null[int64]           ``
	Deleted  bool                      ``
	Owner    orm.FK[IspOwner]          `anode:"on_delete=cascade,related=items"`
	Keeper   orm.FK[IspOwner]          `anode:"on_delete=protect,related=kept"`
	Checker  orm.FK[IspOwner]          `anode:"on_delete=restrict,related=checked"`
	Backup   orm.FK[IspOwner]          `anode:"null,on_delete=set_null,related=backed"`
	Fallback orm.FK[IspOwner]          `anode:"default=1,on_delete=set_default,related=fallen"`
	Loose    orm.FK[IspOwner]          `anode:"null,on_delete=do_nothing,related=loose"`
	Label    orm.Ref[IspLabel, string] `anode:"null,on_delete=cascade,related=items"`
	Twin     orm.FK[IspOwner]          `anode:"one_to_one,null,on_delete=set_null,related=twin"`
	Tags     orm.M2M[IspLabel]         `anode:"related=tagged"`
}

func (IspItem) Meta() orm.Meta {
	return orm.Meta{
		UniqueTogether: [][]string{{"Title", "Owner"}},
		Checks: []orm.Check{
			{Name: "isp_item_count_range", Cond: orm.And(orm.Q("Count__gte", 0), orm.Q("Count__lte", 100))},
			{Name: "isp_item_title_shape", Cond: orm.Or(orm.Q("Title", ""), orm.Not(orm.Q("Title__contains", "'),(")))},
		},
		Indexes: []orm.Index{
			{Name: "isp_item_email_ci", Fields: []string{"Lower(Email)"}, Unique: true, Where: orm.Q("Deleted", false)},
			{Name: "isp_item_day_ratio", Fields: []string{"Day", "Ratio"}},
		},
	}
}

var ispModels = []any{IspOwner{}, IspLabel{}, IspItem{}}

// ispTypes: the column types each dialect reports for IspItem's fields.
var ispTypes = []struct{ column, sqlite, postgres string }{
	{"id", "integer", "bigint"},
	{"flag", "boolean", "boolean"},
	{"count", "integer", "bigint"},
	{"small", "integer", "integer"},
	{"level", "integer", "integer"},
	{"ratio", "real", "double precision"},
	{"ratio32", "real", "real"},
	{"title", "varchar(100)", "character varying(100)"},
	{"body", "text", "text"},
	{"note", "varchar(30)", "character varying(30)"},
	{"data", "blob", "bytea"},
	{"created", "datetime", "timestamp with time zone"},
	{"span", "bigint", "bigint"},
	{"price", "integer", "numeric(10,2)"},
	{"token", "varchar(36)", "uuid"},
	{"day", "varchar(10)", "date"},
	{"at", "varchar(15)", "time without time zone"},
	{"doc", "text", "jsonb"},
	{"owner_id", "integer", "bigint"},
	{"label_id", "varchar(20)", "character varying(20)"},
}

func introspect(t *testing.T, db *orm.DB) *orm.SchemaSnapshot {
	t.Helper()
	s, err := db.Introspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchemaSnapshotFacts(t *testing.T) {
	forEachDB(t, ispModels, func(t *testing.T, db *orm.DB) {
		sqlite := db.Dialect().Name() == "sqlite"
		s := introspect(t, db)
		var tables []string
		for _, tb := range s.Tables {
			tables = append(tables, tb.Name)
		}
		if want := []string{"app_ispitem", "app_ispitem_tags", "app_isplabel", "app_ispowner"}; !slices.Equal(tables, want) {
			t.Fatalf("tables %v, want %v", tables, want)
		}
		item := s.Table("app_ispitem")

		for _, tt := range ispTypes {
			want := tt.postgres
			if sqlite {
				want = tt.sqlite
			}
			if c := item.Column(tt.column); c == nil || c.Type != want {
				t.Errorf("column %s: %+v, want type %s", tt.column, c, want)
			}
		}
		if got := len(item.Columns); got != 30 {
			t.Errorf("%d columns, want 30", got)
		}
		for name, notNull := range map[string]bool{"id": true, "title": true, "note": false, "closed": false, "maybe": false, "owner_id": true, "backup_id": false, "twin_id": false} {
			if c := item.Column(name); c.NotNull != notNull {
				t.Errorf("column %s: NotNull %t, want %t", name, c.NotNull, notNull)
			}
		}
		if c := item.Column("id"); !c.Identity || c.Default != "" {
			t.Errorf("id: %+v, want an identity column without default", c)
		}
		if c := item.Column("count"); c.Identity {
			t.Errorf("count: %+v, want no identity", c)
		}
		wantDefaults := map[string][2]string{ // column: sqlite, postgres
			"flag":        {"true", "true"},
			"count":       {"3", "3"},
			"small":       {"-1", "'-1'::integer"},
			"note":        {"'it''s (ok)'", "'it''s (ok)'::character varying"},
			"price":       {"50", "0.50"},
			"fallback_id": {"1", "1"},
			"created":     {"strftime('%Y-%m-%d %H:%M:%f','now') || '000000'", "CURRENT_TIMESTAMP"},
			"title":       {"", ""},
		}
		for name, want := range wantDefaults {
			w := want[1]
			if sqlite {
				w = want[0]
			}
			if c := item.Column(name); c.Default != w {
				t.Errorf("column %s: default %q, want %q", name, c.Default, w)
			}
		}

		if !slices.Equal(item.PrimaryKey, []string{"id"}) || !slices.Equal(s.Table("app_isplabel").PrimaryKey, []string{"code"}) {
			t.Errorf("primary keys %v, %v", item.PrimaryKey, s.Table("app_isplabel").PrimaryKey)
		}
		wantUniques := []orm.UniqueSnapshot{
			{Name: "app_ispitem_title_owner_id_uniq", Columns: []string{"title", "owner_id"}},
			{Name: "app_ispitem_token_uniq", Columns: []string{"token"}},
			{Name: "app_ispitem_twin_id_uniq", Columns: []string{"twin_id"}}, // one_to_one
		}
		if !slices.EqualFunc(item.Uniques, wantUniques, equalUnique) {
			t.Errorf("uniques %+v, want %+v", item.Uniques, wantUniques)
		}

		if len(item.Checks) != 2 || item.Checks[0].Name != "isp_item_count_range" || item.Checks[1].Name != "isp_item_title_shape" {
			t.Fatalf("checks %+v", item.Checks)
		}
		wantCheck := "count >= 0 AND count <= 100"
		if sqlite {
			wantCheck = "(count >= 0 and count <= 100)"
		}
		if got := item.Checks[0].Expr; got != wantCheck {
			t.Errorf("check expression %q, want %q", got, wantCheck)
		}
		if got := item.Checks[1].Expr; !strings.Contains(got, "'),(") {
			t.Errorf("check with a literal holding '),(: %q", got)
		}

		onDelete := map[string]string{}
		for _, fk := range item.ForeignKeys {
			if len(fk.Columns) != 1 || fk.Name != "app_ispitem_"+fk.Columns[0]+"_fk" {
				t.Errorf("foreign key %+v: want one column and a derived name", fk)
			}
			onDelete[fk.Columns[0]] = fk.OnDelete
		}
		wantOnDelete := map[string]string{"owner_id": "CASCADE", "keeper_id": "RESTRICT", "checker_id": "NO ACTION",
			"backup_id": "SET NULL", "fallback_id": "SET DEFAULT", "loose_id": "NO ACTION", "label_id": "CASCADE", "twin_id": "SET NULL"}
		if !maps.Equal(onDelete, wantOnDelete) {
			t.Errorf("on delete %v, want %v", onDelete, wantOnDelete)
		}
		if fk := item.ForeignKeys[slices.IndexFunc(item.ForeignKeys, func(fk orm.ForeignKeySnapshot) bool { return fk.Columns[0] == "label_id" })]; fk.RefTable != "app_isplabel" || !slices.Equal(fk.RefColumns, []string{"code"}) {
			t.Errorf("label foreign key %+v", fk)
		}

		indexes := map[string]orm.IndexSnapshot{}
		for _, ix := range item.Indexes {
			indexes[ix.Name] = ix
		}
		wantLower := "lower(email::text)"
		if sqlite {
			wantLower = "lower(email)"
		}
		if ix := indexes["isp_item_email_ci"]; !ix.Unique || !slices.Equal(ix.Terms, []string{wantLower}) || ix.Where != "deleted = false" {
			t.Errorf("partial Lower() index: %+v", ix)
		}
		if ix := indexes["isp_item_day_ratio"]; ix.Unique || !slices.Equal(ix.Terms, []string{"day", "ratio"}) || ix.Where != "" {
			t.Errorf("two-column index: %+v", ix)
		}
		for _, name := range []string{"app_ispitem_count_idx", "app_ispitem_owner_id_idx", "app_ispitem_label_id_idx"} {
			if ix, ok := indexes[name]; !ok || ix.Unique {
				t.Errorf("index %s: %+v", name, ix)
			}
		}
		if len(indexes) != 10 { // 8 foreign keys but the one-to-one's (unique), count, the two Meta indexes
			t.Errorf("%d indexes, want 10 (constraint-backed indexes are not indexes): %v", len(indexes), slices.Collect(maps.Keys(indexes)))
		}

		through := s.Table("app_ispitem_tags")
		if len(through.Columns) != 3 || !slices.EqualFunc(through.Uniques, []orm.UniqueSnapshot{{Name: "app_ispitem_tags_ispitem_id_isplabel_id_uniq", Columns: []string{"ispitem_id", "isplabel_id"}}}, equalUnique) {
			t.Errorf("many-to-many table: %+v", through)
		}
		if len(through.ForeignKeys) != 2 || through.ForeignKeys[0].OnDelete != "CASCADE" || through.ForeignKeys[1].RefTable != "app_isplabel" {
			t.Errorf("many-to-many foreign keys: %+v", through.ForeignKeys)
		}
	})
}

func equalUnique(a, b orm.UniqueSnapshot) bool {
	return a.Name == b.Name && slices.Equal(a.Columns, b.Columns)
}

// freshDB opens another empty database of db's dialect with models'
// tables.
func freshDB(t *testing.T, db *orm.DB, models ...any) *orm.DB {
	t.Helper()
	if db.Dialect().Name() == "sqlite" {
		return openDB(t, anodetest.SQLiteURL(t), models)
	}
	return openDB(t, anodetest.PostgresSchema(t, anodetestPostgres(t)), models)
}

// A table in variants, each differing from IspNote in one respect.
type IspNote struct {
	ID     int64
	Title  string `anode:"max=100"`
	Score  int
	Hidden bool
}

// ispNoteMeta: IspNote's table, its check (score >= minScore) and, with
// index, a partial index where hidden = hidden.
func ispNoteMeta(minScore int, index, hidden bool) orm.Meta {
	m := orm.Meta{Table: "isp_note", Checks: []orm.Check{{Name: "isp_note_score", Cond: orm.Q("Score__gte", minScore)}}}
	if index {
		m.Indexes = []orm.Index{{Name: "isp_note_title", Fields: []string{"Title"}, Where: orm.Q("Hidden", hidden)}}
	}
	return m
}

func (IspNote) Meta() orm.Meta { return ispNoteMeta(0, true, false) }

type IspNoteNull struct {
	ID     int64
	Title  orm.Null[string] `anode:"max=100"`
	Score  int
	Hidden bool
}

func (IspNoteNull) Meta() orm.Meta { return ispNoteMeta(0, true, false) }

type IspNoteCheck IspNote

func (IspNoteCheck) Meta() orm.Meta { return ispNoteMeta(1, true, false) }

type IspNoteWhere IspNote

func (IspNoteWhere) Meta() orm.Meta { return ispNoteMeta(0, true, true) }

type IspNoteNoIndex IspNote

func (IspNoteNoIndex) Meta() orm.Meta { return ispNoteMeta(0, false, false) }

// IspNoteReordered has IspNote's columns in another order, as a migration
// that adds a column at the end leaves them.
type IspNoteReordered struct {
	ID     int64
	Hidden bool
	Title  string `anode:"max=100"`
	Score  int
}

func (IspNoteReordered) Meta() orm.Meta { return ispNoteMeta(0, true, false) }

func TestSchemaSnapshotDiff(t *testing.T) {
	forEachDB(t, ispModels, func(t *testing.T, db *orm.DB) {
		want := introspect(t, db)
		got := introspect(t, freshDB(t, db, ispModels...))
		if d := got.Diff(want); len(d) != 0 {
			t.Errorf("two databases built alike differ:\n%s", strings.Join(d, "\n"))
		}
		if d := got.Without("app_ispitem_tags").Diff(want); !slices.Equal(d, []string{"table app_ispitem_tags: missing"}) {
			t.Errorf("without a table: %q", d)
		}
		if d := got.Diff(want.Without("app_ispitem_tags")); !slices.Equal(d, []string{"table app_ispitem_tags: not expected"}) {
			t.Errorf("with an extra table: %q", d)
		}

		base := introspect(t, freshDB(t, db, IspNote{}))
		if len(base.Tables) != 1 || base.Tables[0].Name != "isp_note" {
			t.Fatalf("tables: %+v", base.Tables)
		}
		for _, tt := range []struct {
			model any
			want  string // the one line of the Diff, "" for none
		}{
			{IspNoteReordered{}, ""},
			{IspNoteNull{}, "table isp_note: column title: nullable, want NOT NULL"},
			{IspNoteCheck{}, "table isp_note: check isp_note_score: score >= 1, want score >= 0"},
			{IspNoteWhere{}, "table isp_note: index isp_note_title: where hidden = true, want hidden = false"},
			{IspNoteNoIndex{}, "table isp_note: index isp_note_title: missing"},
		} {
			d := introspect(t, freshDB(t, db, tt.model)).Diff(base)
			if tt.want == "" && len(d) != 0 || tt.want != "" && !slices.Equal(d, []string{tt.want}) {
				t.Errorf("%T: Diff %q, want %q", tt.model, d, tt.want)
			}
		}
	})
}
