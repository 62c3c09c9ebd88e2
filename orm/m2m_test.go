package orm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type RelUser struct {
	ID   int64
	Name string `anode:"max=50"`
}

type RelProfile struct {
	ID   int64
	User orm.FK[RelUser] `anode:"one_to_one,on_delete=cascade,related=profile"`
	Bio  string          `anode:"max=100"`
}

type RelQuestion struct {
	ID      int64
	Text    string              `anode:"max=100"`
	Tags    orm.M2M[RelTag]     `anode:"related=questions"`
	Choices orm.Many[RelChoice] `anode:"related=choices"`
	Author  orm.FK[RelUser]     `anode:"null,on_delete=set_null,related=questions"`
}

type RelChoice struct {
	ID       int64
	Question orm.FK[RelQuestion] `anode:"on_delete=cascade,related=choices"`
	Text     string              `anode:"max=50"`
	Votes    int
}

type RelTag struct {
	ID        int64
	Name      string                `anode:"max=50"`
	Questions orm.Many[RelQuestion] `anode:"related=questions"`
}

type RelPerson struct {
	ID   int64
	Name string `anode:"max=50"`
}

type RelGroup struct {
	ID      int64
	Name    string             `anode:"max=50"`
	Members orm.M2M[RelPerson] `anode:"through=RelMembership,related=groups"`
}

type RelMembership struct {
	ID     int64
	Group  orm.FK[RelGroup]  `anode:"on_delete=cascade"`
	Person orm.FK[RelPerson] `anode:"on_delete=cascade"`
	Role   string            `anode:"max=20,default=member"`
}

type RelNode struct {
	ID    int64
	Name  string           `anode:"max=20"`
	Links orm.M2M[RelNode] `anode:"related=linked_from"`
}

var relModels = []any{RelUser{}, RelProfile{}, RelQuestion{}, RelChoice{}, RelTag{}, RelPerson{}, RelGroup{}, RelMembership{}, RelNode{}}

func TestOneToOneAndRelatedOf(t *testing.T) {
	forEachDB(t, relModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		ann, bob := RelUser{Name: "ann"}, RelUser{Name: "bob"}
		must(t, orm.Create(ctx, db, &ann))
		must(t, orm.Create(ctx, db, &bob))
		must(t, orm.Create(ctx, db, &RelProfile{User: orm.FK[RelUser]{ID: ann.ID}, Bio: "hi"}))

		// One-to-one: unique in the database.
		err := orm.Create(ctx, db, &RelProfile{User: orm.FK[RelUser]{ID: ann.ID}})
		var ie *orm.IntegrityError
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityUnique {
			t.Fatalf("second profile: %v, want a unique violation", err)
		}
		p, err := orm.RelatedOne[RelProfile](ctx, db, &ann, "profile")
		if err != nil || p.Bio != "hi" || p.User.ID != ann.ID {
			t.Fatalf("RelatedOne: %+v, %v", p, err)
		}
		if _, err := orm.RelatedOne[RelProfile](ctx, db, &bob, "profile"); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("RelatedOne without a profile: %v", err)
		}

		// Reverse foreign key.
		q1, q2 := RelQuestion{Text: "one"}, RelQuestion{Text: "two"}
		must(t, orm.Create(ctx, db, &q1))
		must(t, orm.Create(ctx, db, &q2))
		for _, c := range []RelChoice{{Question: orm.FK[RelQuestion]{ID: q1.ID}, Text: "a", Votes: 3}, {Question: orm.FK[RelQuestion]{ID: q1.ID}, Text: "b", Votes: 1}, {Question: orm.FK[RelQuestion]{ID: q2.ID}, Text: "c"}} {
			must(t, orm.Create(ctx, db, &c))
		}
		got, err := orm.RelatedOf[RelChoice](db, &q1, "choices").OrderBy("votes").All(ctx)
		if err != nil || len(got) != 2 || got[0].Text != "b" || got[1].Text != "a" {
			t.Fatalf("RelatedOf: %+v, %v", got, err)
		}
		if n, err := orm.RelatedOf[RelChoice](db, &q1, "choices").Filter("votes__gt", 2).Count(ctx); err != nil || n != 1 {
			t.Fatalf("RelatedOf refined: %d, %v", n, err)
		}

		// Refused before any SQL: typed errors naming the valid relations.
		var le *orm.LookupError
		_, err = orm.RelatedOf[RelChoice](db, &q1, "answers").All(ctx)
		if !errors.As(err, &le) || le.Model != "app.RelQuestion" || !strings.Contains(err.Error(), "relations from app.RelChoice to app.RelQuestion: choices") {
			t.Fatalf("unknown relation: %v", err)
		}
		_, err = orm.RelatedOf[RelProfile](db, &q1, "choices").All(ctx)
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "relations from app.RelProfile to app.RelQuestion: none") {
			t.Fatalf("relation of another model: %v", err)
		}
		_, err = orm.RelatedOne[RelChoice](ctx, db, &q1, "choices")
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "not one_to_one") {
			t.Fatalf("RelatedOne on a foreign key: %v", err)
		}
		_, err = orm.RelatedOne[RelTag](ctx, db, &q1, "tags")
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "many-to-many") {
			t.Fatalf("RelatedOne on a many-to-many relation: %v", err)
		}
		_, err = orm.RelatedOf[RelChoice](db, &RelQuestion{}, "choices").All(ctx)
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "save it first") {
			t.Fatalf("unsaved object: %v", err)
		}
		_, err = orm.RelatedOf[RelChoice](db, (*RelQuestion)(nil), "choices").All(ctx)
		if !errors.As(err, &le) {
			t.Fatalf("nil object: %v", err)
		}
	})
}

