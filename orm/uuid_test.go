package orm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type FldNode struct {
	ID   orm.UUID
	Name string `anode:"max=50"`
}

type FldLeaf struct {
	ID     int64
	Node   orm.Ref[FldNode, orm.UUID] `anode:"on_delete=cascade,related=leaves"`
	Parent orm.Ref[FldNode, orm.UUID] `anode:"null,on_delete=set_null"`
	Label  string
}

func TestFldUUIDValue(t *testing.T) {
	for _, v := range []orm.UUID{orm.NewUUIDv4(), orm.NewUUIDv7()} {
		s := v.String()
		if len(s) != 36 || strings.ToLower(s) != s {
			t.Errorf("String %q", s)
		}
		for _, form := range []string{s, strings.ToUpper(s), "{" + s + "}", "urn:uuid:" + s, strings.ReplaceAll(s, "-", "")} {
			p, err := orm.ParseUUID(form)
			if err != nil || p != v {
				t.Errorf("ParseUUID(%q) = %v, %v", form, p, err)
			}
		}
		if v[8]&0xc0 != 0x80 {
			t.Errorf("variant bits of %s", v)
		}
	}
	if v := orm.NewUUIDv4(); v.Version() != 4 {
		t.Errorf("v4 version %d", v.Version())
	}
	prev := orm.NewUUIDv7()
	if prev.Version() != 7 {
		t.Errorf("v7 version %d", prev.Version())
	}
	for range 10000 {
		next := orm.NewUUIDv7()
		if bytes.Compare(prev[:], next[:]) >= 0 || prev.String() >= next.String() {
			t.Fatalf("v7 not increasing: %s then %s", prev, next)
		}
		prev = next
	}
	for _, bad := range []string{"", "xyz", "0190a6c4-0000-7000-8000-00000000000g", "0190a6c4+0000-7000-8000-000000000000", strings.Repeat("a", 36)} {
		if _, err := orm.ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
	b, _ := json.Marshal(struct{ ID orm.UUID }{prev})
	if string(b) != `{"ID":"`+prev.String()+`"}` {
		t.Errorf("JSON %s", b)
	}
}

func TestFldUUIDKeys(t *testing.T) {
	forEachDB(t, []any{FldNode{}, FldLeaf{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		m, _ := orm.ModelOf[FldNode](db.Registry())
		if m.PK.Name != "ID" || m.PK.Kind != orm.KindUUID || m.PK.AutoIncrement {
			t.Fatalf("pk %+v", m.PK)
		}
		a := FldNode{Name: "a"}
		if err := orm.Create(ctx, db, &a); err != nil {
			t.Fatal(err)
		}
		if a.ID.IsZero() || a.ID.Version() != 7 {
			t.Fatalf("Create must assign a v7 key, got %s", a.ID)
		}
		more := []FldNode{{Name: "b"}, {Name: "c"}}
		if err := orm.BulkCreate(ctx, db, more, 0); err != nil {
			t.Fatal(err)
		}
		fixed := FldNode{ID: orm.NewUUIDv4(), Name: "fixed"}
		if err := orm.Save(ctx, db, &fixed); err != nil { // a given key is kept
			t.Fatal(err)
		}
		got, err := orm.From[FldNode](db).Filter("id", more[1].ID).Get(ctx)
		if err != nil || got != more[1] {
			t.Fatalf("Get by UUID: %+v %v", got, err)
		}
		if got, err := orm.From[FldNode](db).Filter("id", fixed.ID.String()).Get(ctx); err != nil || got.Name != "fixed" {
			t.Errorf("Filter by UUID text: %+v %v", got, err)
		}
		if _, err := orm.From[FldNode](db).Filter("id", "not-a-uuid").All(ctx); err == nil {
			t.Error("an invalid UUID text must be refused")
		}
		// v7 keys sort in creation order on both databases.
		rows, err := orm.From[FldNode](db).Exclude("name", "fixed").OrderBy("id").All(ctx)
		if err != nil || len(rows) != 3 || rows[0].Name != "a" || rows[1].Name != "b" || rows[2].Name != "c" {
			t.Errorf("order by v7 key: %+v %v", rows, err)
		}
		if n, _ := orm.From[FldNode](db).Filter("id__gt", a.ID).Exclude("name", "fixed").Count(ctx); n != 2 {
			t.Errorf("id__gt: %d", n)
		}

		// Foreign keys to a UUID key: create, filter, prefetch, set_null.
		leaves := []FldLeaf{
			{Node: orm.Ref[FldNode, orm.UUID]{ID: a.ID}, Parent: orm.Ref[FldNode, orm.UUID]{ID: more[0].ID}, Label: "x"},
			{Node: orm.Ref[FldNode, orm.UUID]{ID: a.ID}, Label: "y"},
		}
		for i := range leaves {
			if err := orm.Create(ctx, db, &leaves[i]); err != nil {
				t.Fatal(err)
			}
		}
		ls, err := orm.From[FldLeaf](db).Filter("node", a.ID).OrderBy("label").PrefetchRelated("node", "parent").All(ctx)
		if err != nil || len(ls) != 2 {
			t.Fatalf("leaves: %v %v", ls, err)
		}
		if n := ls[0].Node.Loaded(); n == nil || n.Name != "a" || ls[0].Node.Loaded() != ls[1].Node.Loaded() {
			t.Errorf("prefetch node: %+v", n)
		}
		if p := ls[0].Parent.Loaded(); p == nil || p.Name != "b" || ls[1].Parent.Loaded() != nil || !ls[1].Parent.IsZero() {
			t.Errorf("prefetch parent: %+v, %+v", p, ls[1].Parent)
		}
		joined, err := orm.From[FldLeaf](db).SelectRelated("node").Filter("label", "x").Get(ctx)
		if err != nil || joined.Node.Loaded() == nil || joined.Node.Loaded().ID != a.ID {
			t.Errorf("SelectRelated over a UUID key: %+v %v", joined, err)
		}
		if n, _ := orm.From[FldNode](db).Filter("leaves__label", "y").Count(ctx); n != 1 {
			t.Errorf("reverse lookup: %d", n)
		}
		if err := orm.Delete(ctx, db, &more[0]); err != nil {
			t.Fatal(err)
		}
		if l, _ := orm.From[FldLeaf](db).Filter("label", "x").Get(ctx); !l.Parent.IsZero() {
			t.Errorf("set_null: %+v", l.Parent)
		}

		// Fixtures carry UUID keys and references.
		var buf bytes.Buffer
		if err := orm.Dump(ctx, db, &buf, "app"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"pk": "`+a.ID.String()+`"`) {
			t.Errorf("dump: %s", buf.String())
		}
		if _, err := orm.From[FldLeaf](db).Delete(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := orm.From[FldNode](db).Delete(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := orm.Load(ctx, db, &buf); err != nil || n != 5 {
			t.Fatalf("load: %d %v", n, err)
		}
		back, err := orm.From[FldLeaf](db).Filter("node__name", "a").Count(ctx)
		if err != nil || back != 2 {
			t.Errorf("after load: %d %v", back, err)
		}
	})
}

type FldTaggedKey struct {
	Key  orm.UUID `anode:"pk"`
	Name string
}

func TestFldUUIDTaggedKey(t *testing.T) {
	forEachDB(t, []any{FldTaggedKey{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		k := FldTaggedKey{Name: "k"}
		if err := orm.Save(ctx, db, &k); err != nil { // Save of a zero key creates
			t.Fatal(err)
		}
		if k.Key.Version() != 7 {
			t.Fatalf("key %s", k.Key)
		}
		k.Name = "renamed"
		if err := orm.Save(ctx, db, &k); err != nil {
			t.Fatal(err)
		}
		got, err := orm.From[FldTaggedKey](db).Filter("key", k.Key).Get(ctx)
		if err != nil || got.Name != "renamed" {
			t.Errorf("%+v %v", got, err)
		}
		if n, _ := orm.From[FldTaggedKey](db).Count(ctx); n != 1 {
			t.Errorf("rows %d", n)
		}
	})
}
