package orm

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Number is a result type of Sum, Avg, Min and Max.
type Number interface {
	~int | ~int64 | ~int32 | ~float64 | ~float32
}

// Sum returns the sum of field over the query's rows (zero for no rows):
//
//	total, err := orm.Sum[int64](ctx, orm.From[Choice](db).Filter("question", id), "votes")
func Sum[R Number, T any](ctx context.Context, q *QuerySet[T], field string) (R, error) {
	return aggregate[R](ctx, q, "SUM", field)
}

// Avg returns the average of field (zero for no rows).
func Avg[R Number, T any](ctx context.Context, q *QuerySet[T], field string) (R, error) {
	return aggregate[R](ctx, q, "AVG", field)
}

// Min returns the smallest value of field (zero for no rows).
func Min[R Number, T any](ctx context.Context, q *QuerySet[T], field string) (R, error) {
	return aggregate[R](ctx, q, "MIN", field)
}

// Max returns the largest value of field (zero for no rows).
func Max[R Number, T any](ctx context.Context, q *QuerySet[T], field string) (R, error) {
	return aggregate[R](ctx, q, "MAX", field)
}

func aggregate[R Number, T any](ctx context.Context, q *QuerySet[T], fn, field string) (R, error) {
	var zero R
	if err := q.runErr(); err != nil {
		return zero, err
	}
	f, ok := q.model.Field(field)
	if !ok {
		return zero, &LookupError{Model: q.model.Label(), Lookup: field, Reason: fn + ": no such field (fields: " + strings.Join(q.model.FieldNames(), ", ") + ")"}
	}
	if f.Kind != KindInt && f.Kind != KindFloat && f.Kind != KindDuration {
		reason := fmt.Sprintf("%s needs a number field, and %s is %s", fn, f.Name, f.Kind)
		if f.Kind == KindDecimal {
			reason += " (use SumDecimal, MinDecimal or MaxDecimal, which are exact)"
		}
		return zero, &LookupError{Model: q.model.Label(), Lookup: field, Reason: reason}
	}
	b := q.builder()
	b.sql.WriteString("SELECT " + fn + "(")
	if fn == "AVG" {
		// Both databases then return a floating-point average.
		b.sql.WriteString("CAST(")
		b.column(f)
		b.sql.WriteString(" AS DOUBLE PRECISION)")
	} else {
		b.column(f)
	}
	b.sql.WriteString(") FROM ")
	b.table(q.model)
	q.renderWhere(b)
	if b.err != nil {
		return zero, b.err
	}
	var v sql.NullFloat64
	if f.Kind == KindFloat || fn == "AVG" {
		if err := q.scalar(ctx, b, &v); err != nil {
			return zero, err
		}
		return R(v.Float64), nil
	}
	var n sql.NullInt64
	if err := q.scalar(ctx, b, &n); err != nil {
		return zero, err
	}
	return R(n.Int64), nil
}

// SumDecimal returns the exact sum of a Decimal field over the query's rows
// (zero for no rows). Like Min and Max for decimals, it is computed by the
// database in exact arithmetic (NUMERIC on PostgreSQL, scaled integers on
// SQLite, where a sum beyond 64 bits is an error rather than a rounded
// result).
func SumDecimal[T any](ctx context.Context, q *QuerySet[T], field string) (Decimal, error) {
	return aggregateDecimal(ctx, q, "SUM", field)
}

// MinDecimal returns the smallest value of a Decimal field (zero for no rows).
func MinDecimal[T any](ctx context.Context, q *QuerySet[T], field string) (Decimal, error) {
	return aggregateDecimal(ctx, q, "MIN", field)
}

// MaxDecimal returns the largest value of a Decimal field (zero for no rows).
func MaxDecimal[T any](ctx context.Context, q *QuerySet[T], field string) (Decimal, error) {
	return aggregateDecimal(ctx, q, "MAX", field)
}

func aggregateDecimal[T any](ctx context.Context, q *QuerySet[T], fn, field string) (Decimal, error) {
	if q.err != nil {
		return Decimal{}, q.err
	}
	f, ok := q.model.Field(field)
	if !ok {
		return Decimal{}, &LookupError{Model: q.model.Label(), Lookup: field, Reason: fn + ": no such field (fields: " + strings.Join(q.model.FieldNames(), ", ") + ")"}
	}
	if f.Kind != KindDecimal {
		return Decimal{}, &LookupError{Model: q.model.Label(), Lookup: field, Reason: fmt.Sprintf("%s: %s is %s, not a decimal field (use Sum, Min or Max)", fn, f.Name, f.Kind)}
	}
	b := q.builder()
	b.sql.WriteString("SELECT " + fn + "(")
	b.column(f)
	b.sql.WriteString(") FROM ")
	b.table(q.model)
	q.renderWhere(b)
	var n Null[Decimal]
	if err := q.scalar(ctx, b, &decimalDest{places: int32(f.Places), null: &n}); err != nil {
		return Decimal{}, err
	}
	return n.V, nil
}
