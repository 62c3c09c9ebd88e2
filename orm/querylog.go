package orm

import (
	"context"
	"log/slog"
	"time"
)

// DefaultSlowQuery is the slow-query threshold when OpenOptions.SlowQuery is
// zero.
const DefaultSlowQuery = 500 * time.Millisecond

// QueryLog is the query log every dialect writes, so that the lines look the
// same whatever the database: one line per statement, "query" at debug level,
// or "slow query" at warn level from the slow-query threshold on, with the
// SQL, the number of arguments, the rows affected or returned, the duration
// and any error. Argument values are never logged (they carry passwords and
// personal data), only their count.
//
// A nil *QueryLog logs nothing and reads no clock, so a dialect keeps one
// pointer and calls Start and Done unconditionally.
type QueryLog struct {
	logger *slog.Logger
	slow   time.Duration // 0: no slow-query warnings
}

// NewQueryLog returns the query log o asks for, or nil when o has no Logger.
func NewQueryLog(o OpenOptions) *QueryLog {
	if o.Logger == nil {
		return nil
	}
	l := &QueryLog{logger: o.Logger, slow: o.SlowQuery}
	switch {
	case l.slow == 0:
		l.slow = DefaultSlowQuery
	case l.slow < 0:
		l.slow = 0
	}
	return l
}

// Start returns the time a statement starts: the zero time for a nil log, so
// the hot path does not read the clock for nothing.
func (l *QueryLog) Start() time.Time {
	if l == nil {
		return time.Time{}
	}
	return time.Now()
}

// Done logs a statement that began at start, with nargs arguments, that
// affected or returned rows rows and ended with err.
func (l *QueryLog) Done(ctx context.Context, start time.Time, query string, nargs int, rows int64, err error) {
	if l == nil {
		return
	}
	d := time.Since(start)
	level, msg := slog.LevelDebug, "query"
	if l.slow > 0 && d >= l.slow {
		level, msg = slog.LevelWarn, "slow query"
	}
	if !l.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs,
		slog.String("sql", query),
		slog.Int("args", nargs),
		slog.Int64("rows", rows),
		slog.Duration("duration", d),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if level == slog.LevelWarn {
		attrs = append(attrs, slog.Duration("threshold", l.slow))
	}
	l.logger.LogAttrs(ctx, level, msg, attrs...)
}
