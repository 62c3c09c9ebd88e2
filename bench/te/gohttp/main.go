// Command gohttp is the raw Go peer of the TechEmpower-style suite
// (bench/run): net/http's ServeMux, pgx's pool and html/template, written the
// way a careful Go programmer writes them without a framework.
//
//	gohttp -addr 127.0.0.1:8081 -db postgres://postgres@127.0.0.1:5432/anode_bench
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"html/template"
	"log"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
)

const worldRows = 10000

type world struct {
	ID           int32 `json:"id"`
	RandomNumber int32 `json:"randomNumber"`
}

type fortune struct {
	ID      int32
	Message string
}

var fortunesPage = template.Must(template.New("fortunes").Parse(`<!DOCTYPE html>
<html>
<head><title>Fortunes</title></head>
<body>
<table>
<tr><th>id</th><th>message</th></tr>
{{range .}}<tr><td>{{.ID}}</td><td>{{.Message}}</td></tr>
{{end}}</table>
</body>
</html>
`))

type server struct {
	pool   *pgxpool.Pool
	cached []world // the whole table, loaded at start, for /cached-queries
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	dsn := flag.String("db", "postgres://postgres@127.0.0.1:5432/anode_bench?sslmode=disable", "PostgreSQL URL")
	flag.Parse()

	ctx := context.Background()
	pool, err := pgxpool.New(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{pool: pool}
	if err := s.loadCache(ctx); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plaintext", plaintext)
	mux.HandleFunc("GET /json", jsonMessage)
	mux.HandleFunc("GET /db", s.db)
	mux.HandleFunc("GET /queries", s.queries)
	mux.HandleFunc("GET /fortunes", s.fortunes)
	mux.HandleFunc("GET /updates", s.updates)
	mux.HandleFunc("GET /cached-queries", s.cachedQueries)
	log.Fatal(http.ListenAndServe(*addr, serverHeader(mux)))
}

var serverName = []string{"gohttp"}

func serverHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Server"] = serverName
		next.ServeHTTP(w, r)
	})
}

func plaintext(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("Hello, World!"))
}

func jsonMessage(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, struct {
		Message string `json:"message"`
	}{"Hello, World!"})
}

const selectWorld = "SELECT id, randomnumber FROM world WHERE id = $1"

func (s *server) db(w http.ResponseWriter, r *http.Request) {
	var wd world
	if err := s.pool.QueryRow(r.Context(), selectWorld, randomID()).Scan(&wd.ID, &wd.RandomNumber); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, wd)
}

func (s *server) randomWorlds(ctx context.Context, n int) ([]world, error) {
	worlds := make([]world, n)
	for i := range worlds {
		if err := s.pool.QueryRow(ctx, selectWorld, randomID()).Scan(&worlds[i].ID, &worlds[i].RandomNumber); err != nil {
			return nil, err
		}
	}
	return worlds, nil
}

func (s *server) queries(w http.ResponseWriter, r *http.Request) {
	worlds, err := s.randomWorlds(r.Context(), queryCount(r, "queries"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, worlds)
}

func (s *server) updates(w http.ResponseWriter, r *http.Request) {
	worlds, err := s.randomWorlds(r.Context(), queryCount(r, "queries"))
	if err != nil {
		fail(w, err)
		return
	}
	ids := make([]int32, len(worlds))
	numbers := make([]int32, len(worlds))
	for i := range worlds {
		worlds[i].RandomNumber = int32(randomID())
	}
	// One statement, rows in key order (concurrent batches lock in the same
	// order); an id drawn twice keeps its last number.
	batch := slices.Clone(worlds)
	slices.SortStableFunc(batch, func(a, b world) int { return cmp.Compare(a.ID, b.ID) })
	n := 0
	for i, wd := range batch {
		if i+1 < len(batch) && batch[i+1].ID == wd.ID {
			continue
		}
		ids[n], numbers[n] = wd.ID, wd.RandomNumber
		n++
	}
	if _, err := s.pool.Exec(r.Context(),
		"UPDATE world SET randomnumber = v.r FROM (SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS r) AS v WHERE world.id = v.id",
		ids[:n], numbers[:n]); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, worlds)
}

func (s *server) fortunes(w http.ResponseWriter, r *http.Request) {
	rows, err := s.pool.Query(r.Context(), "SELECT id, message FROM fortune")
	if err != nil {
		fail(w, err)
		return
	}
	list := make([]fortune, 0, 16)
	for rows.Next() {
		var f fortune
		if err := rows.Scan(&f.ID, &f.Message); err != nil {
			rows.Close()
			fail(w, err)
			return
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		fail(w, err)
		return
	}
	list = append(list, fortune{Message: "Additional fortune added at request time."})
	slices.SortFunc(list, func(a, b fortune) int { return cmp.Compare(a.Message, b.Message) })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := fortunesPage.Execute(w, list); err != nil {
		log.Print(err)
	}
}

func (s *server) loadCache(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, "SELECT id, randomnumber FROM world")
	if err != nil {
		return err
	}
	defer rows.Close()
	s.cached = make([]world, worldRows+1)
	for rows.Next() {
		var wd world
		if err := rows.Scan(&wd.ID, &wd.RandomNumber); err != nil {
			return err
		}
		if wd.ID >= 1 && wd.ID <= worldRows {
			s.cached[wd.ID] = wd
		}
	}
	return rows.Err()
}

func (s *server) cachedQueries(w http.ResponseWriter, r *http.Request) {
	worlds := make([]world, queryCount(r, "count"))
	for i := range worlds {
		worlds[i] = s.cached[randomID()]
	}
	writeJSON(w, worlds)
}

func queryCount(r *http.Request, name string) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 500)
}

func randomID() int { return rand.IntN(worldRows) + 1 }

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func fail(w http.ResponseWriter, err error) {
	log.Print(err)
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}
