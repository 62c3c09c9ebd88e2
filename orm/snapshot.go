package orm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// SchemaSnapshot is the live schema of a database, as an Introspector
// reads it: a plain value to compare, so that a test can check that a
// database migrated step by step has the schema of one created fresh from
// the final models (Diff). Its zero value is an empty schema.
//
// Texts (column types, defaults, index terms and predicates, check
// expressions) are normalized by the dialect: PostgreSQL's as the server
// deparses them, SQLite's from the DDL as written, with keywords and
// unquoted identifiers in lower case, simple identifiers unquoted and
// spacing made canonical. They compare between two databases of the same
// dialect, not across dialects.
type SchemaSnapshot struct {
	Tables []TableSnapshot // sorted by name
}

// TableSnapshot is one table of a SchemaSnapshot. Constraint and index
// lists are sorted by name (unnamed ones, which only SQLite has, by their
// columns or expression, after the named ones).
type TableSnapshot struct {
	Name        string
	Columns     []ColumnSnapshot // in table order
	PrimaryKey  []string         // columns, in key order; empty without a primary key
	Uniques     []UniqueSnapshot
	Checks      []CheckSnapshot
	ForeignKeys []ForeignKeySnapshot
	// Indexes holds the indexes created by CREATE INDEX, not those that
	// back a primary key or unique constraint (those are PrimaryKey and
	// Uniques).
	Indexes []IndexSnapshot
}

// ColumnSnapshot is a column: its type as the dialect reports it, in lower
// case ("bigint", "character varying(100)" on PostgreSQL; "varchar(100)",
// "integer" on SQLite), whether it is NOT NULL, its default expression
// ("" for none) and whether it is a generated key (a PostgreSQL identity
// column, an SQLite AUTOINCREMENT key).
type ColumnSnapshot struct {
	Name     string
	Type     string
	NotNull  bool
	Default  string
	Identity bool
}

// UniqueSnapshot is a UNIQUE constraint. Name is "" for an unnamed one
// (SQLite).
type UniqueSnapshot struct {
	Name    string
	Columns []string
}

// CheckSnapshot is a CHECK constraint and its condition. Name is "" for an
// unnamed one (SQLite).
type CheckSnapshot struct {
	Name string
	Expr string
}

// ForeignKeySnapshot is a FOREIGN KEY constraint. Name is "" where the
// database keeps none (an SQLite column-level REFERENCES clause). OnDelete
// is the action in upper case: "CASCADE", "RESTRICT", "NO ACTION",
// "SET NULL" or "SET DEFAULT".
type ForeignKeySnapshot struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string
}

// IndexSnapshot is an index. Terms are its key columns, or for an
// expression term the expression's text ("lower((email)::text)" on
// PostgreSQL, "lower(email)" on SQLite); Where is a partial index's
// predicate, "" for a full index.
type IndexSnapshot struct {
	Name   string
	Terms  []string
	Unique bool
	Where  string
}

// Table returns the table named name, or nil.
func (s *SchemaSnapshot) Table(name string) *TableSnapshot {
	i, ok := slices.BinarySearchFunc(s.Tables, name, func(t TableSnapshot, name string) int { return cmp.Compare(t.Name, name) })
	if !ok {
		return nil
	}
	return &s.Tables[i]
}

// Without returns a copy of s without the named tables (the migration
// history table, anode_migrations, when comparing a migrated database with
// a fresh one). The tables kept are shared with s, not copied.
func (s *SchemaSnapshot) Without(tables ...string) *SchemaSnapshot {
	out := &SchemaSnapshot{}
	for _, t := range s.Tables {
		if !slices.Contains(tables, t.Name) {
			out.Tables = append(out.Tables, t)
		}
	}
	return out
}

