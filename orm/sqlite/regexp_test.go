package sqlite_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/anode-go/anode/orm"
)

// TestRegexpFunction checks SQLite's REGEXP as the driver registers it:
// matches, NULL in NULL out, an invalid pattern as an *orm.PatternError,
// and more distinct patterns than the cache holds.
func TestRegexpFunction(t *testing.T) {
	db, d := openFile(t)
	ctx := context.Background()
	match := func(text, pattern any) (any, error) {
		rows, err := db.Query(ctx, "SELECT ? REGEXP ?", text, pattern)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var v any
		if rows.Next() {
			err = rows.Scan(&v)
		}
		if err == nil {
			err = rows.Err()
		}
		return v, err
	}
	for _, tt := range []struct {
		text, pattern any
		want          any
	}{
		{"gopher", "^go", int64(1)},
		{"Gopher", "^go", int64(0)},
		{"Gopher", "(?i)^go", int64(1)},
		{"a.b", `a\.b`, int64(1)},
		{"axb", `a\.b`, int64(0)},
		{nil, "x", nil},
		{"x", nil, nil},
	} {
		got, err := match(tt.text, tt.pattern)
		if err != nil || got != tt.want {
			t.Errorf("%v REGEXP %v = %v, %v; want %v", tt.text, tt.pattern, got, err, tt.want)
		}
	}
	if _, err := match("x", "(unclosed"); err == nil {
		t.Error("an invalid pattern must fail")
	}
	for i := range 600 { // beyond the cache's 256 patterns: it resets, results stay right
		p := "^n" + strconv.Itoa(i) + "$"
		if got, err := match("n"+strconv.Itoa(i), p); err != nil || got != int64(1) {
			t.Fatalf("pattern %d: %v, %v", i, got, err)
		}
	}

	rd, ok := d.(orm.RegexDialect)
	if !ok {
		t.Fatal("the SQLite dialect must implement orm.RegexDialect")
	}
	sql, arg, err := rd.Regex(`"name"`, "?", "^a", true)
	if err != nil || sql != `"name" REGEXP ?` || arg != "(?i)^a" {
		t.Fatalf("Regex = %q, %v, %v", sql, arg, err)
	}
	var pe *orm.PatternError
	if _, _, err := rd.Regex(`"name"`, "?", "[", false); !errors.As(err, &pe) || pe.Pattern != "[" {
		t.Fatalf("invalid pattern: %v", err)
	}
}
