package sqlite_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/sqlite"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url     string
		path    string
		busy    int
		wantErr string // substring of the error; "" for success
	}{
		{url: "sqlite:///data/app.db", path: "data/app.db", busy: 5000},
		{url: "sqlite:///app.db", path: "app.db", busy: 5000},
		{url: "sqlite:////var/lib/app.db", path: "/var/lib/app.db", busy: 5000},
		{url: "sqlite:///:memory:", path: ":memory:", busy: 5000},
		{url: "SQLite:///app.db", path: "app.db", busy: 5000},
		{url: "sqlite:///my%20data/app.db", path: "my data/app.db", busy: 5000},
		{url: "sqlite:///file:app.db", path: "./file:app.db", busy: 5000},
		{url: "sqlite:///app.db?busy_timeout=250", path: "app.db", busy: 250},
		{url: "sqlite:///app.db?busy_timeout=0", path: "app.db", busy: 0},

		{url: "sqlite://", wantErr: "no file name"},
		{url: "sqlite:///", wantErr: "no file name"},
		{url: "sqlite:///data/", wantErr: "no file name"},
		{url: "sqlite:app.db", wantErr: "no path after"},
		{url: "sqlite://host/app.db", wantErr: `host "host" is not allowed`},
		{url: "sqlite://user:secret@/app.db", wantErr: "user information"},
		{url: "sqlite:///app.db#x", wantErr: "fragment"},
		{url: "sqlite:///app%3F.db", wantErr: "may not contain ?"},
		{url: "sqlite:///app.db?busy_timeout=soon", wantErr: `busy_timeout="soon"`},
		{url: "sqlite:///app.db?busy_timeout=-1", wantErr: `busy_timeout="-1"`},
		{url: "sqlite:///app.db?journal_mode=delete", wantErr: `unknown parameter "journal_mode"`},
		{url: "postgres:///app.db", wantErr: `scheme is "postgres"`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			path, busy, err := sqlite.ParseURL(tt.url)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %q, want error containing %q", tt.url, path, tt.wantErr)
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.wantErr) || !strings.HasPrefix(msg, "sqlite: database URL ") {
					t.Errorf("error %q: want the URL named and %q", msg, tt.wantErr)
				}
				if strings.Contains(msg, "secret") {
					t.Errorf("error %q shows the password", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.url, err)
			}
			if path != tt.path || busy != tt.busy {
				t.Errorf("ParseURL(%q) = %q, %d; want %q, %d", tt.url, path, busy, tt.path, tt.busy)
			}
		})
	}
}

func TestOpenBadURLNamesIt(t *testing.T) {
	u, _ := url.Parse("sqlite://example.com/app.db")
	_, _, err := sqlite.Open(context.Background(), u, orm.OpenOptions{})
	if err == nil || !strings.Contains(err.Error(), `"sqlite://example.com/app.db"`) {
		t.Fatalf("Open: err = %v, want one naming the URL", err)
	}
}

func TestOpenRelativePathCreatesParent(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db, _ := open(t, "sqlite:///data/sub/app.db", orm.OpenOptions{})
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	if _, err := os.Stat(filepath.Join(dir, "data", "sub", "app.db")); err != nil {
		t.Fatalf("database file not at data/sub/app.db under the working directory: %v", err)
	}
}

func TestOpenAbsolutePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abs", "app.db")
	if !filepath.IsAbs(path) {
		t.Fatalf("TempDir %q is not absolute", path)
	}
	db, _ := open(t, "sqlite:///"+path, orm.OpenOptions{})
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at %s: %v", path, err)
	}
}

func TestOpenUnwritableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	raw := "sqlite:///" + filepath.Join(file, "app.db") // parent is a file
	u, _ := url.Parse(raw)
	db, _, err := sqlite.Open(context.Background(), u, orm.OpenOptions{})
	if err == nil {
		db.Close()
		t.Fatal("Open under a regular file succeeded")
	}
	if !strings.Contains(err.Error(), raw) {
		t.Errorf("error %q does not name the URL", err)
	}
}

// TestPragmas checks the settings of writer and reader connections.
func TestPragmas(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		pragma string
		writer int64 // via QueryWrite
		reader int64 // via Query
	}{
		{"foreign keys", "", "foreign_keys", 1, 1},
		{"busy timeout", "", "busy_timeout", 5000, 5000},
		{"busy timeout from URL", "?busy_timeout=1234", "busy_timeout", 1234, 1234},
		{"synchronous NORMAL", "", "synchronous", 1, 1},
		{"query only", "", "query_only", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := open(t, fileURL(t)+tt.url, orm.OpenOptions{})
			if got := queryWriteInt(t, db, "PRAGMA "+tt.pragma); got != tt.writer {
				t.Errorf("writer: PRAGMA %s = %d, want %d", tt.pragma, got, tt.writer)
			}
			if got := queryInt(t, db, "PRAGMA "+tt.pragma); got != tt.reader {
				t.Errorf("reader: PRAGMA %s = %d, want %d", tt.pragma, got, tt.reader)
			}
		})
	}
	t.Run("journal mode", func(t *testing.T) {
		db, _ := openFile(t)
		for name, q := range map[string]func(context.Context, string, ...any) (orm.Rows, error){"writer": db.QueryWrite, "reader": db.Query} {
			rows, err := q(context.Background(), "PRAGMA journal_mode")
			if err != nil {
				t.Fatal(err)
			}
			var mode string
			if !rows.Next() || rows.Scan(&mode) != nil || mode != "wal" {
				t.Errorf("%s: journal_mode = %q, want wal", name, mode)
			}
			rows.Close()
		}
	})
}

func queryWriteInt(tb testing.TB, c orm.Conn, query string) int64 {
	tb.Helper()
	rows, err := c.QueryWrite(context.Background(), query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		tb.Fatalf("%s: no row", query)
	}
	if err := rows.Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestMemory(t *testing.T) {
	a, _ := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	b, _ := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	ctx := context.Background()
	mustExec(t, a, "CREATE TABLE t (x INTEGER)")
	mustExec(t, a, "INSERT INTO t VALUES (1), (2)")
	if n := queryInt(t, a, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("Query after Exec: %d rows, want 2 (readers must see the writer's database)", n)
	}
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO t VALUES (3)")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, a, "SELECT count(*) FROM t"); n != 3 {
		t.Errorf("after a transaction: %d rows, want 3", n)
	}
	if err := a.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if _, err := b.Query(ctx, "SELECT * FROM t"); err == nil {
		t.Error("a second :memory: database sees the first one's table")
	}
	if n := queryInt(t, a, "PRAGMA foreign_keys"); n != 1 {
		t.Errorf("foreign_keys = %d in memory, want 1", n)
	}
}

func TestPingAndClose(t *testing.T) {
	u, _ := url.Parse(fileURL(t))
	db, _, err := sqlite.Open(context.Background(), u, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Ping(context.Background()); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if _, err := db.Exec(context.Background(), "SELECT 1"); err == nil {
		t.Error("Exec after Close succeeded")
	}
}
