package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

// logBuffer collects JSON log lines; slog handlers may write concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestQueryLog(t *testing.T) {
	const secret = "hunter2-secret"
	tests := []struct {
		name  string
		level slog.Level
		slow  time.Duration
		run   func(t *testing.T, db orm.Database)
		want  []map[string]any // subsets of the expected lines, in order
	}{
		{
			name: "exec", level: slog.LevelDebug,
			run: func(t *testing.T, db orm.Database) {
				mustExec(t, db, "INSERT INTO t (x, s) VALUES (?, ?), (?, ?)", 1, secret, 2, secret)
			},
			want: []map[string]any{{"level": "DEBUG", "msg": "query", "sql": "INSERT INTO t (x, s) VALUES (?, ?), (?, ?)", "args": 4.0, "rows": 2.0}},
		},
		{
			name: "query logs rows read when closed", level: slog.LevelDebug,
			run: func(t *testing.T, db orm.Database) {
				mustExec(t, db, "INSERT INTO t (x) VALUES (1), (2), (3)")
				rows, err := db.Query(t.Context(), "SELECT x FROM t WHERE s IS NOT ?", secret)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
				rows.Close() // logged once
			},
			want: []map[string]any{
				{"sql": "INSERT INTO t (x) VALUES (1), (2), (3)", "args": 0.0, "rows": 3.0},
				{"level": "DEBUG", "sql": "SELECT x FROM t WHERE s IS NOT ?", "args": 1.0, "rows": 3.0},
			},
		},
		{
			name: "errors", level: slog.LevelDebug,
			run: func(t *testing.T, db orm.Database) {
				db.Exec(t.Context(), "INSERT INTO nope VALUES (?)", secret)
			},
			want: []map[string]any{{"sql": "INSERT INTO nope VALUES (?)", "error": "SQL logic error: no such table: nope (1)"}},
		},
		{
			name: "transaction", level: slog.LevelDebug,
			run: func(t *testing.T, db orm.Database) {
				tx, err := db.Begin(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				mustExec(t, tx, "DELETE FROM t")
				if err := tx.Commit(t.Context()); err != nil {
					t.Fatal(err)
				}
			},
			want: []map[string]any{{"sql": "BEGIN IMMEDIATE"}, {"sql": "DELETE FROM t"}, {"sql": "COMMIT"}},
		},
		{
			name: "slow", level: slog.LevelWarn, slow: time.Nanosecond,
			run: func(t *testing.T, db orm.Database) {
				mustExec(t, db, "INSERT INTO t (x) VALUES (?)", 1)
			},
			want: []map[string]any{{"level": "WARN", "msg": "slow query", "sql": "INSERT INTO t (x) VALUES (?)", "threshold": float64(time.Nanosecond)}},
		},
		{
			name: "default threshold is not reached", level: slog.LevelWarn,
			run: func(t *testing.T, db orm.Database) {
				mustExec(t, db, "INSERT INTO t (x) VALUES (?)", 1)
			},
		},
		{
			name: "negative threshold turns warnings off", level: slog.LevelWarn, slow: -1,
			run: func(t *testing.T, db orm.Database) {
				mustExec(t, db, "INSERT INTO t (x) VALUES (?)", 1)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf logBuffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
			db, _ := open(t, fileURL(t), orm.OpenOptions{Logger: logger, SlowQuery: tt.slow})
			quiet, _ := open(t, "sqlite:///:memory:", orm.OpenOptions{}) // no Logger: must not panic
			mustExec(t, quiet, "SELECT 1")
			mustExec(t, db, "CREATE TABLE t (x INTEGER, s TEXT)")
			skip := len(buf.lines(t))
			tt.run(t, db)
			lines := buf.lines(t)[skip:]
			if strings.Contains(buf.String(), secret) {
				t.Errorf("an argument value was logged:\n%s", buf.String())
			}
			if len(lines) != len(tt.want) {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(tt.want), buf.String())
			}
			for i, want := range tt.want {
				for k, v := range want {
					if lines[i][k] != v {
						t.Errorf("line %d: %s = %v, want %v (line %v)", i, k, lines[i][k], v, lines[i])
					}
				}
				if d, ok := lines[i]["duration"].(float64); !ok || d <= 0 {
					t.Errorf("line %d: duration = %v, want > 0", i, lines[i]["duration"])
				}
			}
		})
	}
}

func TestQueryLogContext(t *testing.T) {
	// The log gets the statement's context, for handlers that add request IDs.
	type key struct{}
	var got []any
	var mu sync.Mutex
	h := ctxHandler{Handler: slog.DiscardHandler, key: key{}, seen: func(v any) {
		mu.Lock()
		got = append(got, v)
		mu.Unlock()
	}}
	db, _ := open(t, fileURL(t), orm.OpenOptions{Logger: slog.New(h)})
	ctx := context.WithValue(context.Background(), key{}, "req-1")
	if _, err := db.Exec(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, "SELECT x FROM t")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != "req-1" || got[1] != "req-1" {
		t.Errorf("contexts seen by the handler: %v, want [req-1 req-1]", got)
	}
}

type ctxHandler struct {
	slog.Handler
	key  any
	seen func(any)
}

func (h ctxHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	h.seen(ctx.Value(h.key))
	return nil
}
