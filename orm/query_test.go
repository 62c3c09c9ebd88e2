package orm_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type Poll struct {
	ID     int64
	Title  string `anode:"max=100"`
	Votes  int
	Score  float64
	Open   bool
	Opened time.Time
	Closed *time.Time
	Limit  time.Duration
	Data   []byte
	Note   *string
	Status Status `anode:"max=10,default=draft"`
}

type Status string

func (Poll) Meta() orm.Meta { return orm.Meta{Ordering: []string{"-Votes", "ID"}} }

func seed(t *testing.T, ctx context.Context, db *orm.DB) []Poll {
	t.Helper()
	base := time.Date(2026, 11, 24, 12, 0, 0, 123456000, time.UTC)
	closed := base.Add(48 * time.Hour)
	note := "has a note"
	polls := []Poll{
		{Title: "Lunch?", Votes: 5, Score: 1.5, Open: true, Opened: base, Limit: time.Minute, Data: []byte{1, 2}},
		{Title: "lunch?", Votes: 9, Score: 2.5, Open: false, Opened: base.Add(time.Hour), Closed: &closed, Note: &note, Status: "live"},
		{Title: "Dinner", Votes: 0, Score: -1, Open: true, Opened: base.Add(-time.Hour), Limit: 90 * time.Second},
		{Title: "Breakfast", Votes: 5, Score: 0, Open: true, Opened: base.In(time.FixedZone("X", 5*3600)).Add(2 * time.Hour)},
	}
	for i := range polls {
		if err := orm.Create(ctx, db, &polls[i]); err != nil {
			t.Fatal(err)
		}
		if polls[i].ID == 0 {
			t.Fatal("Create did not set the auto-increment ID")
		}
	}
	return polls
}

func titles(ps []Poll) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Title)
	}
	return strings.Join(s, ",")
}

