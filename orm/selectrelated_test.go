package orm_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

// queryCounter is a slog.Handler counting the statements the query log
// reports.
type queryCounter struct{ n, inserts atomic.Int64 }

func (c *queryCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *queryCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "query" || r.Message == "slow query" {
		c.n.Add(1)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "sql" && strings.HasPrefix(a.Value.String(), "INSERT") {
				c.inserts.Add(1)
			}
			return true
		})
	}
	return nil
}
func (c *queryCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *queryCounter) WithGroup(string) slog.Handler      { return c }

// queries returns how many statements fn ran.
func (c *queryCounter) queries(fn func()) int64 {
	before := c.n.Load()
	fn()
	return c.n.Load() - before
}

// forEachCountedDB is forEachDB with a second handle on the same database
// whose query log counts statements.
func forEachCountedDB(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB, c *queryCounter)) {
	t.Helper()
	open := func(t *testing.T, url string) {
		openDB(t, url, models) // creates the tables
		r := orm.NewRegistry()
		must(t, r.Register("app", models...))
		c := &queryCounter{}
		db, err := orm.Open(context.Background(), url, r, orm.OpenOptions{Logger: slog.New(c)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db, c)
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		open(t, "sqlite:///"+filepath.Join(t.TempDir(), "test.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		open(t, anodetest.PostgresSchema(t, anodetest.Service(t, "ANODE_TEST_POSTGRES")))
	})
}

type RelCategory struct {
	ID     int64
	Name   string              `anode:"max=20"`
	Parent orm.FK[RelCategory] `anode:"null,on_delete=set_null,related=children"`
}

func TestSelectRelated(t *testing.T) {
	models := append([]any{RelCategory{}}, relModels...)
	forEachCountedDB(t, models, func(t *testing.T, db *orm.DB, c *queryCounter) {
		ctx := context.Background()
		ann := RelUser{Name: "ann"}
		must(t, orm.Create(ctx, db, &ann))
		q1 := RelQuestion{Text: "with author", Author: orm.FK[RelUser]{ID: ann.ID}}
		q2 := RelQuestion{Text: "anonymous"}
		must(t, orm.Create(ctx, db, &q1))
		must(t, orm.Create(ctx, db, &q2))
		for _, ch := range []RelChoice{
			{Question: orm.FK[RelQuestion]{ID: q1.ID}, Text: "a", Votes: 1},
			{Question: orm.FK[RelQuestion]{ID: q2.ID}, Text: "b", Votes: 2},
			{Question: orm.FK[RelQuestion]{ID: q1.ID}, Text: "c", Votes: 3},
		} {
			must(t, orm.Create(ctx, db, &ch))
		}

		var choices []RelChoice
		var err error
		n := c.queries(func() {
			choices, err = orm.From[RelChoice](db).SelectRelated("question__author").
				Filter("votes__gte", 1).Exclude("text", "zzz").OrderBy("-id").All(ctx)
		})
		if err != nil || n != 1 || len(choices) != 3 {
			t.Fatalf("SelectRelated: %d rows, %d queries, %v", len(choices), n, err)
		}
		n = c.queries(func() {
			for _, ch := range choices {
				q := ch.Question.Loaded()
				if q == nil || q.ID != ch.Question.ID {
					t.Fatalf("choice %s: question not loaded: %+v", ch.Text, q)
				}
				got, err := ch.Question.Get(ctx, db)
				if err != nil || got.ID != q.ID {
					t.Fatalf("Get of a loaded Ref: %+v, %v", got, err)
				}
				author := q.Author.Loaded()
				switch ch.Text {
				case "a", "c":
					if q.Text != "with author" || author == nil || author.Name != "ann" {
						t.Fatalf("choice %s: %+v, author %+v", ch.Text, q, author)
					}
				case "b":
					if q.Text != "anonymous" || author != nil || !q.Author.IsZero() {
						t.Fatalf("choice b: a NULL author must load nothing: %+v", q.Author)
					}
				}
			}
		})
		if n != 0 {
			t.Fatalf("reading loaded objects ran %d queries", n)
		}
		if choices[0].Text != "c" || choices[2].Text != "a" {
			t.Fatalf("order lost: %s … %s", choices[0].Text, choices[2].Text)
		}

		// Filters through relations and Get keep working with joins.
		ch, err := orm.From[RelChoice](db).SelectRelated("question").Filter("question__text", "anonymous").Get(ctx)
		if err != nil || ch.Text != "b" || ch.Question.Loaded() == nil || ch.Question.Loaded().Text != "anonymous" {
			t.Fatalf("Get with SelectRelated: %+v, %v", ch, err)
		}
		// Counting and other whole-query methods ignore the joins' columns.
		sr := orm.From[RelChoice](db).SelectRelated("question__author").Filter("question__text", "with author")
		if n, err := sr.Count(ctx); err != nil || n != 2 {
			t.Fatalf("Count with SelectRelated: %d, %v", n, err)
		}
		if ok, err := sr.Exists(ctx); err != nil || !ok {
			t.Fatalf("Exists with SelectRelated: %v, %v", ok, err)
		}
		if rows, err := sr.Distinct().All(ctx); err != nil || len(rows) != 2 || rows[0].Question.Loaded() == nil {
			t.Fatalf("Distinct with SelectRelated: %d, %v", len(rows), err)
		}
		if _, err := sr.Only("text").All(ctx); err == nil || !strings.Contains(err.Error(), "SelectRelated cannot be combined with Only") {
			t.Fatalf("Only with SelectRelated: %v", err)
		}
		// Without SelectRelated nothing is loaded.
		plain, _ := orm.From[RelChoice](db).First(ctx)
		if plain.Question.Loaded() != nil {
			t.Fatal("loaded without SelectRelated")
		}

		// Self-reference, two levels, LEFT JOINs throughout.
		root := RelCategory{Name: "root"}
		must(t, orm.Create(ctx, db, &root))
		mid := RelCategory{Name: "mid", Parent: orm.FK[RelCategory]{ID: root.ID}}
		must(t, orm.Create(ctx, db, &mid))
		leaf := RelCategory{Name: "leaf", Parent: orm.FK[RelCategory]{ID: mid.ID}}
		must(t, orm.Create(ctx, db, &leaf))
		var cats []RelCategory
		n = c.queries(func() {
			cats, err = orm.From[RelCategory](db).SelectRelated("parent__parent").OrderBy("name").All(ctx)
		})
		if err != nil || n != 1 || len(cats) != 3 {
			t.Fatalf("self-reference: %d rows, %d queries, %v", len(cats), n, err)
		}
		byName := map[string]RelCategory{}
		for _, c := range cats {
			byName[c.Name] = c
		}
		l := byName["leaf"]
		if p := l.Parent.Loaded(); p == nil || p.Name != "mid" || p.Parent.Loaded() == nil || p.Parent.Loaded().Name != "root" {
			t.Fatalf("leaf's ancestors: %+v", p)
		}
		if p := byName["mid"].Parent.Loaded(); p == nil || p.Name != "root" || p.Parent.Loaded() != nil {
			t.Fatalf("mid's parent: %+v", p)
		}
		if byName["root"].Parent.Loaded() != nil {
			t.Fatal("root has no parent")
		}

		// No paths: every required key, and theirs (question), not the nullable author.
		n = c.queries(func() {
			choices, err = orm.From[RelChoice](db).SelectRelated().OrderBy("id").All(ctx)
		})
		if err != nil || n != 1 || choices[0].Question.Loaded() == nil || choices[0].Question.Loaded().Author.Loaded() != nil {
			t.Fatalf("SelectRelated(): %d queries, %v", n, err)
		}

		// Bad paths: typed errors, no SQL.
		var le *orm.LookupError
		n = c.queries(func() {
			_, err = orm.From[RelChoice](db).SelectRelated("question__text").All(ctx)
		})
		if !errors.As(err, &le) || n != 0 || !strings.Contains(err.Error(), "foreign keys: author") {
			t.Fatalf("not a foreign key: %v (%d queries)", err, n)
		}
		if _, err := orm.From[RelChoice](db).SelectRelated("nope").All(ctx); !errors.As(err, &le) || !strings.Contains(err.Error(), "foreign keys: question") {
			t.Fatalf("unknown field: %v", err)
		}
	})
}
