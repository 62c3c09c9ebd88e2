package orm

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Dialect renders the SQL that differs between databases. Everything a
// dialect renders comes from the model registry: identifiers are quoted by
// QuoteIdent, values are always bound with Placeholder.
type Dialect interface {
	// Name is the dialect's name: "sqlite", "postgres".
	Name() string
	// QuoteIdent quotes an identifier the registry produced (table, column,
	// index or constraint name).
	QuoteIdent(name string) string
	// Placeholder is the bind parameter for the n-th argument (from 1).
	Placeholder(n int) string
	// ColumnType is the column type for a field of a non-relation kind, for
	// CREATE TABLE.
	ColumnType(f *Field) (string, error)
	// AutoPrimaryKey is the column definition (type and constraints after the
	// name) of an auto-incrementing integer primary key.
	AutoPrimaryKey() string
	// TranslateError turns a driver error into the ORM's typed errors
	// (*IntegrityError for constraint violations); other errors pass through.
	TranslateError(err error) error
	// Match renders a text match of column col (quoted) against the bound
	// placeholder ph for the lookups contains, startswith and endswith (kind),
	// case-insensitive when fold is set, and returns the SQL and the pattern
	// to bind for value, with the pattern language's wildcards in value
	// escaped, so value always matches literally.
	Match(kind string, fold bool, col, ph, value string) (sql string, pattern string)
	// Extract renders a part of time column col (quoted), in UTC: an
	// integer for "year", "month", "day", "hour", "minute", "second" (its
	// integer part: 59.6 is 59),
	// "week_day" (1 = Sunday … 7), "iso_week_day" (1 = Monday … 7), "week"
	// and "iso_year" (ISO 8601) and "quarter"; for "date", the date as
	// YYYY-MM-DD text.
	Extract(part, col string) string
	// ResetSequence returns the statement that moves table's auto-increment
	// counter for column (both quoted) past the largest key, after rows were
	// inserted with explicit keys; "" when the database does that itself.
	ResetSequence(table, column string) string
}

// ParamCaster is an optional Dialect interface for databases that must be
// told a bound parameter's type where the statement does not imply it (the
// branches of BulkUpdate's CASE). Without it, parameters are bound bare.
type ParamCaster interface {
	// CastParam renders placeholder ph as a value of field f's column type.
	CastParam(ph string, f *Field) (string, error)
}

// RegexDialect is the optional capability behind the regex and iregex
// lookups; a dialect without it refuses them with a *LookupError.
type RegexDialect interface {
	// Regex renders a match of column col (quoted) against the bound
	// placeholder ph holding a regular expression, case-insensitive when
	// fold, and returns the SQL and the value to bind. It returns an error,
	// and the query is not sent, for a pattern the dialect knows the
	// database would refuse.
	Regex(col, ph, pattern string, fold bool) (sql string, arg any, err error)
}

// DateExtractor is an optional Dialect interface for databases whose date
// columns need a different part extraction from their time columns
// (PostgreSQL's DATE has no time zone to convert from). Without it, Extract
// renders date parts too.
type DateExtractor interface {
	// ExtractDate renders the integer part ("year", "month", "day") of date
	// column col (quoted).
	ExtractDate(part, col string) string
}

// TimeOfDayExtractor is the optional Dialect interface behind the hour,
// minute and second transforms of orm.TimeOfDay fields, whose column type
// differs from a time's. Without it, those transforms are refused with a
// *LookupError.
type TimeOfDayExtractor interface {
	// ExtractTimeOfDay renders the integer part ("hour", "minute",
	// "second") of time-of-day column col (quoted); the second is
	// truncated, never rounded.
	ExtractTimeOfDay(part, col string) string
}

// LikePattern builds a LIKE pattern for kind (contains, startswith,
// endswith) that matches value literally, escaping %, _ and \ with \ (use it
// with ESCAPE '\'). Dialects share it.
func LikePattern(kind, value string) string {
	var b strings.Builder
	if kind == "contains" || kind == "endswith" {
		b.WriteByte('%')
	}
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if kind == "contains" || kind == "startswith" {
		b.WriteByte('%')
	}
	return b.String()
}

// OpenOptions configures a dialect's connection pool.
type OpenOptions struct {
	// MaxConns caps open connections (for SQLite: reader connections; there
	// is always exactly one writer). Zero means the dialect's default.
	MaxConns int
	// Logger receives the query log (debug level, with timings) and slow
	// query warnings. Nil means no query log.
	Logger *slog.Logger
	// SlowQuery is the duration from which a query is logged as a warning.
	// Zero means 500ms; negative turns slow-query warnings off.
	SlowQuery time.Duration
}

// Opener opens a Database for a URL of its dialect's scheme.
type Opener func(ctx context.Context, u *url.URL, o OpenOptions) (Database, Dialect, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// RegisterDialect makes a dialect available to Open under the URL scheme
// ("sqlite", "postgres"). Dialect packages call it from init, like
// database/sql drivers; registering a scheme twice panics.
func RegisterDialect(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic(fmt.Sprintf("orm: RegisterDialect called twice for scheme %q", scheme))
	}
	openers[scheme] = open
}

// openDialect opens rawURL with the dialect registered for its scheme.
func openDialect(ctx context.Context, rawURL string, o OpenOptions) (Database, Dialect, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, nil, fmt.Errorf("orm: database URL %q: want scheme://..., e.g. sqlite:///data/app.db or postgres://user@host/db", redactURL(rawURL))
	}
	openersMu.RLock()
	open, ok := openers[strings.ToLower(u.Scheme)]
	var known []string
	for s := range openers {
		known = append(known, s)
	}
	openersMu.RUnlock()
	if !ok {
		sort.Strings(known)
		return nil, nil, fmt.Errorf("orm: no dialect for scheme %q (registered: %s; import the dialect package, e.g. _ \"github.com/anode-go/anode/orm/postgres\")", u.Scheme, strings.Join(known, ", "))
	}
	return open(ctx, u, o)
}

// redactURL hides a password in a database URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