func TestQueries(t *testing.T) {
	forEachDB(t, []any{Poll{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		polls := seed(t, ctx, db)
		base := polls[0].Opened

		// Round trip, default ordering (-Votes, ID), defaults applied.
		all, err := orm.From[Poll](db).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if titles(all) != "lunch?,Lunch?,Breakfast,Dinner" {
			t.Fatalf("default order: %s", titles(all))
		}
		got := all[1]
		if !got.Opened.Equal(base) || got.Opened.Location() != time.UTC || got.Limit != time.Minute ||
			string(got.Data) != "\x01\x02" || got.Closed != nil || got.Note != nil || got.Status != "draft" {
			t.Fatalf("round trip: %+v", got)
		}
		if all[0].Closed == nil || !all[0].Closed.Equal(*polls[1].Closed) || *all[0].Note != "has a note" || all[0].Status != "live" {
			t.Fatalf("nullable fields: %+v", all[0])
		}
		// A nil []byte in a NOT NULL field is stored as an empty value, not NULL.
		if n, err := orm.From[Poll](db).Filter("data__isnull", true).Count(ctx); err != nil || n != 0 || len(all[3].Data) != 0 {
			t.Fatalf("nil []byte: %d NULL rows, %v, read back %#v", n, err, all[3].Data)
		}

		tests := []struct {
			name string
			q    *orm.QuerySet[Poll]
			want string
		}{
			{"exact", orm.From[Poll](db).Filter("title", "Lunch?"), "Lunch?"},
			{"exact by Go name", orm.From[Poll](db).Filter("Title", "Dinner"), "Dinner"},
			{"iexact", orm.From[Poll](db).Filter("title__iexact", "LUNCH?"), "lunch?,Lunch?"},
			{"gt", orm.From[Poll](db).Filter("votes__gt", 5), "lunch?"},
			{"gte", orm.From[Poll](db).Filter("votes__gte", 5), "lunch?,Lunch?,Breakfast"},
			{"lt float", orm.From[Poll](db).Filter("score__lt", 0.5), "Breakfast,Dinner"},
			{"lte time", orm.From[Poll](db).Filter("opened__lte", base), "Lunch?,Dinner"},
			{"time in another zone", orm.From[Poll](db).Filter("opened__gt", base.In(time.FixedZone("Y", -7*3600))), "lunch?,Breakfast"},
			{"in", orm.From[Poll](db).Filter("title__in", []string{"Dinner", "Breakfast", "x"}), "Breakfast,Dinner"},
			{"empty in", orm.From[Poll](db).Filter("title__in", []string{}), ""},
			{"isnull", orm.From[Poll](db).Filter("closed__isnull", false), "lunch?"},
			{"nil exact", orm.From[Poll](db).Filter("note", nil), "Lunch?,Breakfast,Dinner"},
			{"range", orm.From[Poll](db).Filter("votes__range", []int{1, 6}), "Lunch?,Breakfast"},
			{"bool", orm.From[Poll](db).Filter("open", false), "lunch?"},
			{"duration", orm.From[Poll](db).Filter("limit__gt", time.Minute), "Dinner"},
			{"named type", orm.From[Poll](db).Filter("status", Status("live")), "lunch?"},
			{"exclude", orm.From[Poll](db).Exclude("votes", 5), "lunch?,Dinner"},
			{"chained", orm.From[Poll](db).Filter("open", true).Filter("votes__gte", 5), "Lunch?,Breakfast"},
			{"order", orm.From[Poll](db).OrderBy("title"), "Breakfast,Dinner,Lunch?,lunch?"},
			{"order desc", orm.From[Poll](db).OrderBy("-opened"), "Breakfast,lunch?,Lunch?,Dinner"},
			{"limit offset", orm.From[Poll](db).OrderBy("id").Limit(2).Offset(1), "lunch?,Dinner"},
			{"offset only", orm.From[Poll](db).OrderBy("id").Offset(3), "Breakfast"},
		}
		for _, tt := range tests {
			rows, err := tt.q.All(ctx)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if titles(rows) != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, titles(rows), tt.want)
			}
		}

		if n, err := orm.From[Poll](db).Filter("open", true).Count(ctx); err != nil || n != 3 {
			t.Errorf("Count = %d, %v", n, err)
		}
		if ok, err := orm.From[Poll](db).Filter("votes__gt", 100).Exists(ctx); err != nil || ok {
			t.Errorf("Exists = %v, %v", ok, err)
		}
		if ok, _ := orm.From[Poll](db).Filter("votes", 9).Exists(ctx); !ok {
			t.Error("Exists missed a row")
		}
		if p, err := orm.From[Poll](db).Filter("title", "Dinner").Get(ctx); err != nil || p.ID != polls[2].ID {
			t.Errorf("Get = %+v, %v", p, err)
		}
		if _, err := orm.From[Poll](db).Filter("title", "nope").Get(ctx); !errors.Is(err, orm.ErrNotFound) {
			t.Errorf("Get none: %v", err)
		}
		if _, err := orm.From[Poll](db).Filter("votes", 5).Get(ctx); !errors.Is(err, orm.ErrMultipleObjects) {
			t.Errorf("Get several: %v", err)
		}
		if p, err := orm.From[Poll](db).OrderBy().First(ctx); err != nil || p.ID != polls[0].ID {
			t.Errorf("First = %+v, %v", p, err)
		}

		// Save updates; Save of a new object creates; Delete removes.
		p := polls[2]
		p.Votes, p.Title = 42, "Supper"
		if err := orm.Save(ctx, db, &p); err != nil {
			t.Fatal(err)
		}
		if got, _ := orm.From[Poll](db).Filter("id", p.ID).Get(ctx); got.Votes != 42 || got.Title != "Supper" {
			t.Fatalf("after Save: %+v", got)
		}
		fresh := Poll{Title: "New", Opened: base}
		if err := orm.Save(ctx, db, &fresh); err != nil || fresh.ID == 0 {
			t.Fatalf("Save of a new object: %v, id %d", err, fresh.ID)
		}
		if err := orm.Delete(ctx, db, &fresh); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[Poll](db).Count(ctx); n != 4 {
			t.Fatalf("after Delete: %d rows", n)
		}
		if n, err := orm.From[Poll](db).Filter("open", true).Delete(ctx); err != nil || n != 3 {
			t.Fatalf("QuerySet.Delete = %d, %v", n, err)
		}

		// Writes inside Atomic roll back with it.
		db.Atomic(ctx, func(ctx context.Context) error {
			orm.Create(ctx, db, &Poll{Title: "ghost", Opened: base})
			return errBoom
		})
		if ok, _ := orm.From[Poll](db).Filter("title", "ghost").Exists(ctx); ok {
			t.Fatal("a create inside a rolled-back Atomic survived")
		}
	})
}

