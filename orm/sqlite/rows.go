package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/anode-go/anode/orm"
)

var _ orm.Rows = (*rows)(nil)

// rows wraps *sql.Rows: it translates errors, reads times the driver left as
// text, and logs the statement when closed.
type rows struct {
	rs     *sql.Rows
	err    error // from Close
	closed bool

	log   *orm.QueryLog
	ctx   context.Context // for the log only
	start time.Time
	query string
	nargs int
	n     int64 // rows read

	// Used by Scan when a destination is a time, made on first use so
	// that rows without times stay small.
	times *timeScan
}

// timeScan holds the destinations Scan substitutes for time destinations;
// the arrays serve the usual row widths without allocating again.
type timeScan struct {
	dest    []any
	ts      []timeDest
	destBuf [8]any
	tsBuf   [8]timeDest
}

func (r *rows) Next() bool {
	if r.rs.Next() {
		r.n++
		return true
	}
	return false
}

// Scan copies the current row into dest, like sql.Rows.Scan. *time.Time and
// **time.Time destinations also accept times SQLite returns as text (the
// driver converts only columns declared DATETIME, not expressions over
// them such as MAX(col)), and always hold UTC.
func (r *rows) Scan(dest ...any) error {
	hasTime := false
	for _, d := range dest {
		switch d.(type) {
		case *time.Time, **time.Time:
			hasTime = true
		}
	}
	if !hasTime {
		return r.rs.Scan(dest...)
	}
	t := r.times
	if t == nil {
		t = &timeScan{}
		t.dest, t.ts = t.destBuf[:0], t.tsBuf[:0]
		r.times = t
	}
	if cap(t.dest) < len(dest) {
		t.dest = make([]any, len(dest))
		t.ts = make([]timeDest, len(dest))
	}
	t.dest, t.ts = t.dest[:len(dest)], t.ts[:len(dest)]
	for i, d := range dest {
		switch d := d.(type) {
		case *time.Time:
			t.ts[i] = timeDest{t: d}
			t.dest[i] = &t.ts[i]
		case **time.Time:
			t.ts[i] = timeDest{p: d}
			t.dest[i] = &t.ts[i]
		default:
			t.dest[i] = d
		}
	}
	err := r.rs.Scan(t.dest...)
	clear(t.dest) // do not keep the caller's variables alive
	return err
}

func (r *rows) Err() error {
	if err := r.rs.Err(); err != nil {
		return translate(err)
	}
	return translate(r.err)
}

// Close closes the rows and logs the statement. Closing twice is harmless.
func (r *rows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.err = r.rs.Close()
	err := r.rs.Err()
	if err == nil {
		err = r.err
	}
	r.log.Done(r.ctx, r.start, r.query, r.nargs, r.n, translate(err))
}

// timeDest is a Scan destination for a *time.Time (t) or a **time.Time (p).
type timeDest struct {
	t *time.Time
	p **time.Time
}

func (d *timeDest) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if d.p == nil {
			return fmt.Errorf("sqlite: cannot scan NULL into *time.Time (use **time.Time for a nullable column)")
		}
		*d.p = nil
		return nil
	case time.Time:
		t = v.UTC()
	case string:
		var err error
		if t, err = parseTime(v); err != nil {
			return err
		}
	case []byte:
		var err error
		if t, err = parseTime(string(v)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("sqlite: cannot scan %T into a time", src)
	}
	if d.p != nil {
		p := new(time.Time) // not &t, which would allocate for *time.Time too
		*p = t
		*d.p = p
	} else {
		*d.t = t
	}
	return nil
}

// Columns names the result columns.
func (r *rows) Columns() ([]string, error) { return r.rs.Columns() }