func TestManyToMany(t *testing.T) {
	forEachDB(t, relModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		th, ok := db.Registry().ByLabel("app.RelQuestion_tags")
		if !ok || th.Table != "app_relquestion_tags" || len(th.Fields) != 3 || th.Fields[1].Column != "relquestion_id" || th.Fields[2].Related == nil || th.Fields[2].Related.Name != "RelTag" {
			t.Fatalf("generated through model: %+v", th)
		}
		qm, _ := orm.ModelOf[RelQuestion](db.Registry())
		if len(qm.ManyToMany) != 1 || qm.ManyToMany[0].Through != th || !qm.ManyToMany[0].Auto {
			t.Fatalf("ManyToMany metadata: %+v", qm.ManyToMany)
		}
		for _, f := range qm.Fields {
			if f.Name == "Tags" || f.Name == "Choices" {
				t.Fatalf("%s must have no column", f.Name)
			}
		}

		q1, q2 := RelQuestion{Text: "one"}, RelQuestion{Text: "two"}
		must(t, orm.Create(ctx, db, &q1))
		must(t, orm.Create(ctx, db, &q2))
		var tags []RelTag
		for _, n := range []string{"go", "sql", "web"} {
			tag := RelTag{Name: n}
			must(t, orm.Create(ctx, db, &tag))
			tags = append(tags, tag)
		}
		goTag, sqlTag, webTag := tags[0], tags[1], tags[2]
		names := func(q RelQuestion) []string {
			t.Helper()
			got, err := orm.ManyOf[RelTag](db, &q, "Tags").Query().OrderBy("name").All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, g := range got {
				out = append(out, g.Name)
			}
			return out
		}
		must(t, orm.ManyOf[RelTag](db, &q1, "Tags").Add(ctx, goTag, sqlTag))
		must(t, orm.ManyOf[RelTag](db, &q1, "tags").Add(ctx, goTag)) // already there: no duplicate
		must(t, orm.ManyOf[RelTag](db, &q2, "Tags").Add(ctx, webTag, goTag))
		if got := names(q1); !slices.Equal(got, []string{"go", "sql"}) {
			t.Fatalf("after Add: %v", got)
		}
		type count struct{ N int64 }
		if rows, err := orm.Raw[count](ctx, db, "SELECT COUNT(*) AS n FROM app_relquestion_tags"); err != nil || rows[0].N != 4 {
			t.Fatalf("through rows: %v, %v; want 4", rows, err)
		}

		// Lookups both ways, and by key.
		if n, err := orm.From[RelQuestion](db).Filter("tags__name", "sql").Count(ctx); err != nil || n != 1 {
			t.Fatalf("tags__name: %d, %v", n, err)
		}
		if n, err := orm.From[RelQuestion](db).Filter("tags__name", "go").Count(ctx); err != nil || n != 2 {
			t.Fatalf("tags__name go (no duplicates): %d, %v", n, err)
		}
		if n, err := orm.From[RelQuestion](db).Filter("tags", webTag.ID).Count(ctx); err != nil || n != 1 {
			t.Fatalf("tags by key: %d, %v", n, err)
		}
		if n, err := orm.From[RelTag](db).Filter("questions__text", "two").Count(ctx); err != nil || n != 2 {
			t.Fatalf("questions__text: %d, %v", n, err)
		}
		if n, err := orm.From[RelTag](db).Exclude("questions__text", "one").Count(ctx); err != nil || n != 1 {
			t.Fatalf("Exclude questions__text: %d, %v", n, err)
		}
		if n, err := orm.From[RelChoice](db).Filter("question__tags__name", "web").Count(ctx); err != nil || n != 0 {
			t.Fatalf("question__tags__name: %d, %v", n, err)
		}
		if _, err := orm.From[RelQuestion](db).Filter("tags__nme", "x").All(ctx); err == nil || !strings.Contains(err.Error(), "tags__nme") {
			t.Fatalf("bad lookup through M2M: %v", err)
		}

		// Reverse side.
		qs, err := orm.ManyOf[RelQuestion](db, &goTag, "questions").Query().OrderBy("text").All(ctx)
		if err != nil || len(qs) != 2 || qs[0].Text != "one" {
			t.Fatalf("reverse: %+v, %v", qs, err)
		}
		if n, _ := orm.RelatedOf[RelQuestion](db, &goTag, "questions").Count(ctx); n != 2 {
			t.Fatalf("RelatedOf through M2M: %d", n)
		}

		must(t, orm.ManyOf[RelTag](db, &q1, "Tags").Remove(ctx, goTag))
		if got := names(q1); !slices.Equal(got, []string{"sql"}) {
			t.Fatalf("after Remove: %v", got)
		}
		must(t, orm.ManyOf[RelTag](db, &q1, "Tags").Set(ctx, webTag, goTag))
		if got := names(q1); !slices.Equal(got, []string{"go", "web"}) {
			t.Fatalf("after Set: %v", got)
		}
		must(t, orm.ManyOf[RelTag](db, &q1, "Tags").Clear(ctx))
		if got := names(q1); len(got) != 0 {
			t.Fatalf("after Clear: %v", got)
		}
		if got := names(q2); !slices.Equal(got, []string{"go", "web"}) {
			t.Fatalf("q2 touched: %v", got)
		}
		// Deleting a tag cascades to its pairs.
		must(t, orm.Delete(ctx, db, &webTag))
		if got := names(q2); !slices.Equal(got, []string{"go"}) {
			t.Fatalf("after deleting a tag: %v", got)
		}

		// Errors before SQL.
		var le *orm.LookupError
		if err := orm.ManyOf[RelTag](db, &q1, "labels").Add(ctx, goTag); !errors.As(err, &le) || !strings.Contains(err.Error(), "relations to app.RelTag: tags") {
			t.Fatalf("unknown M2M: %v", err)
		}
		if err := orm.ManyOf[RelTag](db, &RelQuestion{}, "Tags").Clear(ctx); !errors.As(err, &le) {
			t.Fatalf("unsaved owner: %v", err)
		}
	})
}

