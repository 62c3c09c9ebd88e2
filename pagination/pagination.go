// Package pagination splits an orm.QuerySet into pages, two ways.
//
// # Page numbers
//
// Pages counts the rows once and serves numbered pages, as Django's
// Paginator does: "page 3 of 20", with links to any page.
//
//	p, err := pagination.Pages(ctx, orm.From[Question](db).OrderBy("-pub_date"), 20)
//	if err != nil {
//		return err
//	}
//	page, err := p.PageOf(ctx, r.URL.Query().Get("page")) // "abc", 0, 99: a *PageError, rendered as 404
//	if err != nil {
//		return err
//	}
//	// page.Items, page.HasNext, page.NextNumber, page.Range ("1 2 … 7 8 9 … 19 20")
//
// NearestPage is the lenient alternative (Django's get_page): a page number
// that is not a number gives the first page, one past the end the last.
//
// # Cursors
//
// Cursor pages by position (keyset pagination): each page is the rows after
// (or before) the last row of the previous one, in the query's order, found
// with a WHERE condition on the ordering fields rather than an OFFSET. It
// stays fast deep into a large table and stable while rows are inserted —
// no row is skipped or shown twice — but offers only next and previous, not
// page numbers. Cursors are opaque strings for a query parameter; a cursor
// that is malformed, changed or made for another ordering is a *CursorError
// (400), never a panic or an SQL error.
//
// # Ordering
//
// Pages must come in a stable order. Both paginators order by the query's
// ordering (OrderBy, else the model's Meta.Ordering) and then, unless it
// already ends in a unique field, by the primary key, so rows with equal
// values never swap places between pages. An unordered query is ordered by
// primary key.
package pagination

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// ErrNotAnInteger and ErrEmptyPage are the causes of a *PageError (Django's
// PageNotAnInteger and EmptyPage).
var (
	ErrNotAnInteger = errors.New("not an integer")
	ErrEmptyPage    = errors.New("no such page")
)

// PageError reports a page number that does not name a page. Its HTTPStatus
// is 404, so a handler can return it as is.
type PageError struct {
	// Page is the page number as given.
	Page string
	// Pages is the number of pages there are.
	Pages int
	// Err is ErrNotAnInteger or ErrEmptyPage.
	Err error
}

func (e *PageError) Error() string {
	if errors.Is(e.Err, ErrNotAnInteger) {
		return fmt.Sprintf("pagination: page %q: %v", e.Page, e.Err)
	}
	return fmt.Sprintf("pagination: page %s: %v (pages 1 to %d)", e.Page, e.Err, e.Pages)
}

// Unwrap returns Err.
func (e *PageError) Unwrap() error { return e.Err }

// HTTPStatus returns 404 Not Found.
func (e *PageError) HTTPStatus() int { return http.StatusNotFound }

// ErrInvalidCursor is the cause of every *CursorError.
var ErrInvalidCursor = errors.New("pagination: invalid cursor")

// CursorError reports a cursor that cannot be used: malformed, tampered
// with, or made for a differently ordered query. Its HTTPStatus is 400.
type CursorError struct {
	// Reason says what is wrong, for logs; the cursor itself is not kept.
	Reason string
}

func (e *CursorError) Error() string { return "pagination: invalid cursor: " + e.Reason }

// Is reports whether target is ErrInvalidCursor.
func (e *CursorError) Is(target error) bool { return target == ErrInvalidCursor }

// HTTPStatus returns 400 Bad Request.
func (e *CursorError) HTTPStatus() int { return http.StatusBadRequest }

// parsePage parses a page number: decimal digits with an optional sign,
// nothing else.
func parsePage(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}
