package world

import (
	"cmp"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/cache"
	"github.com/anode-go/anode/orm"
)

// worldRows is the size of the World table; ids run from 1 to worldRows.
const worldRows = 10000

var helloWorld = []byte("Hello, World!")

func plaintext(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	_, err := w.Write(helloWorld)
	return err
}

func jsonMessage(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, struct {
		Message string `json:"message"`
	}{"Hello, World!"})
}

func db(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	world, err := orm.From[World](mainDB(ctx)).Filter("id", randomID()).Get(ctx)
	if err != nil {
		return err
	}
	return writeJSON(w, world)
}

func queries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	worlds, err := randomWorlds(ctx, mainDB(ctx), queryCount(r, "queries"))
	if err != nil {
		return err
	}
	return writeJSON(w, worlds)
}

func updates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := mainDB(ctx)
	worlds, err := randomWorlds(ctx, d, queryCount(r, "queries"))
	if err != nil {
		return err
	}
	for i := range worlds {
		worlds[i].RandomNumber = randomID()
	}
	// One statement for the batch, rows in key order so that concurrent
	// batches lock them in the same order. An id drawn twice keeps the
	// number it was given last, as it would with one UPDATE per row.
	batch := slices.Clone(worlds)
	slices.SortStableFunc(batch, func(a, b World) int { return cmp.Compare(a.ID, b.ID) })
	batch = lastPerID(batch)
	if _, err := orm.BulkUpdate(ctx, d, batch, "RandomNumber"); err != nil {
		return err
	}
	return writeJSON(w, worlds)
}

// fortunes renders the Fortune table of the database db returns, with one
// fortune added at request time, sorted by message.
func fortunes(page *anode.Template, db func(context.Context) *orm.DB) anode.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		d := db(ctx)
		if d == nil {
			return anode.NewError(http.StatusNotFound, "No SQLite database configured.", nil)
		}
		list, err := orm.From[Fortune](d).All(ctx)
		if err != nil {
			return err
		}
		list = append(list, Fortune{Message: "Additional fortune added at request time."})
		slices.SortFunc(list, func(a, b Fortune) int { return cmp.Compare(a.Message, b.Message) })
		return page.Render(w, r, list)
	}
}

func sqliteWorld(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := sqlite(ctx)
	if d == nil {
		return anode.NewError(http.StatusNotFound, "No SQLite database configured.", nil)
	}
	world, err := orm.From[World](d).Filter("id", randomID()).Get(ctx)
	if err != nil {
		return err
	}
	return writeJSON(w, world)
}

// cachedQueries answers ?count=N worlds from the App's cache, filling the
// keys it misses from the database with one query.
func cachedQueries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c := anode.FromContext(ctx).Cache()
	n := queryCount(r, "count")
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "world:" + strconv.FormatInt(randomID(), 10)
	}
	hits, err := cache.GetMany[World](ctx, c, keys...)
	if err != nil {
		return err
	}
	var missing []int64
	for _, k := range keys {
		if _, ok := hits[k]; !ok {
			id, _ := strconv.ParseInt(k[len("world:"):], 10, 64)
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		rows, err := orm.From[World](mainDB(ctx)).Filter("id__in", missing).All(ctx)
		if err != nil {
			return err
		}
		fill := make(map[string]World, len(rows))
		for _, row := range rows {
			k := "world:" + strconv.FormatInt(row.ID, 10)
			fill[k], hits[k] = row, row
		}
		if err := cache.SetMany(ctx, c, fill, cache.NoExpiry); err != nil {
			return err
		}
	}
	worlds := make([]World, n)
	for i, k := range keys {
		worlds[i] = hits[k]
	}
	return writeJSON(w, worlds)
}

// randomWorlds reads n random worlds, one SELECT per row as the rules ask.
func randomWorlds(ctx context.Context, d *orm.DB, n int) ([]World, error) {
	worlds := make([]World, n)
	q := orm.From[World](d)
	for i := range worlds {
		world, err := q.Filter("id", randomID()).Get(ctx)
		if err != nil {
			return nil, err
		}
		worlds[i] = world
	}
	return worlds, nil
}

// lastPerID keeps the last of each run of equal ids in sorted.
func lastPerID(sorted []World) []World {
	out := sorted[:0]
	for i, w := range sorted {
		if i+1 < len(sorted) && sorted[i+1].ID == w.ID {
			continue
		}
		out = append(out, w)
	}
	return out
}

// queryCount reads the query parameter name as the rules say: a number
// clamped to 1..500, anything else 1.
func queryCount(r *http.Request, name string) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 500)
}

func randomID() int64 { return rand.Int64N(worldRows) + 1 }

func mainDB(ctx context.Context) *orm.DB { return anode.FromContext(ctx).DB() }

func sqlite(context.Context) *orm.DB { return sqliteDB }

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}
