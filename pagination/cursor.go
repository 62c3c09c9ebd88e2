package pagination

import (
	"context"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strings"

	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/orm"
)

// CursorOptions configure Cursor.
type CursorOptions struct {
	// PerPage is the number of rows on a page. Required (1 or more).
	PerPage int
	// Key, when set, signs cursors with HMAC-SHA256, so a client cannot make
	// or change one (derive it from the application's secret for this use
	// alone). Without it cursors are only validated strictly: a changed
	// cursor can point at any position in the query, which is harmless —
	// the query's own filters still apply — but not tamper-evident.
	Key []byte
	// FallbackKeys are earlier keys, for verifying only: cursors signed with
	// them still work after Key changes (rotate the secret without breaking
	// open pages).
	FallbackKeys [][]byte
	// Signer, when set, signs cursors instead of Key: pass App.Signer
	// ("myapp.cursor"), which follows the secret key and its fallbacks.
	Signer CursorSigner
}

// CursorSigner signs and verifies cursors; *security.Signer is one.
type CursorSigner interface {
	Sign(payload []byte) string
	Unsign(signed string) ([]byte, error)
}

// CursorPage is one page of a keyset pagination: the rows after (or
// before) a position, and the cursors of the pages beside it. Its methods
// are meant for templates:
//
//	{{if .Page.HasPrevious}}<a href="?cursor={{.Page.PreviousCursor}}">previous</a>{{end}}
//	{{if .Page.HasNext}}<a href="?cursor={{.Page.NextCursor}}">next</a>{{end}}
type CursorPage[T any] struct {
	// Items are the page's rows, in the query's order.
	Items []T

	next, previous string
}

// HasNext reports whether rows follow this page.
func (p *CursorPage[T]) HasNext() bool { return p.next != "" }

// HasPrevious reports whether rows come before this page.
func (p *CursorPage[T]) HasPrevious() bool { return p.previous != "" }

// NextCursor returns the cursor of the next page, "" when there is none.
func (p *CursorPage[T]) NextCursor() string { return p.next }

// PreviousCursor returns the cursor of the previous page, "" when there is
// none.
func (p *CursorPage[T]) PreviousCursor() string { return p.previous }

// Cursor returns the page of qs at cursor: the first page for "", else the
// page a NextCursor or PreviousCursor of an earlier page points at. The
// query is ordered as the package documentation describes; every field of
// that ordering must be one of the model's own fields and may not be
// nullable or JSON (an error otherwise, which is a programming error).
//
// A cursor that cannot be used is a *CursorError (errors.Is
// ErrInvalidCursor, HTTPStatus 400); other errors are the database's. A
// page reached through a cursor that has no rows (its rows were deleted)
// has no cursors of its own: link back to the first page.
func Cursor[T any](ctx context.Context, qs *orm.QuerySet[T], cursor string, opts CursorOptions) (*CursorPage[T], error) {
	if opts.PerPage < 1 {
		return nil, fmt.Errorf("pagination: Cursor with PerPage %d: want 1 or more", opts.PerPage)
	}
	qs, terms, err := stableOrder(qs)
	if err != nil {
		return nil, err
	}
	ks, err := newKeyset(qs.Model(), terms, opts)
	if err != nil {
		return nil, err
	}
	var pos *position
	if cursor != "" {
		if pos, err = ks.decode(cursor); err != nil {
			return nil, err
		}
	}
	q := qs
	back := pos != nil && pos.back
	if back {
		names := make([]string, len(terms))
		for i, t := range terms {
			names[i] = t.orderBy(true)
		}
		q = q.OrderBy(names...)
	}
	if pos != nil {
		q = q.Where(ks.after(pos.values, back))
		if err := q.Err(); err != nil { // a value the field cannot take
			return nil, &CursorError{Reason: err.Error()}
		}
	}
	rows, err := q.Limit(opts.PerPage + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	more := len(rows) > opts.PerPage
	if more {
		rows = rows[:opts.PerPage]
	}
	if back {
		slices.Reverse(rows)
	}
	page := &CursorPage[T]{Items: rows}
	if len(rows) == 0 {
		return page, nil
	}
	// Going forward, the extra row says whether more follow, and having come
	// through a cursor says that rows precede; going back, the reverse.
	hasNext, hasPrevious := more, pos != nil
	if back {
		hasNext, hasPrevious = true, more
	}
	if hasNext {
		page.next = ks.encode(ks.values(reflect.ValueOf(&rows[len(rows)-1]).Elem()), false)
	}
	if hasPrevious {
		page.previous = ks.encode(ks.values(reflect.ValueOf(&rows[0]).Elem()), true)
	}
	return page, nil
}

// keyset knows how to read, compare and encode the ordering fields of a
// model's rows.
type keyset struct {
	terms  []term
	index  [][]int        // each term's struct field index path (a foreign key's ID inside its Ref)
	types  []reflect.Type // the Go type of each term's value in a cursor
	print  uint32         // fingerprint of the model and ordering
	signer CursorSigner
}

func newKeyset(m *orm.Model, terms []term, opts CursorOptions) (*keyset, error) {
	ks := &keyset{terms: terms}
	h := fnv.New32a()
	h.Write([]byte(m.Label()))
	for _, t := range terms {
		f := t.field
		if f == nil {
			return nil, fmt.Errorf("pagination: Cursor over %s: ordering by %q: a cursor needs fields of the model itself, not relations or annotations", m.Label(), t.name)
		}
		if f.Null || f.Kind == orm.KindJSON {
			return nil, fmt.Errorf("pagination: Cursor over %s: ordering by %s: a cursor cannot order by a nullable or JSON field", m.Label(), f.Name)
		}
		sf, _ := m.Type.FieldByName(f.Name)
		index, typ := sf.Index, sf.Type
		if f.Kind == orm.KindForeignKey {
			id, _ := typ.FieldByName("ID")
			index, typ = append(slices.Clip(index), id.Index...), id.Type
		}
		ks.index = append(ks.index, index)
		ks.types = append(ks.types, typ)
		fmt.Fprintf(h, "|%s", t.orderBy(false))
	}
	ks.print = h.Sum32()
	switch {
	case opts.Signer != nil:
		ks.signer = opts.Signer
	case len(opts.Key) > 0:
		ks.signer = signing.New(opts.Key, opts.FallbackKeys...)
	}
	return ks, nil
}

// values reads the ordering fields of row (a struct value).
func (ks *keyset) values(row reflect.Value) []any {
	out := make([]any, len(ks.index))
	for i, idx := range ks.index {
		out[i] = row.FieldByIndex(idx).Interface()
	}
	return out
}

// after is the condition for rows that come after the position values in
// the ordering (before it, when back): for fields a, b, c,
// a > x OR (a = x AND b > y) OR (a = x AND b = y AND c > z), with < for
// descending fields.
func (ks *keyset) after(values []any, back bool) orm.Cond {
	alts := make([]orm.Cond, len(ks.terms))
	for i, t := range ks.terms {
		and := make([]orm.Cond, 0, i+1)
		for j := range i {
			and = append(and, orm.Q(ks.terms[j].name, values[j]))
		}
		op := "__gt"
		if t.desc != back {
			op = "__lt"
		}
		alts[i] = orm.And(append(and, orm.Q(t.name+op, values[i]))...)
	}
	return orm.Or(alts...)
}

// cursorName lists a keyset's fields for messages.
func (ks *keyset) cursorName() string {
	names := make([]string, len(ks.terms))
	for i, t := range ks.terms {
		names[i] = t.orderBy(false)
	}
	return strings.Join(names, ", ")
}
