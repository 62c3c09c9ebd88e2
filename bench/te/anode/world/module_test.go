package world_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/bench/te/anode/world"
)

// TestWorld runs the module on the App's embedded SQLite database; bench/run's
// verifier checks it against PostgreSQL with every rule (BENCH_QUICK=1 in CI).
func TestWorld(t *testing.T) {
	app := anodetest.NewApp(t, world.Module())
	ctx := context.Background()
	conn := app.DB().Conn(ctx)
	for _, s := range []string{
		"CREATE TABLE world (id INTEGER PRIMARY KEY, randomnumber INTEGER NOT NULL)",
		"CREATE TABLE fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)",
		"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 10000) INSERT INTO world SELECT x, 1 + x % 10000 FROM g",
		`INSERT INTO fortune VALUES (1, 'zebra'), (2, '<script>alert(1)</script>'), (3, 'ベンチマーク')`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	c := anodetest.NewClient(t, app)

	c.Get("/plaintext").AssertStatus(200).AssertHeader("Server", "anode").AssertHeader("Content-Type", "text/plain").AssertText("Hello, World!")
	c.Get("/json").AssertHeader("Content-Type", "application/json").AssertJSON(map[string]string{"message": "Hello, World!"})

	var w struct{ ID, RandomNumber int }
	c.Get("/db").AssertStatus(200).JSON(&w)
	if w.ID < 1 || w.ID > 10000 || w.RandomNumber != 1+w.ID%10000 {
		t.Fatalf("/db = %+v", w)
	}
	for q, n := range map[string]int{"": 1, "foo": 1, "0": 1, "3": 3, "501": 500} {
		var ws []map[string]int
		c.Get("/queries?queries=" + q).AssertStatus(200).JSON(&ws)
		if len(ws) != n {
			t.Errorf("/queries?queries=%s: %d worlds, want %d", q, len(ws), n)
		}
		var cached []map[string]int
		c.Get("/cached-queries?count=" + q).AssertStatus(200).JSON(&cached)
		if len(cached) != n || cached[0]["randomNumber"] != 1+cached[0]["id"]%10000 {
			t.Errorf("/cached-queries?count=%s: %v", q, cached)
		}
	}

	page := c.Get("/fortunes").AssertStatus(200).AssertHeader("Content-Type", "text/html; charset=utf-8").
		AssertNotContains("<script>").Body
	order := []string{"&lt;script&gt;", "Additional fortune added at request time.", "zebra", "ベンチマーク"}
	last := -1
	for _, s := range order {
		i := strings.Index(string(page), s)
		if i <= last {
			t.Fatalf("/fortunes: %q out of order or missing in\n%s", s, page)
		}
		last = i
	}

	var updated []struct{ ID, RandomNumber int64 }
	c.Get("/updates?queries=5").AssertStatus(200).JSON(&updated)
	if len(updated) != 5 {
		t.Fatalf("/updates: %d worlds", len(updated))
	}
	want := map[int64]int64{} // an id drawn twice keeps its last number
	for _, u := range updated {
		want[u.ID] = u.RandomNumber
	}
	for id, n := range want {
		var got int64
		rows, err := conn.Query(ctx, "SELECT randomnumber FROM world WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			if err := rows.Scan(&got); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if got != n {
			t.Errorf("world %d holds %d after /updates, which answered %d", id, got, n)
		}
	}
	c.Get("/sqlite/db").AssertStatus(404)
}
