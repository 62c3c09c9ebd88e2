package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

// logLine is one decoded line of the query log.
type logLine struct {
	Level    string `json:"level"`
	Msg      string `json:"msg"`
	SQL      string `json:"sql"`
	Args     *int   `json:"args"`
	Rows     *int64 `json:"rows"`
	Duration *int64 `json:"duration"`
	Error    string `json:"error"`
}

func TestQueryLog(t *testing.T) {
	needPostgres(t)
	const secret = "hunter2" // in every argument value below, never in the log
	ctx := context.Background()
	insert := "INSERT INTO l (v, note) VALUES ($1, $2)"
	exec := func(sql string, args ...any) func(orm.Database) error {
		return func(db orm.Database) error {
			_, err := db.Exec(ctx, sql, args...)
			return err
		}
	}
	query := func(sql string, read bool, args ...any) func(orm.Database) error {
		return func(db orm.Database) error {
			rows, err := db.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			for read && rows.Next() {
			}
			rows.Close()
			rows.Close() // logged once, however often closed
			return rows.Err()
		}
	}
	type want struct {
		level, msg, sql string
		args            int
		rows            int64
		err             string
	}
	tests := []struct {
		name  string
		level slog.Level
		slow  time.Duration
		run   func(orm.Database) error
		want  []want // nil: nothing logged
	}{
		{"exec", slog.LevelDebug, 0, exec(insert, 4, secret+"-new"),
			[]want{{"DEBUG", "query", insert, 2, 1, ""}}},
		{"update rows affected", slog.LevelDebug, 0, exec("UPDATE l SET v = v + $1", 1),
			[]want{{"DEBUG", "query", "UPDATE l SET v = v + $1", 1, 3, ""}}},
		{"query rows read", slog.LevelDebug, 0, query("SELECT v FROM l WHERE note <> $1", true, secret+"-none"),
			[]want{{"DEBUG", "query", "SELECT v FROM l WHERE note <> $1", 1, 3, ""}}},
		// Close reads what the server already sent; rows is the server's count.
		{"query closed early", slog.LevelDebug, 0, query("SELECT v FROM l", false),
			[]want{{"DEBUG", "query", "SELECT v FROM l", 0, 3, ""}}},
		{"error", slog.LevelDebug, 0, exec(insert, 1, secret+"-taken"),
			[]want{{"DEBUG", "query", insert, 2, 0, "unique constraint violated"}}},
		{"error in rows", slog.LevelDebug, 0, query("INSERT INTO l (v, note) VALUES ($1, $2) RETURNING v", true, 1, secret+"-taken"),
			[]want{{"DEBUG", "query", "INSERT INTO l (v, note) VALUES ($1, $2) RETURNING v", 2, 0, "unique constraint violated"}}},
		{"under default slow threshold", slog.LevelDebug, 0, exec("SELECT pg_sleep(0.03)"),
			[]want{{"DEBUG", "query", "SELECT pg_sleep(0.03)", 0, 1, ""}}},
		{"default slow threshold", slog.LevelDebug, 0, exec("SELECT pg_sleep(0.55)"),
			[]want{{"WARN", "slow query", "SELECT pg_sleep(0.55)", 0, 1, ""}}},
		{"slow exec", slog.LevelDebug, 10 * time.Millisecond, exec("SELECT pg_sleep(0.03)"),
			[]want{{"WARN", "slow query", "SELECT pg_sleep(0.03)", 0, 1, ""}}},
		{"slow query", slog.LevelDebug, 10 * time.Millisecond, query("SELECT pg_sleep(0.03)", true),
			[]want{{"WARN", "slow query", "SELECT pg_sleep(0.03)", 0, 1, ""}}},
		{"slow warnings off", slog.LevelDebug, -1, exec("SELECT pg_sleep(0.03)"),
			[]want{{"DEBUG", "query", "SELECT pg_sleep(0.03)", 0, 1, ""}}},
		{"warn level hides fast", slog.LevelWarn, 10 * time.Millisecond, exec("SELECT 1"), nil},
		{"warn level shows slow", slog.LevelWarn, 10 * time.Millisecond, exec("SELECT pg_sleep(0.03)"),
			[]want{{"WARN", "slow query", "SELECT pg_sleep(0.03)", 0, 1, ""}}},
		{"info level hides all", slog.LevelInfo, -1, exec("SELECT pg_sleep(0.03)"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
			db := openTest(t, orm.OpenOptions{Logger: logger, SlowQuery: tt.slow})
			db.exec(t, "CREATE TABLE l (v BIGINT, note TEXT UNIQUE)", "INSERT INTO l VALUES (1, 'a'), (2, 'b'), (3, '"+secret+"-taken')")
			buf.Reset()

			if err := tt.run(db); err != nil && !strings.Contains(tt.name, "error") {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, secret) {
				t.Errorf("log shows an argument value: %s", out)
			}
			var lines []logLine
			for l := range strings.Lines(out) {
				var ll logLine
				if err := json.Unmarshal([]byte(l), &ll); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				lines = append(lines, ll)
			}
			if len(lines) != len(tt.want) {
				t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(tt.want), out)
			}
			for i, w := range tt.want {
				g := lines[i]
				if g.Level != w.level || g.Msg != w.msg || g.SQL != w.sql {
					t.Errorf("line %d: level %s msg %q sql %q; want %s %q %q", i, g.Level, g.Msg, g.SQL, w.level, w.msg, w.sql)
				}
				if g.Args == nil || *g.Args != w.args || g.Rows == nil || *g.Rows != w.rows {
					t.Errorf("line %d: args %v rows %v; want %d %d\n%s", i, deref(g.Args), deref(g.Rows), w.args, w.rows, out)
				}
				if g.Duration == nil || *g.Duration <= 0 {
					t.Errorf("line %d: duration %v, want a positive duration", i, deref(g.Duration))
				}
				if w.level == "WARN" && *g.Duration < int64(25*time.Millisecond) {
					t.Errorf("line %d: duration %v for pg_sleep(0.03)", i, time.Duration(*g.Duration))
				}
				if !strings.Contains(g.Error, w.err) || (w.err == "") != (g.Error == "") {
					t.Errorf("line %d: error %q, want %q", i, g.Error, w.err)
				}
			}
		})
	}
}
