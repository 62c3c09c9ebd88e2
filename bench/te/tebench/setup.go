package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"
)

const worldRows = 10000

// fortunes are the Fortune table's rows, written for this suite after the
// TechEmpower description of the table: short sayings, one that is a script
// element (the page must escape it), one in Japanese (UTF-8 end to end), and
// some with quotes, ampersands and accented letters.
var fortunes = []string{
	"A database that never answers is consistent in only one sense.",
	"Benchmarks measure what they measure, and nothing else.",
	`<script>alert("Escape me, or this alert fires in your browser.");</script>`,
	"Cache invalidation & naming things: still the two hard problems.",
	"Premature optimisation is a fine way to miss a deadline.",
	`A 'single-quoted' word and a "double-quoted" one walk into a bar.`,
	"ベンチマークは正直に測りましょう。",
	"Every loop needs a bound; every bound needs a reason.",
	"Café, naïve, Zürich: UTF-8 is not optional.",
	"The fastest query is the one you never send (except in this test).",
	"Read the error message. Then read it again.",
	"~ A tilde sorts after the letters, and so does this line.",
}

// database is the suite's dedicated PostgreSQL database and its SQLite copy.
type database struct {
	admin  string // URL of the maintenance database, for CREATE/DROP DATABASE
	name   string
	url    string // URL of the suite's database
	host   string // host:port of the server
	pool   *pgxpool.Pool
	sqlite string // path of the SQLite copy
	lite   *sql.DB
}

// createDatabase creates the database name (dropping a leftover of the same
// name), fills World and Fortune, and writes the SQLite copy into dir.
func createDatabase(ctx context.Context, adminURL, name, dir string) (*database, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("BENCH_POSTGRES: %w", err)
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer admin.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return nil, err
	}
	d := &database{admin: adminURL, name: name, host: u.Host}
	u.Path = "/" + name
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	d.url = u.String()
	if d.pool, err = pgxpool.New(ctx, d.url); err != nil {
		return nil, err
	}
	schema := []string{
		"CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL DEFAULT 0)",
		"CREATE TABLE fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)",
		fmt.Sprintf("INSERT INTO world (id, randomnumber) SELECT g, 1 + floor(random() * %d)::int FROM generate_series(1, %d) AS g", worldRows, worldRows),
	}
	for _, s := range schema {
		if _, err := d.pool.Exec(ctx, s); err != nil {
			return d, err
		}
	}
	for i, m := range fortunes {
		if _, err := d.pool.Exec(ctx, "INSERT INTO fortune (id, message) VALUES ($1, $2)", i+1, m); err != nil {
			return d, err
		}
	}
	if _, err := d.pool.Exec(ctx, "ANALYZE world; ANALYZE fortune"); err != nil {
		return d, err
	}
	return d, d.writeSQLite(ctx, filepath.Join(dir, "world.sqlite3"))
}

// writeSQLite copies both tables into a new SQLite file at path.
func (d *database) writeSQLite(ctx context.Context, path string) error {
	os.Remove(path)
	lite, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	d.lite, d.sqlite = lite, path
	tx, err := lite.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range []string{
		"CREATE TABLE world (id INTEGER PRIMARY KEY, randomnumber INTEGER NOT NULL DEFAULT 0)",
		"CREATE TABLE fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)",
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	worlds, err := d.worlds(ctx)
	if err != nil {
		return err
	}
	for id := 1; id <= worldRows; id++ {
		if _, err := tx.ExecContext(ctx, "INSERT INTO world (id, randomnumber) VALUES (?, ?)", id, worlds[id]); err != nil {
			return err
		}
	}
	for i, m := range fortunes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO fortune (id, message) VALUES (?, ?)", i+1, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = lite.ExecContext(ctx, "PRAGMA journal_mode=WAL")
	return err
}

// rowSource is what pgx.Rows and *sql.Rows have in common.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// worlds reads every World row: the randomNumber of id is at index id.
func (d *database) worlds(ctx context.Context) ([]int, error) {
	rows, err := d.pool.Query(ctx, "SELECT id, randomnumber FROM world")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return readWorlds(rows)
}

// sqliteWorlds is worlds for the SQLite copy.
func (d *database) sqliteWorlds(ctx context.Context) ([]int, error) {
	rows, err := d.lite.QueryContext(ctx, "SELECT id, randomnumber FROM world")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return readWorlds(rows)
}

func readWorlds(rows rowSource) ([]int, error) {
	out := make([]int, worldRows+1)
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if id >= 1 && id <= worldRows {
			out[id] = n
		}
	}
	return out, rows.Err()
}

// fortuneRows reads the Fortune table of PostgreSQL (lite false) or of the
// SQLite copy.
func (d *database) fortuneRows(ctx context.Context, lite bool) (map[int]string, error) {
	const q = "SELECT id, message FROM fortune"
	var rows rowSource
	if lite {
		r, err := d.lite.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		rows = r
	} else {
		r, err := d.pool.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		rows = r
	}
	out := map[int]string{}
	for rows.Next() {
		var id int
		var m string
		if err := rows.Scan(&id, &m); err != nil {
			return nil, err
		}
		out[id] = m
	}
	return out, rows.Err()
}

// drop closes the connections and drops the database.
func (d *database) drop(ctx context.Context) error {
	if d.lite != nil {
		d.lite.Close()
	}
	if d.pool != nil {
		d.pool.Close()
	}
	admin, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.name}.Sanitize()+" WITH (FORCE)")
	return err
}
