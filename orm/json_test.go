package orm_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

type FldDoc struct {
	ID    int64
	Name  string
	Data  orm.JSON[map[string]any]
	Extra orm.Null[orm.JSON[[]int]]
}

type fldProfile struct {
	Owner struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	} `json:"owner"`
	Tags []string `json:"tags"`
}

type FldTyped struct {
	ID      int64
	Profile orm.JSON[fldProfile]
}

func TestFldJSONField(t *testing.T) {
	forEachDB(t, []any{FldDoc{}, FldTyped{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		docs := []FldDoc{
			{Name: "ana", Data: orm.JSONOf(map[string]any{"owner": map[string]any{"name": "ana", "age": 31}, "tags": []any{"a", "b"}, "ok": true}), Extra: orm.NullOf(orm.JSONOf([]int{1, 2}))},
			{Name: "bo", Data: orm.JSONOf(map[string]any{"owner": map[string]any{"name": "bo", "age": 25}, "tags": []any{"b"}, "gone": nil})},
			{Name: "cy", Data: orm.JSONOf(map[string]any{"size": 3.5, "odd key'\"; --": "x"})},
		}
		if err := orm.BulkCreate(ctx, db, docs, 0); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[FldDoc](db).Filter("name", "ana").Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		owner, _ := got.Data.V["owner"].(map[string]any)
		if owner["name"] != "ana" || owner["age"] != float64(31) || !got.Extra.Valid || len(got.Extra.V.V) != 2 {
			t.Errorf("round trip: %+v", got)
		}
		for _, tc := range []struct {
			lookup string
			value  any
			want   string
		}{
			{"data__owner__name", "ana", "ana"},
			{"data__owner__age__gt", 30, "ana"},
			{"data__owner__age__lte", 31, "ana bo"},
			{"data__owner__age__in", []int{25, 40}, "bo"},
			{"data__tags__0", "b", "bo"},
			{"data__tags__1", "b", "ana"},
			{"data__ok", true, "ana"},
			{"data__size__gte", 3.5, "cy"},
			{"data__has_key", "owner", "ana bo"},
			{"data__owner__has_key", "age", "ana bo"},
			{"data__has_keys", []string{"owner", "ok"}, "ana"},
			{"data__has_any_keys", []string{"ok", "size"}, "ana cy"},
			{"data__gone", nil, "bo"},
			{"data__gone__isnull", false, "bo"},
			{"data__owner__isnull", true, "cy"},
			{"data__odd key'\"; --", "x", "cy"},
			{"extra__isnull", true, "bo cy"},
			{"extra__1", 2, "ana"},
			{"extra", orm.JSONOf([]int{1, 2}), "ana"},
			{"data__owner", map[string]any{"age": 25, "name": "bo"}, "bo"},
			{"data__tags", []string{"b"}, "bo"},
		} {
			rows, err := orm.From[FldDoc](db).Filter(tc.lookup, tc.value).OrderBy("name").All(ctx)
			if err != nil {
				t.Errorf("%s %v: %v", tc.lookup, tc.value, err)
				continue
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("%s %v: got %q, want %q", tc.lookup, tc.value, got, tc.want)
			}
		}
		// Typed documents, and Update of a JSON column.
		var p fldProfile
		p.Owner.Name, p.Owner.Age, p.Tags = "dee", 40, []string{"x"}
		typed := FldTyped{Profile: orm.JSONOf(p)}
		if err := orm.Create(ctx, db, &typed); err != nil {
			t.Fatal(err)
		}
		p.Owner.Age = 41
		if _, err := orm.From[FldTyped](db).Filter("profile__owner__name", "dee").Update(ctx, orm.Set("profile", orm.JSONOf(p))); err != nil {
			t.Fatal(err)
		}
		back, err := orm.From[FldTyped](db).Filter("profile__owner__age", 41).Get(ctx)
		if err != nil || back.Profile.V.Owner.Name != "dee" || back.Profile.V.Tags[0] != "x" {
			t.Errorf("typed: %+v %v", back, err)
		}
		// Bad values and lookups are refused before SQL.
		bad := FldDoc{Name: "bad", Data: orm.JSONOf(map[string]any{"f": func() {}})}
		var ve *orm.ValueError
		if err := orm.Create(ctx, db, &bad); !errors.As(err, &ve) || ve.Field != "Data" {
			t.Errorf("unencodable value: %v", err)
		}
		for _, l := range []struct {
			lookup string
			value  any
		}{{"data__has_key", 1}, {"data__has_keys", "x"}, {"data__has_any_keys", []string{}}, {"data__owner__gt", nil}, {"data__isnull", "yes"}, {"data", nil}} {
			if _, err := orm.From[FldDoc](db).Filter(l.lookup, l.value).All(ctx); err == nil {
				t.Errorf("%s %v accepted", l.lookup, l.value)
			}
		}
	})
}

// FuzzJSONKeyInjection feeds hostile JSON keys into key-path lookups. A key
// is user text: it must be bound, never spliced, so the SQL of a lookup is
// the same whatever the key, and the query either runs or errors cleanly;
// a key without "__" that is not an index must find the document holding it.
func FuzzJSONKeyInjection(f *testing.F) {
	for _, s := range []string{"owner", "a'b", `a"b`, "a\\b", "x; DROP TABLE app_flddoc; --", "/* c */", "a.b", "$", "$.x", "[0]", "a[1]", "\x00", "\n\t\x1b", "ｏｗｎｅｒ", "o\u200bwner", "\u2028", `"; --`, "' OR '1'='1", "a__b", "0", "-1", "", "gt"} {
		f.Add(s)
	}
	ctx := context.Background()
	dbs := []*orm.DB{openDB(f, "sqlite:///"+f.TempDir()+"/fuzz.db", []any{FldDoc{}})}
	if os.Getenv("ANODE_TEST_POSTGRES") != "" || os.Getenv("CI") == "true" {
		dbs = append(dbs, openDB(f, anodetest.PostgresSchema(f, anodetestPostgres(f)), []any{FldDoc{}}))
	}
	benign := map[*orm.DB]string{}
	for _, db := range dbs {
		sql, _, err := orm.From[FldDoc](db).Filter("data__k__exact", "v").SQL()
		if err != nil {
			f.Fatal(err)
		}
		benign[db] = sql
	}
	f.Fuzz(func(t *testing.T, key string) {
		for _, db := range dbs {
			q := orm.From[FldDoc](db).Filter("data__"+key+"__exact", "v")
			sql, args, err := q.SQL()
			if err != nil {
				continue // refused cleanly
			}
			if !strings.Contains(key, "__") && sql != benign[db] {
				t.Fatalf("key %q changed the SQL:\n%s\nwant\n%s", key, sql, benign[db])
			}
			if len(key) > 3 && strings.Contains(sql, key) {
				t.Fatalf("key %q appears in the SQL: %s", key, sql)
			}
			if len(args) == 0 {
				t.Fatalf("no bound arguments for %q", key)
			}
			doc := FldDoc{Name: "fuzz", Data: orm.JSONOf(map[string]any{key: "v"})}
			if err := orm.Create(ctx, db, &doc); err != nil {
				continue // e.g. a NUL PostgreSQL's JSONB refuses: an error, not a panic
			}
			n, err := q.Filter("id", doc.ID).Count(ctx)
			if err != nil {
				t.Fatalf("key %q: query failed: %v", key, err)
			}
			if isIndexOrSplit(key) {
				continue
			}
			if n != 1 {
				t.Fatalf("key %q: the document holding it was not found (%s)", key, db.Dialect().Name())
			}
		}
	})
}

// isIndexOrSplit reports keys the lookup syntax reads otherwise: array
// indexes, paths ("a__b", and "a_" whose underscore joins the separator).
func isIndexOrSplit(key string) bool {
	if strings.Contains(key, "__") || key == "" || strings.HasPrefix(key, "_") || strings.HasSuffix(key, "_") {
		return true
	}
	for _, r := range key {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func TestFldJSONDefinitionErrors(t *testing.T) {
	type UniqueJSON struct {
		ID int64
		J  orm.JSON[int] `anode:"unique"`
	}
	err := orm.NewRegistry().Register("app", UniqueJSON{})
	var me *orm.ModelError
	if !errors.As(err, &me) || me.Field != "J" || !strings.Contains(err.Error(), "JSON field cannot be unique") {
		t.Errorf("unique JSON: %v", err)
	}
}

// TestFldJSONTextLookups checks the text lookups at a key path: the text
// there is matched, with the path and pattern bound and LIKE and GLOB
// wildcards in the value matching literally.
func TestFldJSONTextLookups(t *testing.T) {
	const odd = `o'd"d.[0]$%k` // a key that needs quoting in a JSON path
	forEachDB(t, []any{FldDoc{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		docs := []FldDoc{
			{Name: "a", Data: orm.JSONOf(map[string]any{"author": map[string]any{"name": "Ana María"}, odd: "50% off_x", "tags": []any{"golang"}})},
			{Name: "b", Data: orm.JSONOf(map[string]any{"author": map[string]any{"name": "ANAbel"}, odd: "500 off-x", "tags": []any{"web"}})},
			{Name: "c", Data: orm.JSONOf(map[string]any{odd: "a*?[b", "n": 12})},
			{Name: "d", Data: orm.JSONOf(map[string]any{odd: "ab\\c"})},
		}
		if err := orm.BulkCreate(ctx, db, docs, 0); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			lookup string
			value  any
			want   string
		}{
			{"data__author__name__iexact", "ana maría", "a"},
			{"data__author__name__iexact", "ana", ""},
			{"data__author__name__contains", "Ana", "a"},
			{"data__author__name__icontains", "ana", "a b"},
			{"data__author__name__startswith", "AN", "b"},
			{"data__author__name__istartswith", "an", "a b"},
			{"data__author__name__endswith", "bel", "b"},
			{"data__author__name__endswith", "BEL", ""},
			{"data__author__name__iendswith", "BEL", "b"},
			{"data__tags__0__startswith", "go", "a"},
			{"data__" + odd + "__contains", "50% off", "a"},
			{"data__" + odd + "__endswith", "_x", "a"},
			{"data__" + odd + "__icontains", "% OFF_", "a"},
			{"data__" + odd + "__istartswith", "50%", "a"},
			{"data__" + odd + "__contains", "*?[", "c"},
			{"data__" + odd + "__startswith", "a*", "c"},
			{"data__" + odd + "__iendswith", "?[B", "c"},
			{"data__" + odd + "__contains", "\\", "d"},
			{"data__" + odd + "__icontains", "b\\C", "d"},
			{"data__" + odd + "__iexact", "A*?[B", "c"},
			{"data__n__contains", "2", "c"},
		} {
			q := orm.From[FldDoc](db).Filter(tc.lookup, tc.value).OrderBy("name")
			rows, err := q.All(ctx)
			if err != nil {
				t.Errorf("%s %v: %v", tc.lookup, tc.value, err)
				continue
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("%s %v: got %q, want %q", tc.lookup, tc.value, got, tc.want)
			}
			sql, _, err := q.SQL()
			if err != nil || strings.Contains(sql, "o'd") || strings.Contains(sql, "author") {
				t.Errorf("%s: key path in the SQL: %s %v", tc.lookup, sql, err)
			}
		}
		// A text lookup needs a key path and a string.
		for _, l := range []struct {
			lookup string
			value  any
			reason string
		}{
			{"data__contains", "x", "key path"},
			{"data__icontains", "x", "key path"},
			{"data__author__name__contains", 1, "takes a string"},
			{"data__author__name__iexact", nil, "takes a string"},
		} {
			_, err := orm.From[FldDoc](db).Filter(l.lookup, l.value).All(ctx)
			var le *orm.LookupError
			if !errors.As(err, &le) || !strings.Contains(le.Reason, l.reason) {
				t.Errorf("%s %v: got %v, want a *LookupError about %q", l.lookup, l.value, err, l.reason)
			}
		}
	})
}
