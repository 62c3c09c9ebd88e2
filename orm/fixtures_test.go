package orm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

func TestDumpLoad(t *testing.T) {
	models := []any{Category{}, Answer{}, Quiz{}, Owner{}, Label{}, Poll{}}
	forEachDB(t, models, func(t *testing.T, src *orm.DB) {
		ctx := context.Background()
		q := Quiz{Title: `Quotes "and" <tags>`}
		must(t, orm.Create(ctx, src, &q))
		must(t, orm.Create(ctx, src, &Answer{Quiz: orm.FK[Quiz]{ID: q.ID}, Text: "ünï"}))
		owner := Owner{Name: "o"}
		must(t, orm.Create(ctx, src, &owner))
		must(t, orm.Create(ctx, src, &Label{Code: "geo"}))
		root := Category{Name: "root", Owner: orm.FK[Owner]{ID: owner.ID}}
		must(t, orm.Create(ctx, src, &root))
		must(t, orm.Create(ctx, src, &Category{Name: "leaf", Parent: orm.FK[Category]{ID: root.ID}, Owner: orm.FK[Owner]{ID: owner.ID}, Label: orm.Ref[Label, string]{ID: "geo"}}))
		closed := time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)
		note := "n"
		must(t, orm.Create(ctx, src, &Poll{Title: "p", Votes: 3, Score: 1.25, Open: true, Opened: closed.Add(-time.Hour), Closed: &closed, Limit: time.Second, Data: []byte{0, 1, 255}, Note: &note, Status: "live"}))

		var dump bytes.Buffer
		must(t, orm.Dump(ctx, src, &dump))
		var parsed []map[string]any
		if err := json.Unmarshal(dump.Bytes(), &parsed); err != nil || len(parsed) != 7 {
			t.Fatalf("dump is not a 7-object JSON array (%v):\n%s", err, dump.String())
		}
		if parsed[0]["model"] != "app.owner" && parsed[0]["model"] != "app.quiz" && parsed[0]["model"] != "app.label" {
			t.Errorf("referenced models must come first, got %v", parsed[0]["model"])
		}

		// Load into a fresh database of the same kind.
		dst := openDB(t, freshURL(t, src), models)
		n, err := orm.Load(ctx, dst, bytes.NewReader(dump.Bytes()))
		if err != nil || n != 7 {
			t.Fatalf("Load = %d, %v", n, err)
		}
		var again bytes.Buffer
		must(t, orm.Dump(ctx, dst, &again))
		if again.String() != dump.String() {
			t.Fatalf("dump after load differs:\n%s\nvs\n%s", again.String(), dump.String())
		}
		// Loading twice updates instead of duplicating; new rows get fresh keys.
		if _, err := orm.Load(ctx, dst, bytes.NewReader(dump.Bytes())); err != nil {
			t.Fatal(err)
		}
		fresh := Quiz{Title: "after load"}
		must(t, orm.Create(ctx, dst, &fresh))
		if fresh.ID <= q.ID {
			t.Fatalf("new key %d does not follow the loaded key %d (sequence not reset)", fresh.ID, q.ID)
		}

		// Only some models.
		var some bytes.Buffer
		must(t, orm.Dump(ctx, src, &some, "app.Quiz"))
		if strings.Contains(some.String(), "app.answer") || !strings.Contains(some.String(), "app.quiz") {
			t.Fatalf("Dump of one model:\n%s", some.String())
		}
		if err := orm.Dump(ctx, src, &some, "nope"); err == nil {
			t.Fatal("Dump of an unknown model must fail")
		}

		// A bad fixture loads nothing.
		before, _ := orm.From[Owner](dst).Count(ctx)
		for _, bad := range []string{
			`[{"model": "app.owner", "pk": 50, "fields": {"name": "x"}}, {"model": "app.nope", "pk": 1, "fields": {}}]`,
			`[{"model": "app.owner", "pk": 51, "fields": {"name": "x"}}, {"model": "app.owner", "pk": 52, "fields": {"nmae": "y"}}]`,
			`[{"model": "app.owner", "pk": 53, "fields": {"name": "x"}}, {"model": "app.answer", "pk": 9, "fields": {"quiz": 99999, "text": "orphan"}}]`,
			`[{"model": "app.owner", "pk": 54, "fields": {"name": 7}}]`,
			`not json`,
		} {
			if _, err := orm.Load(ctx, dst, strings.NewReader(bad)); err == nil {
				t.Errorf("bad fixture loaded: %s", bad)
			}
		}
		if after, _ := orm.From[Owner](dst).Count(ctx); after != before {
			t.Fatalf("a failed load left %d new owners", after-before)
		}
	})
}

// freshURL returns the URL of a new, empty database of src's kind.
func freshURL(t *testing.T, src *orm.DB) string {
	if src.Dialect().Name() == "sqlite" {
		return "sqlite:///" + filepath.Join(t.TempDir(), "fresh.db")
	}
	return anodetest.PostgresSchema(t, anodetestPostgres(t))
}