func TestManyToManyThroughAndSelf(t *testing.T) {
	forEachDB(t, relModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		g := RelGroup{Name: "admins"}
		must(t, orm.Create(ctx, db, &g))
		ann, bob := RelPerson{Name: "ann"}, RelPerson{Name: "bob"}
		must(t, orm.Create(ctx, db, &ann))
		must(t, orm.Create(ctx, db, &bob))
		must(t, orm.ManyOf[RelPerson](db, &g, "Members").Add(ctx, ann, bob))
		ms, err := orm.From[RelMembership](db).OrderBy("person").All(ctx)
		if err != nil || len(ms) != 2 || ms[0].Role != "member" || ms[0].Group.ID != g.ID || ms[1].Person.ID != bob.ID {
			t.Fatalf("explicit through rows: %+v, %v", ms, err)
		}
		if n, _ := orm.From[RelGroup](db).Filter("members__name", "bob").Count(ctx); n != 1 {
			t.Fatalf("members__name: %d", n)
		}
		if n, _ := orm.ManyOf[RelGroup](db, &ann, "groups").Query().Count(ctx); n != 1 {
			t.Fatalf("groups of ann: %d", n)
		}
		if _, ok := db.Registry().ByLabel("app.RelGroup_members"); ok {
			t.Fatal("an explicit through model must not generate another")
		}

		// Self-reference: from and to keys are distinct columns.
		if th, ok := db.Registry().ByLabel("app.RelNode_links"); !ok || th.Fields[1].Column != "from_relnode_id" || th.Fields[2].Column != "to_relnode_id" {
			t.Fatalf("self-referencing through model: %+v", th)
		}
		a, b, c := RelNode{Name: "a"}, RelNode{Name: "b"}, RelNode{Name: "c"}
		must(t, orm.Create(ctx, db, &a))
		must(t, orm.Create(ctx, db, &b))
		must(t, orm.Create(ctx, db, &c))
		must(t, orm.ManyOf[RelNode](db, &a, "Links").Add(ctx, b, c))
		must(t, orm.ManyOf[RelNode](db, &b, "Links").Add(ctx, c))
		if n, _ := orm.ManyOf[RelNode](db, &c, "linked_from").Query().Count(ctx); n != 2 {
			t.Fatalf("linked_from c: %d", n)
		}
		if n, _ := orm.ManyOf[RelNode](db, &a, "linked_from").Query().Count(ctx); n != 0 {
			t.Fatalf("linked_from a: %d", n)
		}
		if n, _ := orm.From[RelNode](db).Filter("links__name", "c").Count(ctx); n != 2 {
			t.Fatalf("links__name: %d", n)
		}
		if n, _ := orm.From[RelNode](db).Filter("linked_from__name", "a").Count(ctx); n != 2 {
			t.Fatalf("linked_from__name: %d", n)
		}
	})
}

