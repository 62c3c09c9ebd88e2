package orm_test

import (
	"context"
	"database/sql"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the database/sql driver the hand-written side uses

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

// The ORM issue's benchmark bar: get-by-primary-key, a 20-row fetch into
// structs and the TechEmpower fortunes query, each through the ORM and
// hand-written (database/sql on SQLite, pgx on PostgreSQL) against the same
// table in the same run. Target: the ORM within 1.10× the hand-written time
// and at most 2 extra allocations per row.

// World is the TechEmpower World row.
type World struct {
	ID           int64
	RandomNumber int
}

// Fortune is the TechEmpower Fortune row.
type Fortune struct {
	ID      int64
	Message string `anode:"max=2048"`
}

const (
	worldRows   = 10_000
	fetchRows   = 20
	fortuneRows = 12
)

// fortunes are the TechEmpower fortunes, IDs 1 to 12 in this order.
var fortunes = []string{
	"fortune: No such file or directory",
	"A computer scientist is someone who fixes things that aren't broken.",
	"After enough decimal places, nobody gives a damn.",
	"A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
	"A computer program does what you tell it to do, not what you want it to do.",
	"Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
	"Any program that runs right is obsolete.",
	"A list is only as strong as its weakest link. — Donald Knuth",
	"Feature: A bug with seniority.",
	"Computers make very fast, very accurate mistakes.",
	`<script>alert("This should not be displayed in a browser alert box.");</script>`,
	"フレームワークのベンチマーク",
}

const extraFortune = "Additional fortune added at request time."

var benchModels = []any{World{}, Fortune{}}

// seedWorlds are the World rows, the same in every run.
func seedWorlds() []World {
	rng := mrand.New(mrand.NewPCG(1, 2))
	ws := make([]World, worldRows)
	for i := range ws {
		ws[i] = World{RandomNumber: rng.IntN(10_000) + 1}
	}
	return ws
}

func seedBench(tb testing.TB, db *orm.DB) {
	tb.Helper()
	ctx := context.Background()
	if err := orm.BulkCreate(ctx, db, seedWorlds(), 0); err != nil {
		tb.Fatal(err)
	}
	fs := make([]Fortune, len(fortunes))
	for i, m := range fortunes {
		fs[i] = Fortune{Message: m}
	}
	if err := orm.BulkCreate(ctx, db, fs, 0); err != nil {
		tb.Fatal(err)
	}
}

// worldID picks the row an iteration reads, deterministically.
func worldID(i int) int64 { return int64(i%worldRows + 1) }

// The ORM side.

func ormWorld(ctx context.Context, db *orm.DB, id int64) (World, error) {
	return orm.From[World](db).Filter("id", id).Get(ctx)
}

func ormWorlds(ctx context.Context, db *orm.DB) ([]World, error) {
	return orm.From[World](db).Filter("id__lte", fetchRows).OrderBy("id").All(ctx)
}

func ormFortunes(ctx context.Context, db *orm.DB) ([]Fortune, error) {
	fs, err := orm.From[Fortune](db).OrderBy().All(ctx)
	if err != nil {
		return nil, err
	}
	fs = append(fs, Fortune{Message: extraFortune})
	sort.Slice(fs, func(i, j int) bool { return fs[i].Message < fs[j].Message })
	return fs, nil
}

// hand is the same three queries written by hand against the driver.
type hand interface {
	world(ctx context.Context, id int64) (World, error)
	worlds(ctx context.Context) ([]World, error)
	fortunes(ctx context.Context) ([]Fortune, error)
}

// sqliteHand runs prepared statements through database/sql.
type sqliteHand struct {
	db                        *sql.DB
	world1, worldsN, fortuneQ *sql.Stmt
}

var _ hand = (*sqliteHand)(nil)

func newSQLiteHand(tb testing.TB, path string) *sqliteHand {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	h := &sqliteHand{db: db}
	for _, s := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&h.world1, "SELECT id, random_number FROM app_world WHERE id = ?"},
		{&h.worldsN, "SELECT id, random_number FROM app_world WHERE id <= ? ORDER BY id"},
		{&h.fortuneQ, "SELECT id, message FROM app_fortune"},
	} {
		if *s.st, err = db.Prepare(s.sql); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

func (h *sqliteHand) world(ctx context.Context, id int64) (World, error) {
	var w World
	err := h.world1.QueryRowContext(ctx, id).Scan(&w.ID, &w.RandomNumber)
	return w, err
}

func (h *sqliteHand) worlds(ctx context.Context) ([]World, error) {
	rows, err := h.worldsN.QueryContext(ctx, fetchRows)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ws []World
	for rows.Next() {
		var w World
		if err := rows.Scan(&w.ID, &w.RandomNumber); err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

func (h *sqliteHand) fortunes(ctx context.Context) ([]Fortune, error) {
	rows, err := h.fortuneQ.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fs []Fortune
	for rows.Next() {
		var f Fortune
		if err := rows.Scan(&f.ID, &f.Message); err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	fs = append(fs, Fortune{Message: extraFortune})
	sort.Slice(fs, func(i, j int) bool { return fs[i].Message < fs[j].Message })
	return fs, nil
}

// pgxHand runs the queries on a pgx pool with its default statement cache.
type pgxHand struct{ pool *pgxpool.Pool }

var _ hand = pgxHand{}

func newPgxHand(tb testing.TB, rawURL string) pgxHand {
	tb.Helper()
	pool, err := pgxpool.New(context.Background(), rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pgxHand{pool}
}

func (h pgxHand) world(ctx context.Context, id int64) (World, error) {
	var w World
	err := h.pool.QueryRow(ctx, "SELECT id, random_number FROM app_world WHERE id = $1", id).Scan(&w.ID, &w.RandomNumber)
	return w, err
}

func (h pgxHand) worlds(ctx context.Context) ([]World, error) {
	rows, err := h.pool.Query(ctx, "SELECT id, random_number FROM app_world WHERE id <= $1 ORDER BY id", fetchRows)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ws []World
	for rows.Next() {
		var w World
		if err := rows.Scan(&w.ID, &w.RandomNumber); err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

func (h pgxHand) fortunes(ctx context.Context) ([]Fortune, error) {
	rows, err := h.pool.Query(ctx, "SELECT id, message FROM app_fortune")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fs []Fortune
	for rows.Next() {
		var f Fortune
		if err := rows.Scan(&f.ID, &f.Message); err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	fs = append(fs, Fortune{Message: extraFortune})
	sort.Slice(fs, func(i, j int) bool { return fs[i].Message < fs[j].Message })
	return fs, nil
}

// handFor opens the hand-written side on the database db uses: the same
// SQLite file, or the same PostgreSQL schema of ANODE_TEST_POSTGRES.
func handFor(tb testing.TB, db *orm.DB) hand {
	tb.Helper()
	ctx := context.Background()
	switch name := db.Dialect().Name(); name {
	case "sqlite":
		var file string
		scanOne(tb, db, "SELECT file FROM pragma_database_list WHERE name = 'main'", &file)
		return newSQLiteHand(tb, file)
	case "postgres":
		var schema string
		scanOne(tb, db, "SELECT current_schema()", &schema)
		u, err := url.Parse(os.Getenv("ANODE_TEST_POSTGRES"))
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		h := newPgxHand(tb, u.String())
		if err := h.pool.Ping(ctx); err != nil {
			tb.Fatal(err)
		}
		return h
	default:
		tb.Fatalf("no hand-written side for dialect %q", name)
		return nil
	}
}

func scanOne(tb testing.TB, db *orm.DB, query string, dst any) {
	tb.Helper()
	ctx := context.Background()
	rows, err := db.Conn(ctx).Query(ctx, query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		tb.Fatalf("%s: no row (%v)", query, rows.Err())
	}
	if err := rows.Scan(dst); err != nil {
		tb.Fatal(err)
	}
}

// TestBenchModelsRoundTrip checks that each ORM query in BenchmarkORM and its
// hand-written twin return the same rows, so the benchmark compares equal
// work.
func TestBenchModelsRoundTrip(t *testing.T) {
	forEachDB(t, benchModels, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seedBench(t, db)
		h := handFor(t, db)
		seeded := seedWorlds()

		for _, i := range []int{0, 1, 776, worldRows - 1, worldRows, 2*worldRows + 41} {
			id := worldID(i)
			got, err := ormWorld(ctx, db, id)
			if err != nil {
				t.Fatalf("orm get-by-pk %d: %v", id, err)
			}
			want, err := h.world(ctx, id)
			if err != nil {
				t.Fatalf("hand get-by-pk %d: %v", id, err)
			}
			if got != want || got.ID != id || got.RandomNumber != seeded[id-1].RandomNumber {
				t.Errorf("get-by-pk %d: orm %+v, hand %+v, seeded RandomNumber %d", id, got, want, seeded[id-1].RandomNumber)
			}
		}

		gotWs, err := ormWorlds(ctx, db)
		if err != nil {
			t.Fatalf("orm fetch-20: %v", err)
		}
		wantWs, err := h.worlds(ctx)
		if err != nil {
			t.Fatalf("hand fetch-20: %v", err)
		}
		if !slices.Equal(gotWs, wantWs) || len(gotWs) != fetchRows {
			t.Errorf("fetch-20: orm %d rows %v\nhand %d rows %v", len(gotWs), gotWs, len(wantWs), wantWs)
		}
		for i, w := range gotWs {
			if w.ID != int64(i+1) || w.RandomNumber != seeded[i].RandomNumber {
				t.Errorf("fetch-20 row %d: %+v, want ID %d RandomNumber %d", i, w, i+1, seeded[i].RandomNumber)
			}
		}

		gotFs, err := ormFortunes(ctx, db)
		if err != nil {
			t.Fatalf("orm fortunes: %v", err)
		}
		wantFs, err := h.fortunes(ctx)
		if err != nil {
			t.Fatalf("hand fortunes: %v", err)
		}
		if !slices.Equal(gotFs, wantFs) {
			t.Errorf("fortunes differ:\norm  %+v\nhand %+v", gotFs, wantFs)
		}
		if len(gotFs) != fortuneRows+1 {
			t.Fatalf("fortunes: %d rows, want %d", len(gotFs), fortuneRows+1)
		}
		if first, last := gotFs[0].Message, gotFs[len(gotFs)-1].Message; first != fortunes[10] || last != fortunes[11] {
			t.Errorf("fortunes sorted from %q to %q, want from the <script> one to the Japanese one", first, last)
		}
		for _, f := range gotFs {
			if f.ID == 0 {
				if f.Message != extraFortune {
					t.Errorf("fortune without ID: %q", f.Message)
				}
			} else if f.Message != fortunes[f.ID-1] {
				t.Errorf("fortune %d: %q, want %q", f.ID, f.Message, fortunes[f.ID-1])
			}
		}
	})
}

// BenchmarkORM compares each query through the ORM with the same query
// hand-written, on the same database in the same run. Compare with
// benchstat; the rows per operation are 1, 20 and 12 (plus the one the
// fortunes handler adds).
func BenchmarkORM(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		db := openDB(b, "sqlite:///"+filepath.Join(b.TempDir(), "bench.db"), benchModels)
		benchDB(b, db)
	})
	b.Run("postgres", func(b *testing.B) {
		base := os.Getenv("ANODE_TEST_POSTGRES")
		if base == "" {
			b.Skip("set ANODE_TEST_POSTGRES to run the PostgreSQL benchmarks")
		}
		db := openDB(b, anodetest.PostgresSchema(b, base), benchModels)
		benchDB(b, db)
	})
}

func benchDB(b *testing.B, db *orm.DB) {
	seedBench(b, db)
	h := handFor(b, db)
	ctx := context.Background()
	b.Run("get-by-pk", func(b *testing.B) {
		benchRows(b, "orm", 1, func(i int) (int, error) {
			w, err := ormWorld(ctx, db, worldID(i))
			return int(w.ID / worldID(i)), err // 1: the row read is the row asked for
		})
		benchRows(b, "hand", 1, func(i int) (int, error) {
			w, err := h.world(ctx, worldID(i))
			return int(w.ID / worldID(i)), err
		})
	})
	b.Run("fetch-20", func(b *testing.B) {
		benchRows(b, "orm", fetchRows, func(int) (int, error) {
			ws, err := ormWorlds(ctx, db)
			return len(ws), err
		})
		benchRows(b, "hand", fetchRows, func(int) (int, error) {
			ws, err := h.worlds(ctx)
			return len(ws), err
		})
	})
	b.Run("fortunes", func(b *testing.B) {
		benchRows(b, "orm", fortuneRows+1, func(int) (int, error) {
			fs, err := ormFortunes(ctx, db)
			return len(fs), err
		})
		benchRows(b, "hand", fortuneRows+1, func(int) (int, error) {
			fs, err := h.fortunes(ctx)
			return len(fs), err
		})
	})
}

// benchRows runs fn, which reports how many rows it got, as sub-benchmark
// name; iteration i passes i, to pick rows deterministically.
func benchRows(b *testing.B, name string, rows int, fn func(i int) (int, error)) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			n, err := fn(i)
			if err != nil {
				b.Fatal(err)
			}
			if n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
			i++
		}
	})
}
