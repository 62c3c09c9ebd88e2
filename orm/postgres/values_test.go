package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/postgres"
)

// execModes are the pgx query modes the value tests run under: the default
// (prepared, cached, binary) and the simple protocol, where pgx picks
// parameter types from Go types and results arrive as text.
var execModes = []string{"cache_statement", "simple_protocol"}

// valueCase is one value written to a column of its kind and read back.
type valueCase struct {
	name    string
	field   orm.Field
	in      any
	want    any
	newDest func() any // a pointer to scan into
}

func value[T any](name string, kind orm.Kind, in, want T) valueCase {
	typ := reflect.TypeFor[T]()
	return valueCase{
		name:    name,
		field:   orm.Field{Name: name, Kind: kind, Type: typ, Null: typ.Kind() == reflect.Pointer},
		in:      in,
		want:    want,
		newDest: func() any { return new(T) },
	}
}

// same is value with want = in.
func same[T any](name string, kind orm.Kind, v T) valueCase { return value(name, kind, v, v) }

func (c valueCase) max(n int) valueCase {
	c.field.MaxLength = n
	return c
}

func ptr[T any](v T) *T { return &v }

func valueCases() []valueCase {
	big := make([]byte, 4<<20)
	rand.Read(big)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	ny, _ := time.LoadLocation("America/New_York")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if ny == nil || tokyo == nil {
		ny, tokyo = time.FixedZone("EST", -5*3600), time.FixedZone("JST", 9*3600)
	}
	return []valueCase{
		same("bool true", orm.KindBool, true),
		same("bool zero", orm.KindBool, false),
		same("*bool nil", orm.KindBool, (*bool)(nil)),
		same("*bool", orm.KindBool, ptr(true)),

		same("int64 zero", orm.KindInt, int64(0)),
		same("int64 max", orm.KindInt, int64(math.MaxInt64)),
		same("int64 min", orm.KindInt, int64(math.MinInt64)),
		same("int", orm.KindInt, -42),
		same("int32 max", orm.KindInt, int32(math.MaxInt32)),
		same("int32 min", orm.KindInt, int32(math.MinInt32)),
		same("int16", orm.KindInt, int16(-32768)),
		same("int8", orm.KindInt, int8(-128)),
		same("uint8", orm.KindInt, uint8(255)),
		same("uint16", orm.KindInt, uint16(65535)),
		same("uint32 max", orm.KindInt, uint32(math.MaxUint32)),
		same("*int64 nil", orm.KindInt, (*int64)(nil)),
		same("*int64", orm.KindInt, ptr(int64(7))),
		same("*int32 nil", orm.KindInt, (*int32)(nil)),

		same("float64 zero", orm.KindFloat, 0.0),
		same("float64", orm.KindFloat, math.Pi),
		same("float64 max", orm.KindFloat, math.MaxFloat64),
		same("float64 tiny", orm.KindFloat, math.SmallestNonzeroFloat64),
		same("float64 -inf", orm.KindFloat, math.Inf(-1)),
		same("float32", orm.KindFloat, float32(1.5)),
		same("float32 max", orm.KindFloat, float32(math.MaxFloat32)),
		same("*float64 nil", orm.KindFloat, (*float64)(nil)),
		same("*float32", orm.KindFloat, ptr(float32(-2.25))),

		same("string zero", orm.KindString, "").max(10),
		same("string", orm.KindString, "hello").max(10),
		same("string unicode at max length", orm.KindString, "日本語🎉é").max(5),
		same("*string nil", orm.KindString, (*string)(nil)).max(10),
		same("text zero", orm.KindText, ""),
		same("text unicode", orm.KindText, "héllo wörld — 日本語 🎉 \u200d 'quotes' \"double\" \\ back"),
		same("text long", orm.KindText, strings.Repeat("anode ", 100000)),
		same("*string", orm.KindText, ptr("ünïcödé")),

		value("bytes nil is empty", orm.KindBytes, []byte(nil), []byte{}),
		same("bytes empty", orm.KindBytes, []byte{}),
		same("bytes every value", orm.KindBytes, all),
		same("bytes 4 MiB", orm.KindBytes, big),
		same("*bytes nil", orm.KindBytes, (*[]byte)(nil)),
		same("*bytes", orm.KindBytes, ptr([]byte("\x00\xff"))),
		value("*bytes to nil slice is empty", orm.KindBytes, ptr([]byte(nil)), ptr([]byte{})),

		same("time zero", orm.KindTime, time.Time{}),
		same("time UTC", orm.KindTime, time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)),
		same("time New York", orm.KindTime, time.Date(2024, 3, 10, 1, 30, 0, 123456000, ny)),
		same("time Tokyo", orm.KindTime, time.Date(2000, 1, 1, 0, 0, 0, 0, tokyo)),
		same("time fixed +05:45", orm.KindTime, time.Date(1969, 12, 31, 23, 0, 0, 1000, time.FixedZone("", 5*3600+45*60))),
		same("time local", orm.KindTime, time.Date(2030, 6, 15, 12, 0, 0, 0, time.Local)),
		same("time far future", orm.KindTime, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)),
		same("*time nil", orm.KindTime, (*time.Time)(nil)),
		same("*time", orm.KindTime, ptr(time.Date(2024, 1, 2, 3, 4, 5, 6000, tokyo))),

		same("duration zero", orm.KindDuration, time.Duration(0)),
		same("duration", orm.KindDuration, 90*time.Minute+time.Nanosecond),
		same("duration negative", orm.KindDuration, -1500*time.Millisecond),
		same("duration max", orm.KindDuration, time.Duration(math.MaxInt64)),
		same("duration min", orm.KindDuration, time.Duration(math.MinInt64)),
		same("*duration nil", orm.KindDuration, (*time.Duration)(nil)),
		same("*duration", orm.KindDuration, ptr(3*time.Second)),
	}
}

