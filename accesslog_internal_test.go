package anode

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "line\nbreak\t\r", "\x00\x1f\x7f", "ünïcödé ✓", "bad \xff\xfe utf8", "\u2028\u2029", "<script>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		var decoded string
		if err := json.Unmarshal(got, &decoded); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		std, _ := json.Marshal(s)
		var want string
		json.Unmarshal(std, &want)
		if decoded != want {
			t.Fatalf("%q: decodes to %q, encoding/json gives %q", s, decoded, want)
		}
	})
}

func TestLogWriterBuffering(t *testing.T) {
	var out bytes.Buffer
	w := &logWriter{out: &out}
	logger := newLogger(w, Config{})
	logger.Info("direct")
	if !strings.Contains(out.String(), "direct") {
		t.Fatal("unbuffered writer must pass writes through")
	}
	stop := w.buffer()
	logger.Info("batched")
	if strings.Contains(out.String(), "batched") {
		t.Fatal("buffered info line written at once")
	}
	logger.Warn("problem")
	if !strings.Contains(out.String(), "batched") || !strings.Contains(out.String(), "problem") {
		t.Fatal("a warning must flush the buffer")
	}
	logger.Info("periodic")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.snapshot(&out), "periodic") {
		if time.Now().After(deadline) {
			t.Fatal("buffer not flushed periodically")
		}
		time.Sleep(10 * time.Millisecond)
	}
	logger.Info("last")
	stop()
	if !strings.Contains(out.String(), "last") {
		t.Fatal("stop must flush")
	}
	logger.Log(t.Context(), slog.LevelInfo, "after")
	if !strings.Contains(out.String(), "after") {
		t.Fatal("after stop the writer passes through again")
	}
}

// snapshot reads out under the writer's lock (the flusher writes to it).
func (l *logWriter) snapshot(b *bytes.Buffer) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return b.String()
}

// FuzzAppendLogTime checks the cached timestamp formatting against
// time.RFC3339Nano for local, UTC and fixed-offset times, including the
// same second twice (a cache hit) and whole seconds (no fraction).
func FuzzAppendLogTime(f *testing.F) {
	for _, s := range []int64{0, 1, 999_999_999, 1_000_000_000, 1_795_000_000_123_456_789, 1_795_000_000_100_000_000, -1_500_000_000} {
		f.Add(s)
	}
	zones := []*time.Location{time.Local, time.UTC, time.FixedZone("", -7*3600-30*60), time.FixedZone("", 5*3600+45*60)}
	f.Fuzz(func(t *testing.T, nanos int64) {
		for _, loc := range zones {
			tm := time.Unix(0, nanos).In(loc)
			for range 2 { // the second call hits the cache
				got := string(appendLogTime([]byte("x"), tm))
				if want := "x" + tm.Format(time.RFC3339Nano); got != want {
					t.Fatalf("appendLogTime(%v) = %q, want %q", tm, got, want)
				}
			}
		}
	})
}
