package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/anode-go/anode/orm"
)

// defaultSlowQuery is the slow-query threshold when OpenOptions leaves it
// zero.
const defaultSlowQuery = 500 * time.Millisecond

// queryLog writes one line per statement: debug level normally, warn level
// from the slow-query threshold. Argument values are never logged (they
// carry passwords and personal data), only their count.
type queryLog struct {
	logger *slog.Logger
	slow   time.Duration // 0: no slow-query warnings
}

// newQueryLog returns the query log for o, or nil when o has no logger, so
// the statement paths pay one nil check and no clock reads.
func newQueryLog(o orm.OpenOptions) *queryLog {
	if o.Logger == nil {
		return nil
	}
	l := &queryLog{logger: o.Logger, slow: o.SlowQuery}
	switch {
	case l.slow == 0:
		l.slow = defaultSlowQuery
	case l.slow < 0:
		l.slow = 0
	}
	return l
}

// record logs a statement that began at start, affected or returned rows
// rows, and ended with err.
func (l *queryLog) record(ctx context.Context, query string, nargs int, start time.Time, rows int64, err error) {
	d := time.Since(start)
	level, msg := slog.LevelDebug, "query"
	if l.slow > 0 && d >= l.slow {
		level, msg = slog.LevelWarn, "slow query"
	}
	if !l.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("sql", query),
		slog.Int("args", nargs),
		slog.Int64("rows", rows),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.logger.LogAttrs(ctx, level, msg, attrs...)
}
