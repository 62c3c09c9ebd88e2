package sqlite

import (
	"context"
	"log/slog"
	"time"
)

// defaultSlowQuery is the SlowQuery threshold when OpenOptions leaves it zero.
const defaultSlowQuery = 500 * time.Millisecond

// queryLog logs statements; its zero value logs nothing.
type queryLog struct {
	logger *slog.Logger
	slow   time.Duration // <= 0: no slow-query warnings
}

func newQueryLog(logger *slog.Logger, slow time.Duration) queryLog {
	switch {
	case slow == 0:
		slow = defaultSlowQuery
	case slow < 0:
		slow = 0
	}
	return queryLog{logger: logger, slow: slow}
}

// start returns the time a statement starts, or the zero time when nothing
// is logged, so that the hot path does not read the clock for nothing.
func (l *queryLog) start() time.Time {
	if l.logger == nil {
		return time.Time{}
	}
	return time.Now()
}

// done logs a statement that started at start. Arguments are counted, never
// logged: they may be passwords or tokens.
func (l *queryLog) done(ctx context.Context, start time.Time, query string, nargs int, rows int64, err error) {
	if l.logger == nil {
		return
	}
	d := time.Since(start)
	level := slog.LevelDebug
	msg := "sql"
	if l.slow > 0 && d >= l.slow {
		level, msg = slog.LevelWarn, "slow sql"
	}
	if !l.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("sql", query),
		slog.Int("args", nargs),
		slog.Duration("duration", d),
	}
	if err == nil {
		attrs = append(attrs, slog.Int64("rows", rows))
	} else {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if level == slog.LevelWarn {
		attrs = append(attrs, slog.Duration("threshold", l.slow))
	}
	l.logger.LogAttrs(ctx, level, msg, attrs...)
}