// Column returns the column named name, or nil.
func (t *TableSnapshot) Column(name string) *ColumnSnapshot {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Sort puts the tables, constraints and indexes of s in the documented
// order (columns and key columns stay as they are). Introspectors call it
// before returning a snapshot.
func (s *SchemaSnapshot) Sort() {
	slices.SortFunc(s.Tables, func(a, b TableSnapshot) int { return cmp.Compare(a.Name, b.Name) })
	for i := range s.Tables {
		t := &s.Tables[i]
		slices.SortFunc(t.Uniques, func(a, b UniqueSnapshot) int { return compareKeys(a.key(), b.key()) })
		slices.SortFunc(t.Checks, func(a, b CheckSnapshot) int { return compareKeys(a.key(), b.key()) })
		slices.SortFunc(t.ForeignKeys, func(a, b ForeignKeySnapshot) int { return compareKeys(a.key(), b.key()) })
		slices.SortFunc(t.Indexes, func(a, b IndexSnapshot) int { return compareKeys(a.key(), b.key()) })
	}
}

// compareKeys orders named entries (keys without a leading "(") before
// unnamed ones, each by text.
func compareKeys(a, b string) int {
	ua, ub := strings.HasPrefix(a, "("), strings.HasPrefix(b, "(")
	if ua != ub {
		if ua {
			return 1
		}
		return -1
	}
	return cmp.Compare(a, b)
}

// The keys by which Diff pairs entries: the name, or for an unnamed entry
// its columns or expression in parentheses.
func (u UniqueSnapshot) key() string     { return nameOr(u.Name, strings.Join(u.Columns, ", ")) }
func (c CheckSnapshot) key() string      { return nameOr(c.Name, c.Expr) }
func (f ForeignKeySnapshot) key() string { return nameOr(f.Name, strings.Join(f.Columns, ", ")) }
func (x IndexSnapshot) key() string      { return nameOr(x.Name, strings.Join(x.Terms, ", ")) }

func nameOr(name, what string) string {
	if name != "" {
		return name
	}
	return "(" + what + ")"
}

// Diff lists the differences between s and want, one line each, in the
// form "table polls_choice: column votes: type bigint, want integer";
// it returns nil when they are equal. Columns are paired by name and their
// order is not compared (a migration's AddField appends a column that a
// fresh table has in model order); constraints and indexes are paired by
// name, or by columns or expression when unnamed.
func (s *SchemaSnapshot) Diff(want *SchemaSnapshot) []string {
	var out []string
	diffKeyed(s.Tables, want.Tables, func(t TableSnapshot) string { return t.Name },
		func(name, msg string) { out = append(out, "table "+name+": "+msg) },
		func(got, want TableSnapshot) { out = append(out, got.diff(&want)...) })
	return out
}

func (t *TableSnapshot) diff(want *TableSnapshot) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, "table "+t.Name+": "+fmt.Sprintf(format, args...))
	}
	diffKeyed(t.Columns, want.Columns, func(c ColumnSnapshot) string { return c.Name },
		func(name, msg string) { add("column %s: %s", name, msg) },
		func(got, want ColumnSnapshot) {
			if got.Type != want.Type {
				add("column %s: type %s, want %s", got.Name, got.Type, want.Type)
			}
			if got.NotNull != want.NotNull {
				add("column %s: %s, want %s", got.Name, nullability(got.NotNull), nullability(want.NotNull))
			}
			if got.Default != want.Default {
				add("column %s: default %s, want %s", got.Name, orNone(got.Default), orNone(want.Default))
			}
			if got.Identity != want.Identity {
				add("column %s: identity %t, want %t", got.Name, got.Identity, want.Identity)
			}
		})
	if !slices.Equal(t.PrimaryKey, want.PrimaryKey) {
		add("primary key %s, want %s", list(t.PrimaryKey), list(want.PrimaryKey))
	}
	diffKeyed(t.Uniques, want.Uniques, UniqueSnapshot.key,
		func(key, msg string) { add("unique %s: %s", key, msg) },
		func(got, want UniqueSnapshot) {
			if !slices.Equal(got.Columns, want.Columns) {
				add("unique %s: columns %s, want %s", got.key(), list(got.Columns), list(want.Columns))
			}
		})
	diffKeyed(t.Checks, want.Checks, CheckSnapshot.key,
		func(key, msg string) { add("check %s: %s", key, msg) },
		func(got, want CheckSnapshot) {
			if got.Expr != want.Expr {
				add("check %s: %s, want %s", got.key(), got.Expr, want.Expr)
			}
		})
	diffKeyed(t.ForeignKeys, want.ForeignKeys, ForeignKeySnapshot.key,
		func(key, msg string) { add("foreign key %s: %s", key, msg) },
		func(got, want ForeignKeySnapshot) {
			if !slices.Equal(got.Columns, want.Columns) {
				add("foreign key %s: columns %s, want %s", got.key(), list(got.Columns), list(want.Columns))
			}
			if got.RefTable != want.RefTable || !slices.Equal(got.RefColumns, want.RefColumns) {
				add("foreign key %s: references %s %s, want %s %s", got.key(), got.RefTable, list(got.RefColumns), want.RefTable, list(want.RefColumns))
			}
			if got.OnDelete != want.OnDelete {
				add("foreign key %s: on delete %s, want %s", got.key(), got.OnDelete, want.OnDelete)
			}
		})
	diffKeyed(t.Indexes, want.Indexes, IndexSnapshot.key,
		func(key, msg string) { add("index %s: %s", key, msg) },
		func(got, want IndexSnapshot) {
			if !slices.Equal(got.Terms, want.Terms) {
				add("index %s: terms %s, want %s", got.key(), list(got.Terms), list(want.Terms))
			}
			if got.Unique != want.Unique {
				add("index %s: unique %t, want %t", got.key(), got.Unique, want.Unique)
			}
			if got.Where != want.Where {
				add("index %s: where %s, want %s", got.key(), orNone(got.Where), orNone(want.Where))
			}
		})
	return out
}

// diffKeyed pairs got and want by key, in want's order then got's extras:
// missing and unexpected entries go to report, pairs to same.
func diffKeyed[E any](got, want []E, key func(E) string, report func(key, msg string), same func(got, want E)) {
	byKey := make(map[string]int, len(got))
	for i, g := range got {
		byKey[key(g)] = i
	}
	seen := make(map[string]bool, len(want))
	for _, w := range want {
		k := key(w)
		seen[k] = true
		i, ok := byKey[k]
		if !ok {
			report(k, "missing")
			continue
		}
		same(got[i], w)
	}
	for _, g := range got {
		if k := key(g); !seen[k] {
			report(k, "not expected")
		}
	}
}

func nullability(notNull bool) string {
	if notNull {
		return "NOT NULL"
	}
	return "nullable"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func list(s []string) string { return "(" + strings.Join(s, ", ") + ")" }