func TestManyToManyFixtures(t *testing.T) {
	forEachDB(t, relModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		q := RelQuestion{Text: "one"}
		must(t, orm.Create(ctx, db, &q))
		t1, t2 := RelTag{Name: "go"}, RelTag{Name: "sql"}
		must(t, orm.Create(ctx, db, &t1))
		must(t, orm.Create(ctx, db, &t2))
		must(t, orm.ManyOf[RelTag](db, &q, "Tags").Add(ctx, t2, t1))
		var buf bytes.Buffer
		must(t, orm.Dump(ctx, db, &buf, "app.RelQuestion", "app.RelTag", "app.RelQuestion_tags"))
		var objs []struct {
			Model  string                     `json:"model"`
			Fields map[string]json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, o := range objs {
			if strings.Contains(o.Model, "_tags") {
				t.Fatalf("generated through rows dumped as objects: %s", buf.String())
			}
			if o.Model == "app.relquestion" {
				var keys []int64
				json.Unmarshal(o.Fields["tags"], &keys)
				found = slices.Equal(keys, []int64{t1.ID, t2.ID})
			}
		}
		if !found {
			t.Fatalf("tags missing from the question's fields: %s", buf.String())
		}
		// Load into a fresh database: the pairs come back.
		must(t, orm.ManyOf[RelTag](db, &q, "Tags").Clear(ctx))
		n, err := orm.Load(ctx, db, bytes.NewReader(buf.Bytes()))
		if err != nil || n != 3 {
			t.Fatalf("Load: %d, %v", n, err)
		}
		if n, _ := orm.ManyOf[RelTag](db, &q, "Tags").Query().Count(ctx); n != 2 {
			t.Fatalf("pairs after Load: %d", n)
		}
		_, err = orm.Load(ctx, db, strings.NewReader(`[{"model": "app.relquestion", "pk": 1, "fields": {"text": "x", "tags": ["a"]}}]`))
		if err == nil || !strings.Contains(err.Error(), "field tags") {
			t.Fatalf("bad keys: %v", err)
		}
	})
}

