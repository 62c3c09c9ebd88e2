package sqlite

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`NUMERIC(10, 2)`, `numeric(10,2)`},
		{`DOUBLE   PRECISION`, `double precision`},
		{`("Balance" >= 0)`, `("Balance" >= 0)`},
		{`( "balance">=0 )`, `(balance >= 0)`},
		{`[a b] = 'It''s, (x)' -- trailing comment`, `"a b" = 'It''s, (x)'`},
		{"`code` LIKE 'x\\_%' ESCAPE '\\'", `code like 'x\_%' escape '\'`},
		{`lower( "email" )`, `lower(email)`},
		{`NOT ("deleted") AND x IN (1,2)`, `not (deleted) and x in (1,2)`},
		{`-1`, `-1`},
		{`1.5e-3`, `1.5e-3`},
		{`X'0aFF'`, `x'0aFF'`},
		{`"t"."c" || /* note */ 'a'`, `t.c || 'a'`},
		{`"we""ird"`, `"we""ird"`},
		{`a->>'$.k'`, `a ->> '$.k'`},
		{`'unterminated`, `'unterminated`},
	} {
		if got := normalize(tokenize(tt.in)); got != tt.want {
			t.Errorf("normalize(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseCreateTable(t *testing.T) {
	sql := `CREATE TABLE "odd, (table)" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	[a (b), c] VARCHAR(10) CONSTRAINT "a_uniq" UNIQUE CHECK (length([a (b), c]) > 0),
	` + "`e`" + ` TEXT DEFAULT ('x, (y)') REFERENCES "other" ("name") ON DELETE CASCADE, -- a comment, with (parens
	f INTEGER CONSTRAINT f_fk REFERENCES other,
	g INTEGER,
	CONSTRAINT "ch,k" CHECK (e NOT IN ('x,)', 'y(') AND (g > 0 OR g IS NULL)),
	CHECK (g < 10),
	UNIQUE (e, [a (b), c]),
	CONSTRAINT "pair" UNIQUE ("f", "g" COLLATE NOCASE),
	CONSTRAINT pk2 PRIMARY KEY (id),
	CONSTRAINT "g fk" FOREIGN KEY ("g") REFERENCES "other" ("id") ON DELETE SET NULL
)`
	got := parseCreateTable(sql)
	want := tableDDL{
		checks: []checkDDL{
			{"", `length("a (b), c") > 0`},
			{"ch,k", `e not in ('x,)','y(') and (g > 0 or g is null)`},
			{"", `g < 10`},
		},
		uniques: []namedColumns{
			{"a_uniq", []string{"a (b), c"}},
			{"", []string{"e", "a (b), c"}},
			{"pair", []string{"f", "g"}},
		},
		foreignKeys: []namedColumns{
			{"", []string{"e"}},
			{"f_fk", []string{"f"}},
			{"g fk", []string{"g"}},
		},
		autoIncrement: map[string]bool{"id": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseCreateTable:\n got %+v\nwant %+v", got, want)
	}
	if got := nameFor(want.uniques, []string{"F", "g"}); got != "pair" {
		t.Errorf("nameFor ignores case: %q", got)
	}
	if got := nameFor(want.uniques, []string{"f"}); got != "" {
		t.Errorf("nameFor of a prefix: %q", got)
	}
}

func TestParseCreateIndex(t *testing.T) {
	for _, tt := range []struct {
		sql   string
		terms []string
		where string
	}{
		{`CREATE INDEX "i" ON "t" ("a")`, []string{"a"}, ""},
		{`CREATE UNIQUE INDEX IF NOT EXISTS "i(x)" ON "t, u" (lower("email"), "b" DESC) WHERE "deleted" = false`,
			[]string{"lower(email)", "b desc"}, "deleted = false"},
		{`CREATE INDEX i ON t (a) WHERE (b GLOB 'x,)*' AND c IN (1, 2));`, []string{"a"}, "(b glob 'x,)*' and c in (1,2))"},
	} {
		terms, where := parseCreateIndex(tt.sql)
		if !reflect.DeepEqual(terms, tt.terms) || where != tt.where {
			t.Errorf("parseCreateIndex(%s) = %q, %q; want %q, %q", tt.sql, terms, where, tt.terms, tt.where)
		}
	}
}

// FuzzParseDDL checks that no DDL text, however malformed, makes the
// parsers panic, and that normalizing is idempotent.
func FuzzParseDDL(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE t (a INTEGER PRIMARY KEY, CONSTRAINT c CHECK (a > 0))`,
		`CREATE INDEX i ON t (lower(a)) WHERE b = 'x'`,
		`CREATE TABLE "t" ("a" TEXT REFERENCES u, FOREIGN KEY (`,
		`((((`, `))))`, `'`, `"`, "`", `[`, `/*`, `--`, `x'`, `0x`, `1e+`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		parseCreateTable(sql)
		parseCreateIndex(sql)
		once := normalize(tokenize(sql))
		if twice := normalize(tokenize(once)); twice != once {
			t.Errorf("normalize is not idempotent: %q → %q → %q", sql, once, twice)
		}
	})
}
