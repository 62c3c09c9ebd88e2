package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// verifier checks one contestant's responses against the TechEmpower rules.
type verifier struct {
	db     *database
	proxy  *countingProxy // nil: statements are not counted (SQLite)
	client *http.Client
	base   string
	fails  []string
	// verbose logs the statements of every request (BENCH_VERBOSE=1).
	verbose bool
}

func (v *verifier) failf(test, format string, args ...any) {
	v.fails = append(v.fails, test+": "+fmt.Sprintf(format, args...))
}

// get requests path and checks the status, the Server and Date headers and
// the media type; it returns the body, or nil after recording a failure.
func (v *verifier) get(test, path, mediaType string) []byte {
	resp, err := v.client.Get(v.base + path)
	if err != nil {
		v.failf(test, "GET %s: %v", path, err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		v.failf(test, "GET %s: reading the body: %v", path, err)
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		v.failf(test, "GET %s: status %d, want 200", path, resp.StatusCode)
		return nil
	}
	if resp.Header.Get("Server") == "" {
		v.failf(test, "GET %s: no Server header", path)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || time.Since(d).Abs() > time.Minute {
		v.failf(test, "GET %s: Date header %q is not the current time", path, resp.Header.Get("Date"))
	}
	if resp.ContentLength < 0 && !slices.Contains(resp.TransferEncoding, "chunked") {
		v.failf(test, "GET %s: neither Content-Length nor chunked encoding", path)
	}
	ct := resp.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaType {
		v.failf(test, "GET %s: Content-Type %q, want %s", path, ct, mediaType)
		return nil
	}
	if mt == "text/html" && !strings.EqualFold(params["charset"], "utf-8") {
		v.failf(test, "GET %s: Content-Type %q, want charset=utf-8", path, ct)
	}
	return body
}

func (v *verifier) counts() stmtCounts {
	if v.proxy == nil {
		return stmtCounts{}
	}
	return v.proxy.snapshot()
}

// statements checks the statements one request sent: exactly worldSelects
// single-row SELECTs on world, fortuneSelects on fortune, and between
// minUpdates and maxUpdates UPDATEs of world.
func (v *verifier) statements(test, path string, d stmtCounts, worldSelects, fortuneSelects, minUpdates, maxUpdates int) {
	if v.proxy == nil {
		return
	}
	if v.verbose {
		logf("  %s: %d statements, %d parses, %d syncs: %s", path, len(d.Texts), d.Parses, d.Syncs, sample(d.Texts))
	}
	if d.WorldSelects != worldSelects || d.WorldMulti != 0 || d.FortuneSelects != fortuneSelects ||
		d.WorldUpdates < minUpdates || d.WorldUpdates > maxUpdates {
		v.failf(test, "GET %s sent %d single-row and %d multi-row SELECTs on world, %d on fortune, %d UPDATEs; want %d, 0, %d, %d..%d (statements: %s)",
			path, d.WorldSelects, d.WorldMulti, d.FortuneSelects, d.WorldUpdates,
			worldSelects, fortuneSelects, minUpdates, maxUpdates, sample(d.Texts))
	}
}

func sample(texts []string) string {
	if len(texts) > 4 {
		return strings.Join(texts[:4], " | ") + fmt.Sprintf(" | … (%d in all)", len(texts))
	}
	return strings.Join(texts, " | ")
}

type worldJSON struct {
	ID           *int `json:"id"`
	RandomNumber *int `json:"randomNumber"`
}

// checkWorld checks one world object against the reference rows (nil: only
// the ranges).
func (v *verifier) checkWorld(test, path string, w worldJSON, ref []int) bool {
	if w.ID == nil || w.RandomNumber == nil {
		v.failf(test, "GET %s: a world without id or randomNumber", path)
		return false
	}
	if *w.ID < 1 || *w.ID > worldRows || *w.RandomNumber < 1 || *w.RandomNumber > worldRows {
		v.failf(test, "GET %s: world {id %d, randomNumber %d} out of range 1..%d", path, *w.ID, *w.RandomNumber, worldRows)
		return false
	}
	if ref != nil && ref[*w.ID] != *w.RandomNumber {
		v.failf(test, "GET %s: world %d has randomNumber %d, the database %d", path, *w.ID, *w.RandomNumber, ref[*w.ID])
		return false
	}
	return true
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// countCases are the parameter values every multi-row test is checked with,
// and the number of rows each must return.
var countCases = []struct {
	value string
	rows  int
}{{"", 1}, {"0", 1}, {"-3", 1}, {"foo", 1}, {"1", 1}, {"7", 7}, {"20", 20}, {"500", 500}, {"501", 500}, {"100000", 500}}

func (v *verifier) plaintext() {
	body := v.get("plaintext", "/plaintext", "text/plain")
	if body != nil && string(body) != "Hello, World!" {
		v.failf("plaintext", "body %q, want %q", body, "Hello, World!")
	}
}

func (v *verifier) jsonMessage() {
	before := v.counts()
	body := v.get("json", "/json", "application/json")
	v.statements("json", "/json", v.counts().sub(before), 0, 0, 0, 0)
	if body == nil {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || len(m) != 1 || m["message"] != "Hello, World!" {
		v.failf("json", "body %s, want {\"message\":\"Hello, World!\"}", body)
	}
}

// oneWorld checks path (/db or /sqlite/db) 10 times.
func (v *verifier) oneWorld(ctx context.Context, test, path string, lite bool) {
	ids := map[int]bool{}
	for range 10 {
		before := v.counts()
		body := v.get(test, path, "application/json")
		if body == nil {
			return
		}
		v.statements(test, path, v.counts().sub(before), pgStatements(lite), 0, 0, 0)
		var w worldJSON
		if err := decodeStrict(body, &w); err != nil {
			v.failf(test, "GET %s: body %.200s is not one world object: %v", path, body, err)
			return
		}
		ref, err := v.reference(ctx, lite)
		if err != nil {
			v.failf(test, "reading the reference rows: %v", err)
			return
		}
		if !v.checkWorld(test, path, w, ref) {
			return
		}
		ids[*w.ID] = true
	}
	if len(ids) < 5 {
		v.failf(test, "GET %s: 10 requests returned only %d distinct worlds; ids must be random", path, len(ids))
	}
}

// pgStatements is how many statements a one-query test sends to PostgreSQL:
// none for the SQLite variants.
func pgStatements(lite bool) int {
	if lite {
		return 0
	}
	return 1
}

func (v *verifier) reference(ctx context.Context, lite bool) ([]int, error) {
	if lite {
		return v.db.sqliteWorlds(ctx)
	}
	return v.db.worlds(ctx)
}

// worlds checks a multi-row test (queries, updates, cached-queries).
func (v *verifier) worlds(ctx context.Context, test, path, param string) {
	for _, c := range countCases {
		p := path + "?" + param + "=" + c.value
		before := v.counts()
		body := v.get(test, p, "application/json")
		if body == nil {
			continue
		}
		d := v.counts().sub(before)
		switch test {
		case "queries":
			v.statements(test, p, d, c.rows, 0, 0, 0)
		case "updates":
			v.statements(test, p, d, c.rows, 0, 1, c.rows)
		}
		var ws []worldJSON
		if err := decodeStrict(body, &ws); err != nil {
			v.failf(test, "GET %s: body %.200s is not an array of worlds: %v", p, body, err)
			continue
		}
		if len(ws) != c.rows {
			v.failf(test, "GET %s: %d worlds, want %d", p, len(ws), c.rows)
			continue
		}
		ref, err := v.db.worlds(ctx)
		if err != nil {
			v.failf(test, "reading the reference rows: %v", err)
			return
		}
		if test == "updates" {
			// The database must hold what the response says, for the last
			// occurrence of each id.
			last := map[int]int{}
			for _, w := range ws {
				if !v.checkWorld(test, p, w, nil) {
					break
				}
				last[*w.ID] = *w.RandomNumber
			}
			for id, n := range last {
				if ref[id] != n {
					v.failf(test, "GET %s: world %d answered randomNumber %d, the database holds %d", p, id, n, ref[id])
					break
				}
			}
			continue
		}
		for _, w := range ws {
			if !v.checkWorld(test, p, w, ref) {
				break
			}
		}
	}
}

var rowRE = regexp.MustCompile(`<tr><td>([^<]*)</td><td>([^<]*)</td></tr>`)

// fortunes checks path (/fortunes or /sqlite/fortunes): the table's rows
// plus the added one, sorted by message, escaped, in the standard markup.
func (v *verifier) fortunes(ctx context.Context, test, path string, lite bool) {
	before := v.counts()
	body := v.get(test, path, "text/html")
	if body == nil {
		return
	}
	v.statements(test, path, v.counts().sub(before), 0, pgStatements(lite), 0, 0)
	rows, err := v.db.fortuneRows(ctx, lite)
	if err != nil {
		v.failf(test, "reading the reference rows: %v", err)
		return
	}
	type fortune struct {
		id      int
		message string
	}
	var want []fortune
	for id, m := range rows {
		want = append(want, fortune{id, m})
	}
	want = append(want, fortune{0, "Additional fortune added at request time."})
	slices.SortFunc(want, func(a, b fortune) int { return cmp.Compare(a.message, b.message) })

	// White space between elements is free; inside a cell it is not.
	page := regexp.MustCompile(`>\s+<`).ReplaceAllString(strings.TrimSpace(string(body)), "><")
	if !strings.HasPrefix(strings.ToLower(page), "<!doctype html><html><head><title>fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>") ||
		!strings.HasSuffix(strings.ToLower(page), "</table></body></html>") {
		v.failf(test, "GET %s: not the standard page markup: %.300s", path, page)
		return
	}
	got := rowRE.FindAllStringSubmatch(page, -1)
	if len(got) != len(want) {
		v.failf(test, "GET %s: %d rows, want %d", path, len(got), len(want))
		return
	}
	for i, g := range got {
		id, err := strconv.Atoi(g[1])
		msg := html.UnescapeString(g[2])
		if err != nil || id != want[i].id || msg != want[i].message {
			v.failf(test, "GET %s: row %d is (%s, %q), want (%d, %q)", path, i+1, g[1], msg, want[i].id, want[i].message)
			return
		}
		if strings.ContainsAny(g[2], `<>`) || !escapedEnough(g[2]) {
			v.failf(test, "GET %s: row %d is not escaped: %q", path, i+1, g[2])
			return
		}
	}
}

// escapedEnough reports whether every & in a cell starts a character
// reference (quotes may be escaped with any of the usual references).
func escapedEnough(cell string) bool {
	for i := strings.IndexByte(cell, '&'); i >= 0; {
		j := strings.IndexByte(cell[i:], ';')
		if j < 0 || html.UnescapeString(cell[i:i+j+1]) == cell[i:i+j+1] {
			return false
		}
		next := strings.IndexByte(cell[i+1:], '&')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return true
}

// verify runs every check for the tests c implements and returns the
// failures.
func verify(ctx context.Context, db *database, proxy *countingProxy, p *process) []string {
	// Like wrk, the client asks for no compression.
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	v := &verifier{db: db, proxy: proxy, base: p.base, client: client, verbose: os.Getenv("BENCH_VERBOSE") == "1"}
	for _, test := range testOrder {
		if !p.c.has(test.name) {
			continue
		}
		switch test.name {
		case "plaintext":
			v.plaintext()
		case "json":
			v.jsonMessage()
		case "db":
			v.oneWorld(ctx, "db", "/db", false)
		case "queries":
			v.worlds(ctx, "queries", "/queries", "queries")
		case "fortunes":
			v.fortunes(ctx, "fortunes", "/fortunes", false)
		case "cached-queries":
			v.worlds(ctx, "cached-queries", "/cached-queries", "count")
		case "updates":
			v.worlds(ctx, "updates", "/updates", "queries")
		case "sqlite-db":
			v.oneWorld(ctx, "sqlite-db", "/sqlite/db", true)
		case "sqlite-fortunes":
			v.fortunes(ctx, "sqlite-fortunes", "/sqlite/fortunes", true)
		}
	}
	return v.fails
}
