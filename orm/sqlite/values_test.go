package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

// kindsTable creates a table with one column of each Kind, typed by the
// dialect.
func kindsTable(t *testing.T, db orm.Database, d orm.Dialect) {
	t.Helper()
	cols := []struct {
		name string
		f    orm.Field
	}{
		{"b", orm.Field{Kind: orm.KindBool}},
		{"i", orm.Field{Kind: orm.KindInt}},
		{"f", orm.Field{Kind: orm.KindFloat}},
		{"s", orm.Field{Kind: orm.KindString, MaxLength: 20}},
		{"x", orm.Field{Kind: orm.KindText}},
		{"y", orm.Field{Kind: orm.KindBytes}},
		{"t", orm.Field{Kind: orm.KindTime}},
		{"d", orm.Field{Kind: orm.KindDuration}},
	}
	var defs []string
	for _, c := range cols {
		typ, err := d.ColumnType(&c.f)
		if err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d.QuoteIdent(c.name)+" "+typ)
	}
	mustExec(t, db, "CREATE TABLE kinds (id "+d.AutoPrimaryKey()+", "+strings.Join(defs, ", ")+")")
}

type kinds struct {
	B bool
	I int64
	F float64
	S string
	X string
	Y []byte
	T time.Time
	D time.Duration
}

func TestRoundTrip(t *testing.T) {
	big := make([]byte, 4<<20)
	rand.Read(big)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	tests := []struct {
		name string
		in   kinds
	}{
		{"zero values", kinds{Y: []byte{}}},
		{"typical", kinds{B: true, I: 42, F: 3.25, S: "hello", X: "a longer text", Y: []byte{0, 1, 2, 255},
			T: time.Date(2024, 3, 1, 12, 30, 45, 123456789, time.UTC), D: 90 * time.Minute}},
		{"extremes", kinds{I: math.MinInt64, F: -math.MaxFloat64, D: math.MinInt64,
			T: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
		{"max", kinds{I: math.MaxInt64, F: math.SmallestNonzeroFloat64, D: math.MaxInt64}},
		{"unicode", kinds{S: "héllo, 世界 🎉", X: "Ünïcödé\n\t\"quoted\" 'single' ; -- not a comment \x00 after NUL",
			T: time.Date(2024, 7, 14, 9, 0, 0, 1, paris)}},
		{"large blob", kinds{Y: big, X: strings.Repeat("x", 1<<20)}},
	}
	db, d := openFile(t)
	kindsTable(t, db, d)
	ctx := context.Background()
	const insert = "INSERT INTO kinds (b, i, f, s, x, y, t, d) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
	const sel = "SELECT b, i, f, s, x, y, t, d FROM kinds WHERE id = ?"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			for _, byPointer := range []bool{false, true} {
				args := []any{in.B, in.I, in.F, in.S, in.X, in.Y, in.T, in.D}
				if byPointer {
					args = []any{&in.B, &in.I, &in.F, &in.S, &in.X, in.Y, &in.T, &in.D}
				}
				id := insertID(t, db, insert, args...)

				var out kinds
				scanOne(t, db, sel, id, &out.B, &out.I, &out.F, &out.S, &out.X, &out.Y, &out.T, &out.D)
				checkKinds(t, "values", in, out)

				var pb *bool
				var pi *int64
				var pf *float64
				var ps, px *string
				var pt *time.Time
				var pd *time.Duration
				scanOne(t, db, sel, id, &pb, &pi, &pf, &ps, &px, &out.Y, &pt, &pd)
				if pb == nil || pi == nil || pf == nil || ps == nil || px == nil || pt == nil || pd == nil {
					t.Fatalf("a pointer scanned nil: %v %v %v %v %v %v %v", pb, pi, pf, ps, px, pt, pd)
				}
				checkKinds(t, "pointers", in, kinds{*pb, *pi, *pf, *ps, *px, out.Y, *pt, *pd})

				isNull := queryInt(t, db, "SELECT y IS NULL FROM kinds WHERE id = ?", id) == 1
				if isNull != (in.Y == nil) {
					t.Errorf("[]byte (nil: %t) stored as NULL: %t", in.Y == nil, isNull)
				}
			}
		})
	}

	t.Run("NULL pointers", func(t *testing.T) {
		var (
			b  *bool
			i  *int64
			f  *float64
			s  *string
			x  *string
			y  []byte
			tm *time.Time
			du *time.Duration
		)
		id := insertID(t, db, insert, b, i, f, s, x, y, tm, du)
		if n := queryInt(t, db, "SELECT count(*) FROM kinds WHERE id = ? AND b IS NULL AND i IS NULL AND f IS NULL AND s IS NULL AND x IS NULL AND y IS NULL AND t IS NULL AND d IS NULL", id); n != 1 {
			t.Fatal("nil pointers were not stored as NULL")
		}
		// Scanning NULL sets pointers, including **time.Time, to nil.
		b, i, f, s, x, tm, du = new(true), new(int64(1)), new(1.5), new("s"), new("x"), new(time.Now()), new(time.Second)
		y = []byte("y")
		scanOne(t, db, sel, id, &b, &i, &f, &s, &x, &y, &tm, &du)
		if b != nil || i != nil || f != nil || s != nil || x != nil || y != nil || tm != nil || du != nil {
			t.Errorf("NULL scanned as non-nil: %v %v %v %v %v %v %v %v", b, i, f, s, x, y, tm, du)
		}
		// A NULL time into a *time.Time is an error, not a silent zero.
		var zero time.Time
		rows, err := db.Query(ctx, "SELECT t FROM kinds WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		if err := rows.Scan(&zero); err == nil {
			t.Error("scanning NULL into *time.Time succeeded")
		}
	})
}