func TestQueryBuildErrors(t *testing.T) {
	db := openDB(t, "sqlite:///"+filepath.Join(t.TempDir(), "q.db"), []any{Poll{}})
	ctx := context.Background()
	tests := []struct {
		q    *orm.QuerySet[Poll]
		want string
	}{
		{orm.From[Poll](db).Filter("titel", "x"), `no field "titel" (fields: ID, Title, Votes`},
		{orm.From[Poll](db).Filter("votes__gtx", 1), `unknown lookup "gtx" (lookups: contains, endswith, exact, gt, gte, icontains,`},
		{orm.From[Poll](db).Filter("votes", "five"), "Votes is a int field; a string value does not fit"},
		{orm.From[Poll](db).Filter("votes__iexact", 1), "iexact applies to text fields"},
		{orm.From[Poll](db).Filter("closed__isnull", "yes"), "isnull takes true or false"},
		{orm.From[Poll](db).Filter("votes__in", 3), "in takes a slice"},
		{orm.From[Poll](db).Filter("votes__range", []int{1}), "exactly two values"},
		{orm.From[Poll](db).Filter("votes__gt", nil), "cannot compare with nil"},
		{orm.From[Poll](db).Filter("question__text", "x"), `no field "question"`},
		{orm.From[Poll](db).OrderBy("-nope"), `OrderBy: app.Poll has no field "nope"`},
	}
	for _, tt := range tests {
		_, err := tt.q.All(ctx)
		var le *orm.LookupError
		if !errors.As(err, &le) || le.Model != "app.Poll" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want a LookupError containing %q", err, tt.want)
		}
		if _, _, err := tt.q.SQL(); err == nil {
			t.Error("SQL() must refuse a query with a build error")
		}
	}
	type Unregistered struct{ ID int64 }
	if _, err := orm.From[Unregistered](db).All(ctx); err == nil || !strings.Contains(err.Error(), "not a registered model") {
		t.Errorf("unregistered model: %v", err)
	}
}

// FuzzLookupInjection feeds hostile lookup, ordering, projection and
// annotation-alias text (quotes, comment markers, periods, control
// characters, Unicode look-alikes): either the query is refused with a
// LookupError, or the text named a real field and lookup (or was a plain
// identifier, for an alias) — and nothing of the input reaches the SQL but
// registry names and checked aliases, quoted.
func FuzzLookupInjection(f *testing.F) {
	for _, s := range []string{
		"title", "votes__gt", `title"; DROP TABLE app_poll; --`, "title__exact'", "ti\x00tle", "title/**/",
		"app_poll.title", "tıtle", "ｔｉｔｌｅ", "title__in", "votes__gt__lt", "-title", "--", "title) OR (1=1",
		"n_votes", `n" FROM app_poll; --`, "anode_s1", "Votes",
	} {
		f.Add(s, s, s, s)
	}
	f.Add("votes__gt", "-votes", "title", "n_votes")
	db := openDB(f, "sqlite:///"+filepath.Join(f.TempDir(), "fuzz.db"), []any{Poll{}})
	m, _ := orm.ModelOf[Poll](db.Registry())
	known := map[string]bool{}
	for _, fl := range m.Fields {
		known[fl.Name], known[fl.Column] = true, true
	}
	ident := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	checkSQL := func(t *testing.T, sql string) {
		t.Helper()
		for _, bad := range []string{";", "--", "/*", "'"} {
			if strings.Contains(sql, bad) {
				t.Fatalf("SQL contains %q:\n%s", bad, sql)
			}
		}
	}
	refused := func(t *testing.T, err error) bool {
		t.Helper()
		if err == nil {
			return false
		}
		var le *orm.LookupError
		if !errors.As(err, &le) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		return true
	}
	f.Fuzz(func(t *testing.T, lookup, order, field, alias string) {
		sql, args, err := orm.From[Poll](db).Filter(lookup, 1).OrderBy(order).SQL()
		if !refused(t, err) {
			name, _, _ := strings.Cut(lookup, "__")
			if !known[name] || !known[strings.TrimPrefix(order, "-")] {
				t.Fatalf("accepted lookup %q / order %q naming no field:\n%s", lookup, order, sql)
			}
			checkSQL(t, sql)
			if len(args) != 1 {
				t.Fatalf("value not bound: %v", args)
			}
			_ = fmt.Sprint(args...)
		}

		// Projection and annotation: Only, an aggregate under the alias,
		// ordering and filtering by it.
		q := orm.From[Poll](db).Only(field).Annotate(orm.CountOf(field).As(alias)).OrderBy("-"+alias).Filter(alias+"__gte", 0)
		sql, _, err = q.SQL()
		if !refused(t, err) {
			if !known[field] || !ident.MatchString(alias) || strings.Contains(alias, "__") || known[alias] {
				t.Fatalf("accepted field %q / alias %q:\n%s", field, alias, sql)
			}
			checkSQL(t, sql)
		}
		sql, _, err = orm.From[Poll](db).GroupBy(field).Defer(field).OrderBy(field).SQL()
		if !refused(t, err) {
			if !known[field] {
				t.Fatalf("accepted GroupBy %q:\n%s", field, sql)
			}
			checkSQL(t, sql)
		}
		// Names given to ValuesMap run on SQLite: refused, or known.
		rows, err := orm.ValuesMap(context.Background(), orm.From[Poll](db).Annotate(orm.MaxOf("votes").As(alias)), field, alias)
		if !refused(t, err) && (!known[field] && field != alias || !ident.MatchString(alias) || strings.Contains(alias, "__") || len(rows) != 0) {
			t.Fatalf("ValuesMap accepted field %q / alias %q", field, alias)
		}
	})
}
