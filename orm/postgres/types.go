package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// registerTypes adjusts a new connection's type map to the ORM's storage
// rules for values read back. TIMESTAMPTZ comes back in UTC (pgx would use
// time.Local). BIGINT scans into *time.Duration directly: pgx would get
// there too, but only after trying the interval wrapper and falling back to
// the underlying int64, and it plans scans per query, so that detour costs
// two allocations on every query that reads a duration. Doing both in the
// codecs keeps Rows.Scan a plain pass-through.
func registerTypes(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	m.RegisterType(&pgtype.Type{Name: "int8", OID: pgtype.Int8OID, Codec: int8Codec{}})
}

// int8Codec is pgx's BIGINT codec with a direct plan for scanning into
// *time.Duration, as nanoseconds. (Pointers to pointers reach it through
// pgx's own unwrapping.)
type int8Codec struct{ pgtype.Int8Codec }

func (c int8Codec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*time.Duration); ok {
		next := c.Int8Codec.PlanScan(m, oid, format, new(int64))
		if next == nil {
			return nil
		}
		return durationScanPlan{next: next}
	}
	return c.Int8Codec.PlanScan(m, oid, format, target)
}

type durationScanPlan struct{ next pgtype.ScanPlan }

func (p durationScanPlan) Scan(src []byte, dst any) error {
	return p.next.Scan(src, (*int64)(dst.(*time.Duration)))
}

// emptyBytes is the value bound for a nil []byte in a non-pointer field.
var emptyBytes any = []byte{}

// bindArgs converts the arguments pgx would bind differently from the
// ORM's schema: a time.Duration is BIGINT nanoseconds (pgx binds it as an
// interval whenever it picks the parameter type from the Go type, as in the
// simple protocol), and a nil []byte is an empty BYTEA (pgx binds NULL, which
// a NOT NULL column rejects; a nullable field is a *[]byte, whose nil is
// NULL). It copies args only when one needs converting.
func bindArgs(args []any) []any {
	var out []any
	for i, a := range args {
		var c any
		switch v := a.(type) {
		case time.Duration:
			c = int64(v)
		case *time.Duration:
			if v == nil {
				continue // a typed nil pointer binds NULL
			}
			c = int64(*v)
		case []byte:
			if v != nil {
				continue
			}
			c = emptyBytes
		case *[]byte:
			if v == nil || *v != nil {
				continue
			}
			c = emptyBytes
		default:
			continue
		}
		if out == nil {
			out = make([]any, len(args))
			copy(out, args)
		}
		out[i] = c
	}
	if out == nil {
		return args
	}
	return out
}