func TestManyToManyDefinitionErrors(t *testing.T) {
	type RelBadThrough struct {
		ID   int64
		Tags orm.M2M[RelPerson] `anode:"through=Nope"`
	}
	type RelBadHolder struct {
		ID      int64
		Choices orm.Many[RelChoice]
	}
	type RelWrongHolder struct {
		ID      int64
		Choices orm.Many[RelChoice] `anode:"related=answers"`
	}
	type RelBadTag struct {
		ID   int64
		Tags orm.M2M[RelPerson] `anode:"max=3"`
	}
	for _, tt := range []struct {
		models []any
		want   string
	}{
		{[]any{RelPerson{}, RelBadThrough{}}, `through="Nope" is not a registered model`},
		{[]any{RelBadHolder{}}, "needs related="},
		{[]any{RelQuestion{}, RelTag{}, RelUser{}, RelChoice{}, RelWrongHolder{}}, `related="answers" is not a reverse foreign key`},
		{[]any{RelPerson{}, RelBadTag{}}, `unknown tag option "max"`},
	} {
		r := orm.NewRegistry()
		err := r.Register("app", tt.models...)
		if err == nil {
			err = r.Resolve()
		}
		var me *orm.ModelError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: %v, want a ModelError containing %q", tt.models[len(tt.models)-1], err, tt.want)
		}
	}
}

func TestManyToManyAddInBatches(t *testing.T) {
	forEachCountedDB(t, relModels, func(t *testing.T, db *orm.DB, c *queryCounter) {
		ctx := context.Background()
		q := RelQuestion{Text: "many tags"}
		must(t, orm.Create(ctx, db, &q))
		tags := make([]RelTag, 1500)
		for i := range tags {
			tags[i].Name = fmt.Sprint("t", i)
		}
		must(t, orm.BulkCreate(ctx, db, tags, 0))
		set := orm.ManyOf[RelTag](db, &q, "Tags")
		must(t, set.Add(ctx, tags[:10]...))
		before := c.inserts.Load()
		// 1,490 new rows in two INSERTs (batches of 1,000).
		if err := set.Add(ctx, tags...); err != nil || c.inserts.Load()-before != 2 {
			t.Fatalf("Add: %d INSERTs, %v", c.inserts.Load()-before, err)
		}
		if n, _ := set.Query().Count(ctx); n != 1500 {
			t.Fatalf("%d pairs, want 1500", n)
		}
		must(t, set.Set(ctx, tags[5], tags[7]))
		got, err := set.Query().OrderBy("id").All(ctx)
		if err != nil || len(got) != 2 || got[0].ID != tags[5].ID || got[1].ID != tags[7].ID {
			t.Fatalf("after Set: %+v, %v", got, err)
		}
	})
}