func TestValuesRoundTrip(t *testing.T) {
	needPostgres(t)
	cases := valueCases()
	for _, mode := range execModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// A session time zone that is not UTC, so text results (simple
			// protocol) carry an offset that has to be undone.
			db := openTest(t, orm.OpenOptions{}, "default_query_exec_mode", mode, "timezone", "America/Los_Angeles")
			for i, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					typ, err := postgres.Dialect{}.ColumnType(&tc.field)
					if err != nil {
						t.Fatal(err)
					}
					if !tc.field.Null {
						typ += " NOT NULL"
					}
					table := fmt.Sprintf("v%d", i)
					db.exec(t, "CREATE TABLE "+table+" (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v "+typ+")")

					id := queryInt64(t, db, "INSERT INTO "+table+" (v) VALUES ($1) RETURNING id", tc.in)
					rows, err := db.Query(ctx, "SELECT v FROM "+table+" WHERE id = $1", id)
					if err != nil {
						t.Fatal(err)
					}
					defer rows.Close()
					if !rows.Next() {
						t.Fatalf("no row: %v", rows.Err())
					}
					dest := tc.newDest()
					if err := rows.Scan(dest); err != nil {
						t.Fatalf("scan into %T: %v", dest, err)
					}
					got := reflect.ValueOf(dest).Elem().Interface()
					if msg := differ(tc.want, got); msg != "" {
						t.Errorf("%s", msg)
					}
				})
			}
		})
	}
}

// differ describes how got differs from want, or returns "". Times must be
// the same instant and in UTC; byte slices must agree on nil-ness too.
func differ(want, got any) string {
	switch w := want.(type) {
	case time.Time:
		g := got.(time.Time)
		if !g.Equal(w) || g.Location() != time.UTC {
			return fmt.Sprintf("got %v (location %v), want %v in UTC", g, g.Location(), w.UTC())
		}
		return ""
	case *time.Time:
		g := got.(*time.Time)
		if (w == nil) != (g == nil) {
			return fmt.Sprintf("got %v, want %v", g, w)
		}
		if w == nil {
			return ""
		}
		return differ(*w, *g)
	case []byte:
		g := got.([]byte)
		if !bytes.Equal(g, w) || (g == nil) != (w == nil) {
			return fmt.Sprintf("got %d bytes (nil %t), want %d (nil %t)", len(g), g == nil, len(w), w == nil)
		}
		return ""
	case *[]byte:
		g := got.(*[]byte)
		if (w == nil) != (g == nil) {
			return fmt.Sprintf("got %v, want %v", g, w)
		}
		if w == nil {
			return ""
		}
		return differ(*w, *g)
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("got %#v, want %#v", deref(got), deref(want))
	}
	return ""
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

// TestDurationsAreNanoseconds checks the storage format, not only the round
// trip: other code (SQL, reports, another language) reads the column.
func TestDurationsAreNanoseconds(t *testing.T) {
	needPostgres(t)
	d := 1500 * time.Millisecond
	for _, mode := range execModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			db := openTest(t, orm.OpenOptions{}, "default_query_exec_mode", mode)
			db.exec(t, "CREATE TABLE d (v BIGINT)")
			tests := []struct {
				name  string
				query string
				args  []any
			}{
				{"insert", "INSERT INTO d (v) VALUES ($1) RETURNING v", []any{d}},
				{"insert pointer", "INSERT INTO d (v) VALUES ($1) RETURNING v", []any{&d}},
				{"cast", "SELECT $1::bigint", []any{d}},
				{"compare", "SELECT coalesce(min(v), 0) FROM d WHERE v = $1", []any{d}},
			}
			for _, tt := range tests {
				if got := queryInt64(t, db, tt.query, tt.args...); got != int64(d) {
					t.Errorf("%s: %s = %d, want %d", tt.name, tt.query, got, int64(d))
				}
			}
		})
	}
}

func TestScanNullIntoNonPointerFails(t *testing.T) {
	db := openTest(t, orm.OpenOptions{})
	for _, dest := range []any{new(int64), new(time.Duration), new(time.Time), new(string)} {
		rows, err := db.Query(context.Background(), "SELECT NULL::"+map[string]string{
			"*int64": "bigint", "*time.Duration": "bigint", "*time.Time": "timestamptz", "*string": "text",
		}[fmt.Sprintf("%T", dest)])
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		if err := rows.Scan(dest); err == nil {
			t.Errorf("scanning NULL into %T succeeded, want an error", dest)
		}
		rows.Close()
	}
}
