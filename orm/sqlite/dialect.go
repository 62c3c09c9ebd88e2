package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anode-go/anode/orm"
)

var _ orm.Dialect = dialect{}

// dialect renders SQLite's SQL. Its zero value is ready to use.
type dialect struct{}

func (dialect) Name() string { return "sqlite" }

// QuoteIdent double-quotes name, doubling any double quote inside it, so
// that no name can end the identifier early.
func (dialect) QuoteIdent(name string) string {
	if strings.IndexByte(name, '"') >= 0 {
		name = strings.ReplaceAll(name, `"`, `""`)
	}
	return `"` + name + `"`
}

func (dialect) Placeholder(int) string { return "?" }

// ColumnType returns the declared type for f. SQLite stores values by their
// own type whatever the declaration, but DATETIME matters: the driver turns
// a DATETIME column's text back into time.Time. VARCHAR(n) documents the
// length without SQLite enforcing it; forms do.
func (dialect) ColumnType(f *orm.Field) (string, error) {
	switch f.Kind {
	case orm.KindBool:
		return "BOOLEAN", nil
	case orm.KindInt:
		return "INTEGER", nil
	case orm.KindFloat:
		return "REAL", nil
	case orm.KindString:
		if f.MaxLength <= 0 {
			return "", fmt.Errorf("sqlite: field %s (column %s): kind string needs a positive MaxLength, got %d", f.Name, f.Column, f.MaxLength)
		}
		return "VARCHAR(" + strconv.Itoa(f.MaxLength) + ")", nil
	case orm.KindText:
		return "TEXT", nil
	case orm.KindBytes:
		return "BLOB", nil
	case orm.KindTime:
		return "DATETIME", nil
	case orm.KindDuration:
		return "BIGINT", nil
	case orm.KindDecimal:
		if f.Digits > 18 {
			return "", fmt.Errorf("sqlite: field %s (column %s): digits=%d: SQLite stores decimals as integers scaled by 10^places, which hold at most 18 digits", f.Name, f.Column, f.Digits)
		}
		return "INTEGER", nil
	case orm.KindUUID:
		return "VARCHAR(36)", nil
	case orm.KindDate:
		return "VARCHAR(10)", nil
	case orm.KindTimeOfDay:
		return "VARCHAR(15)", nil
	case orm.KindJSON:
		return "TEXT", nil
	}
	return "", fmt.Errorf("sqlite: field %s (column %s): no column type for kind %s", f.Name, f.Column, f.Kind)
}

// ScaledDecimals marks that SQLite stores orm.Decimal fields as INTEGER
// holding the value times 10^places: SQLite has no exact decimal type (its
// NUMERIC affinity turns 0.1 into a float), and a scaled integer keeps round
// trips exact and makes ordering, comparisons and SUM/MIN/MAX integer
// arithmetic.
func (dialect) ScaledDecimals() {}

// DefaultNow renders the current time in the fixed-width UTC text times are
// stored as (nanosecond digits padded), or today's date as ISO text.
func (dialect) DefaultNow(k orm.Kind) string {
	if k == orm.KindDate {
		return "(date('now'))"
	}
	return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000000')"
}

// AutoPrimaryKey uses AUTOINCREMENT so that the ids of deleted rows are
// never reused: a stale link must not reach a newer object.
func (dialect) AutoPrimaryKey() string { return "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" }

// TranslateError turns SQLite's constraint errors into *orm.IntegrityError;
// see the package doc.
func (dialect) TranslateError(err error) error { return translate(err) }

// Match renders contains/startswith/endswith. SQLite's LIKE ignores ASCII
// case, so the case-sensitive forms use GLOB, with *, ? and [ in the value
// bracketed to match literally; the folding forms use LIKE (which folds ASCII
// letters only, as in Django on SQLite).
func (dialect) Match(kind string, fold bool, col, ph, value string) (string, string) {
	if fold {
		return col + " LIKE " + ph + ` ESCAPE '\'`, orm.LikePattern(kind, value)
	}
	var b strings.Builder
	if kind == "contains" || kind == "endswith" {
		b.WriteByte('*')
	}
	for _, r := range value {
		switch r {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	if kind == "contains" || kind == "startswith" {
		b.WriteByte('*')
	}
	return col + " GLOB " + ph, b.String()
}

// Extract reads a part of the fixed-width UTC text times are stored as
// ("2006-01-02 15:04:05.000000000"), as an integer.
// The day-based parts go through SQLite's date functions on the date text;
// the ISO week and year are those of the week's Thursday (ISO 8601).
func (dialect) Extract(part, col string) string {
	date := "substr(" + col + ", 1, 10)"
	dow := "CAST(strftime('%w', " + date + ") AS INTEGER)" // 0 = Sunday
	isoDow := "((" + dow + " + 6) % 7 + 1)"
	thursday := "date(" + date + ", (4 - " + isoDow + ") || ' days')"
	switch part {
	case "date":
		return date
	case "week_day":
		return "(" + dow + " + 1)"
	case "iso_week_day":
		return isoDow
	case "week":
		return "((CAST(strftime('%j', " + thursday + ") AS INTEGER) - 1) / 7 + 1)"
	case "iso_year":
		return "CAST(strftime('%Y', " + thursday + ") AS INTEGER)"
	case "quarter":
		return "((CAST(substr(" + col + ", 6, 2) AS INTEGER) + 2) / 3)"
	}
	pos := map[string]string{"year": "1, 4", "month": "6, 2", "day": "9, 2", "hour": "12, 2", "minute": "15, 2", "second": "18, 2"}[part]
	return "CAST(substr(" + col + ", " + pos + ") AS INTEGER)"
}

var _ orm.TimeOfDayExtractor = dialect{}

// ExtractTimeOfDay reads the hour, minute or second of the text a time of
// day is stored as ("15:04:05[.ffffff]"), as an integer; the fraction of a
// second is not read, so the second is truncated.
func (dialect) ExtractTimeOfDay(part, col string) string {
	pos := map[string]string{"hour": "1, 2", "minute": "4, 2", "second": "7, 2"}[part]
	return "CAST(substr(" + col + ", " + pos + ") AS INTEGER)"
}

// ResetSequence returns "": SQLite moves an AUTOINCREMENT counter past any
// key inserted explicitly.
func (dialect) ResetSequence(table, column string) string { return "" }

var _ orm.JSONDialect = dialect{}

// JSONPath binds a JSON path string ($."owner"[0]) with every key quoted
// and escaped, which SQLite's JSON functions take as data.
func (dialect) JSONPath(path []any) any { return orm.JSONPathText(path) }

// JSONExtract renders json_extract(col, path): SQL values for JSON scalars
// (text, integer, real; 1 and 0 for true and false), minified text for
// objects and arrays.
func (dialect) JSONExtract(col, pathPH string) string {
	return "json_extract(" + col + ", " + pathPH + ")"
}

// JSONValue extracts the bound JSON text's top value the same way, so both
// sides of a comparison have the same SQL types.
func (dialect) JSONValue(ph string) string { return "json_extract(" + ph + ", '$')" }

// JSONExtractText renders json_extract(col, path), which is a JSON
// string's text without quotes; other scalars compare by their SQL text
// (true is 1), objects and arrays as minified JSON.
func (dialect) JSONExtractText(col, pathPH string) string {
	return "json_extract(" + col + ", " + pathPH + ")"
}

// JSONType renders json_type(col, path).
func (dialect) JSONType(col, pathPH string) string {
	return "json_type(" + col + ", " + pathPH + ")"
}