func checkKinds(t *testing.T, how string, in, out kinds) {
	t.Helper()
	if in.B != out.B || in.I != out.I || in.F != out.F || in.S != out.S || in.X != out.X || in.D != out.D {
		t.Errorf("%s: read %+v, wrote %+v", how, short(out), short(in))
	}
	if !bytes.Equal(in.Y, out.Y) {
		t.Errorf("%s: blob of %d bytes read back as %d different bytes", how, len(in.Y), len(out.Y))
	}
	if !out.T.Equal(in.T) || out.T.Location() != time.UTC {
		t.Errorf("%s: time %v read back as %v, want the same instant in UTC", how, in.T, out.T)
	}
}

// short keeps large values out of failure messages.
func short(k kinds) kinds {
	if len(k.X) > 50 {
		k.X = k.X[:50] + "…"
	}
	if len(k.Y) > 50 {
		k.Y = k.Y[:50]
	}
	return k
}

func insertID(t *testing.T, db orm.Conn, query string, args ...any) int64 {
	t.Helper()
	rows, err := db.QueryWrite(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var id int64
	if !rows.Next() {
		t.Fatalf("%s: no id returned: %v", query, rows.Err())
	}
	if err := rows.Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func scanOne(t *testing.T, db orm.Conn, query string, id int64, dest ...any) {
	t.Helper()
	rows, err := db.Query(context.Background(), query, id)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row: %v", query, rows.Err())
	}
	if err := rows.Scan(dest...); err != nil {
		t.Fatalf("%s: Scan: %v", query, err)
	}
	if rows.Next() {
		t.Fatalf("%s: more than one row", query)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestTimeOrder(t *testing.T) {
	east := time.FixedZone("UTC+2", 2*3600)
	west := time.FixedZone("UTC-5", -5*3600)
	india := time.FixedZone("UTC+5:30", 5*3600+1800)
	// Shuffled; with variable-width fractions or local offsets the text
	// order would differ from the time order.
	times := []time.Time{
		time.Date(2024, 1, 1, 12, 0, 0, 500_000_000, time.UTC),
		time.Date(2024, 1, 1, 12, 0, 0, 50_000_000, time.UTC),
		time.Date(2024, 1, 1, 13, 30, 0, 100_000_000, east), // 11:30:00.1 UTC
		time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 7, 0, 0, 999_999_999, west), // 12:00:00.999999999 UTC
		time.Date(2023, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2024, 1, 1, 12, 0, 0, 1, time.UTC),
		time.Date(2024, 1, 1, 17, 30, 0, 5_000_000, india), // 12:00:00.005 UTC
		time.Date(1999, 12, 31, 23, 0, 0, 0, west),         // 2000-01-01 04:00 UTC
	}
	db, d := openFile(t)
	kindsTable(t, db, d)
	for _, tm := range times {
		mustExec(t, db, "INSERT INTO kinds (t) VALUES (?)", tm)
	}

	want := slices.Clone(times)
	slices.SortFunc(want, func(a, b time.Time) int { return a.Compare(b) })
	got := readTimes(t, db, "SELECT t FROM kinds ORDER BY t")
	if !sameInstants(got, want) {
		t.Errorf("ORDER BY t:\n got %v\nwant %v", got, want)
	}
	got = readTimes(t, db, "SELECT t FROM kinds ORDER BY t DESC")
	if slices.Reverse(want); !sameInstants(got, want) {
		t.Errorf("ORDER BY t DESC:\n got %v\nwant %v", got, want)
	}

	// Comparisons with a bound time in another zone.
	cuts := []time.Time{
		time.Date(2024, 1, 1, 17, 30, 0, 5_000_000, india), // equal to one stored value
		time.Date(2024, 1, 1, 7, 0, 0, 500_000_000, west),  // 12:00:00.5 UTC
		time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2000, 1, 1, 4, 0, 0, 1, time.UTC),
	}
	for _, cut := range cuts {
		var before, atOrAfter int64
		for _, tm := range times {
			if tm.Before(cut) {
				before++
			} else {
				atOrAfter++
			}
		}
		if n := queryInt(t, db, "SELECT count(*) FROM kinds WHERE t < ?", cut); n != before {
			t.Errorf("t < %v: %d rows, want %d", cut, n, before)
		}
		if n := queryInt(t, db, "SELECT count(*) FROM kinds WHERE t >= ?", &cut); n != atOrAfter {
			t.Errorf("t >= %v: %d rows, want %d", cut, n, atOrAfter)
		}
	}

	// Expressions lose the DATETIME type; Scan still reads a time.
	var latest time.Time
	var earliest *time.Time
	rows, err := db.Query(t.Context(), "SELECT max(t), min(t) FROM kinds")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if err := rows.Scan(&latest, &earliest); err != nil {
		t.Fatalf("Scan(max(t), min(t)): %v", err)
	}
	if !latest.Equal(want[0]) || latest.Location() != time.UTC || earliest == nil || !earliest.Equal(want[len(want)-1]) {
		t.Errorf("max, min = %v, %v; want %v, %v", latest, earliest, want[0], want[len(want)-1])
	}
}

func readTimes(t *testing.T, db orm.Conn, query string) []time.Time {
	t.Helper()
	rows, err := db.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var tm time.Time
		if err := rows.Scan(&tm); err != nil {
			t.Fatal(err)
		}
		out = append(out, tm)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameInstants(a, b []time.Time) bool {
	return slices.EqualFunc(a, b, func(x, y time.Time) bool { return x.Equal(y) && x.Location() == time.UTC })
}

func TestTimeOutOfRange(t *testing.T) {
	db, d := openFile(t)
	kindsTable(t, db, d)
	for _, tm := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		_, err := db.Exec(t.Context(), "INSERT INTO kinds (i, t) VALUES (?, ?)", 1, tm)
		if err == nil || !strings.Contains(err.Error(), "argument 2") {
			t.Errorf("inserting %v: err = %v, want one naming argument 2", tm, err)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM kinds"); n != 0 {
		t.Errorf("%d rows written", n)
	}
}

func TestArgsNotModified(t *testing.T) {
	db, d := openFile(t)
	kindsTable(t, db, d)
	tm := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	args := []any{tm, time.Second}
	mustExec(t, db, "INSERT INTO kinds (t, d) VALUES (?, ?)", args...)
	if args[0] != any(tm) || args[1] != any(time.Second) {
		t.Errorf("caller's args changed to %v", args)
	}
}
