package orm

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// DBNow is the DBDefault of a field tagged db_default=now: the database's
// current time (CURRENT_TIMESTAMP), for time fields.
var DBNow = dbNow{}

type dbNow struct{}

func (dbNow) String() string { return "now" }

// parseDBDefault reads a db_default= tag value for a field of type t.
func parseDBDefault(s string, t reflect.Type, k Kind) (any, error) {
	if s == "now" {
		if k != KindTime && k != KindDate {
			return nil, fmt.Errorf("now applies to time.Time and orm.Date fields")
		}
		return DBNow, nil
	}
	switch k {
	case KindBool, KindInt, KindFloat, KindString, KindText, KindDecimal, KindUUID, KindDate, KindTimeOfDay, KindDuration:
	default:
		return nil, fmt.Errorf("a %s field takes no db_default (use default=)", k)
	}
	v, err := parseValue(s, t)
	if err != nil {
		return nil, err
	}
	if d, ok := v.(Decimal); ok {
		return d, nil // rendered per dialect (scaled on SQLite); checked against digits/places later
	}
	return literalValue(v)
}

// literalValue reduces a Go value to one the literal renderer accepts.
func literalValue(v any) (any, error) {
	switch x := bindForm(v).(type) {
	case bool, int64, float64, string:
		return x, nil
	case decimalArg:
		return x.d.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return rv.String(), nil
	case rv.Kind() == reflect.Bool:
		return rv.Bool(), nil
	case rv.CanInt():
		return rv.Int(), nil
	case rv.CanUint():
		return int64(rv.Uint()), nil
	case rv.CanFloat():
		return rv.Float(), nil
	}
	return nil, fmt.Errorf("no SQL literal for %T", v)
}

// Literal renders a typed value as an SQL literal, for DDL only (DEFAULT
// clauses, CHECK constraints), where statements cannot take bound
// parameters. It accepts bools, integers, finite floats, and strings (single
// quotes doubled; NUL refused, as neither database can store it), and
// nothing else, so no text reaches DDL except as a quoted string.
func Literal(v any) (string, error) {
	if v == DBNow {
		return "CURRENT_TIMESTAMP", nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("orm: no SQL literal for %v", x)
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return "", fmt.Errorf("orm: a string literal cannot contain NUL")
		}
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", nil
	}
	lv, err := literalValue(v)
	if err != nil {
		return "", fmt.Errorf("orm: %w", err)
	}
	return Literal(lv)
}

// insertWithDBDefaults inserts the object at p leaving out the columns
// whose field has a db_default and is unset (NULL, or the zero value), so
// the database fills them, and reads those columns (and an auto-increment
// key) back into the object with RETURNING.
func insertWithDBDefaults(ctx context.Context, db *DB, m *Model, p unsafe.Pointer) error {
	b := newBuilder(db)
	var cols, back []*Field
	for _, f := range insertColumns(m) {
		if f.DBDefault != nil && unset(f.acc.arg(unsafe.Add(p, f.acc.offset))) {
			back = append(back, f)
			continue
		}
		cols = append(cols, f)
	}
	if m.PK.AutoIncrement {
		back = append(back, m.PK)
	}
	b.sql.WriteString("INSERT INTO ")
	b.table(m)
	if len(cols) == 0 {
		b.sql.WriteString(" DEFAULT VALUES")
	} else {
		b.sql.WriteString(" (")
		b.columns(b.db.q(m), cols)
		b.sql.WriteString(") VALUES ")
		valuesRow(b, cols, p)
	}
	if len(back) == 0 {
		_, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
		return wrapWrite(m, "create", err)
	}
	b.sql.WriteString(" RETURNING ")
	b.columns(b.db.q(m), back)
	dest := make([]any, len(back))
	for i, f := range back {
		dest[i] = f.acc.dest(unsafe.Add(p, f.acc.offset))
	}
	rows, err := db.Conn(ctx).QueryWrite(ctx, b.sql.String(), b.args...)
	if err != nil {
		return wrapWrite(m, "create", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return wrapWrite(m, "create", err)
		}
	}
	return wrapWrite(m, "create", rows.Err())
}

// unset reports whether a bound value is NULL or its type's zero value.
func unset(v any) bool {
	switch x := choiceKey(v).(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "0000-00-00" || x == "00:00:00" || x == "00000000-0000-0000-0000-000000000000"
	case int64:
		return x == 0
	case float64:
		return x == 0
	case bool:
		return !x
	case decimalArg:
		return x.d.IsZero()
	case time.Time:
		return x.IsZero()
	}
	return false
}
