package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testDatabase creates the suite's database on the server of
// ANODE_TEST_POSTGRES, under a name of its own, and a counting proxy in
// front of it.
func testDatabase(t *testing.T) (*database, *countingProxy) {
	t.Helper()
	admin := os.Getenv("ANODE_TEST_POSTGRES")
	if admin == "" {
		t.Skip("ANODE_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	db, err := createDatabase(ctx, admin, "tebench_test_"+randomHex(4), t.TempDir())
	if db != nil {
		t.Cleanup(func() {
			if err := db.drop(context.Background()); err != nil {
				t.Errorf("drop: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := newCountingProxy(db.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.close() })
	return db, proxy
}

// proxiedPool connects to db through proxy.
func proxiedPool(t *testing.T, db *database, proxy *countingProxy) *pgxpool.Pool {
	t.Helper()
	u, _ := url.Parse(db.url)
	u.Host = proxy.addr()
	pool, err := pgxpool.New(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestCountingProxy(t *testing.T) {
	db, proxy := testDatabase(t)
	ctx := context.Background()
	pool := proxiedPool(t, db, proxy)
	before := proxy.snapshot()
	var n int
	for id := 1; id <= 3; id++ {
		if err := pool.QueryRow(ctx, "SELECT randomnumber FROM world WHERE id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := pool.Query(ctx, "SELECT id FROM world WHERE id = ANY($1)", []int32{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if _, err := pool.Exec(ctx, "UPDATE world SET randomnumber = $1 WHERE id = $2", 5, 1); err != nil {
		t.Fatal(err)
	}
	// The simple protocol: one Query message.
	if _, err := pool.Exec(ctx, "SELECT message FROM fortune", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	d := proxy.snapshot().sub(before)
	if d.WorldSelects != 3 || d.WorldMulti != 1 || d.WorldUpdates != 1 || d.FortuneSelects != 1 {
		t.Fatalf("counts = %+v", d)
	}
}

// fake is a contestant written in the test, correct unless broken says how.
type fake struct {
	pool   *pgxpool.Pool
	broken string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.broken != "no-server" {
		w.Header().Set("Server", "fake")
	}
	ctx := r.Context()
	one := func(id int) (map[string]int, error) {
		var n int
		err := f.pool.QueryRow(ctx, "SELECT randomnumber FROM world WHERE id = $1", id).Scan(&n)
		return map[string]int{"id": id, "randomNumber": n}, err
	}
	var v any
	var err error
	switch r.URL.Path {
	case "/plaintext":
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Hello, World!"))
		return
	case "/json":
		v = map[string]string{"message": "Hello, World!"}
	case "/db":
		id := rand.IntN(worldRows) + 1
		if f.broken == "cached-db" {
			id = 42
		}
		v, err = one(id)
	case "/queries":
		n, perr := strconv.Atoi(r.URL.Query().Get("queries"))
		if perr != nil || n < 1 {
			n = 1
		}
		if f.broken == "no-clamp" {
			n = min(n, 600) // past the rule's 500, bounded for the test's sake
		} else {
			n = min(n, 500)
		}
		var ws []map[string]int
		if f.broken == "in-query" {
			ids := make([]int32, n)
			for i := range ids {
				ids[i] = int32(i + 1)
			}
			rows, qerr := f.pool.Query(ctx, "SELECT id, randomnumber FROM world WHERE id = ANY($1) ORDER BY id", ids)
			if qerr == nil {
				for rows.Next() {
					var id, rn int
					rows.Scan(&id, &rn)
					ws = append(ws, map[string]int{"id": id, "randomNumber": rn})
				}
				rows.Close()
			}
		} else {
			for range n {
				w, qerr := one(rand.IntN(worldRows) + 1)
				if qerr != nil {
					err = qerr
					break
				}
				ws = append(ws, w)
			}
		}
		v = ws
	case "/fortunes":
		rows, qerr := f.pool.Query(ctx, "SELECT id, message FROM fortune")
		if qerr != nil {
			http.Error(w, qerr.Error(), 500)
			return
		}
		type fortune struct {
			id  int
			msg string
		}
		var list []fortune
		for rows.Next() {
			var x fortune
			rows.Scan(&x.id, &x.msg)
			list = append(list, x)
		}
		rows.Close()
		list = append(list, fortune{0, "Additional fortune added at request time."})
		if f.broken != "unsorted" {
			slices.SortFunc(list, func(a, b fortune) int { return cmp.Compare(a.msg, b.msg) })
		}
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html><head><title>Fortunes</title></head><body><table>\n<tr><th>id</th><th>message</th></tr>\n")
		for _, x := range list {
			msg := html.EscapeString(x.msg)
			if f.broken == "unescaped" {
				msg = x.msg
			}
			fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td></tr>\n", x.id, msg)
		}
		b.WriteString("</table></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func TestVerifier(t *testing.T) {
	db, proxy := testDatabase(t)
	ctx := context.Background()
	pool := proxiedPool(t, db, proxy)
	for _, tc := range []struct {
		broken string
		test   string // the one test to run; "" for all
		want   string // in a failure; "" for none
	}{
		{"", "", ""},
		{"no-server", "plaintext", "no Server header"},
		{"cached-db", "db", "distinct worlds"},
		{"no-clamp", "queries", "501 worlds, want 500"},
		{"in-query", "queries", "multi-row SELECTs on world"},
		{"unsorted", "fortunes", "row 1 is"},
		{"unescaped", "fortunes", "12 rows, want 13"},
	} {
		c := &contestant{name: "fake", tests: []string{"plaintext", "json", "db", "queries", "fortunes"}}
		if tc.test != "" {
			c.tests = []string{tc.test}
		}
		t.Run("broken="+tc.broken, func(t *testing.T) {
			srv := httptest.NewServer(&fake{pool: pool, broken: tc.broken})
			defer srv.Close()
			fails := verify(ctx, db, proxy, &process{c: c, base: srv.URL})
			all := strings.Join(fails, "\n")
			if tc.want == "" && len(fails) > 0 {
				t.Fatalf("a correct contestant failed:\n%s", all)
			}
			if tc.want != "" && !strings.Contains(all, tc.want) {
				t.Fatalf("want a failure containing %q, got:\n%s", tc.want, all)
			}
		})
	}
}

func TestEscapedEnough(t *testing.T) {
	for cell, want := range map[string]bool{
		"a &amp; b":             true,
		"&lt;script&gt;":        true,
		"it&#39;s &quot;x&#34;": true,
		"a & b":                 false,
		"&bogus;":               false,
	} {
		if got := escapedEnough(cell); got != want {
			t.Errorf("escapedEnough(%q) = %v, want %v", cell, got, want)
		}
	}
}
