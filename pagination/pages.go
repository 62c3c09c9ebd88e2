package pagination

import (
	"context"
	"fmt"
	"strconv"

	"github.com/anode-go/anode/orm"
)

// Options configure a page-number Paginator.
type Options struct {
	// PerPage is the number of rows on a full page. Required (1 or more).
	PerPage int
	// Orphans folds a last page of this many rows or fewer into the page
	// before it, so the list does not end on a nearly empty page: with
	// PerPage 10 and Orphans 3, 23 rows make two pages (10 and 13), not
	// three.
	Orphans int
}

// Paginator serves the numbered pages of a query. It counts the rows once,
// when made; each Page runs one query for its rows. A Paginator is
// immutable and safe for concurrent use.
type Paginator[T any] struct {
	qs    *orm.QuerySet[T]
	opts  Options
	count int
}

// Pages counts the rows of qs and returns a Paginator of perPage rows a
// page. It is PagesWith with only PerPage set.
func Pages[T any](ctx context.Context, qs *orm.QuerySet[T], perPage int) (*Paginator[T], error) {
	return PagesWith(ctx, qs, Options{PerPage: perPage})
}

// PagesWith counts the rows of qs and returns a Paginator with opts. The
// query is ordered as the package documentation describes. An error is the
// query's (a bad lookup, the database's) or a PerPage below 1.
func PagesWith[T any](ctx context.Context, qs *orm.QuerySet[T], opts Options) (*Paginator[T], error) {
	if opts.PerPage < 1 || opts.Orphans < 0 {
		return nil, fmt.Errorf("pagination: PerPage %d, Orphans %d: want PerPage 1 or more and Orphans 0 or more", opts.PerPage, opts.Orphans)
	}
	qs, _, err := stableOrder(qs)
	if err != nil {
		return nil, err
	}
	n, err := qs.Count(ctx)
	if err != nil {
		return nil, err
	}
	return &Paginator[T]{qs: qs, opts: opts, count: int(n)}, nil
}

// Count returns the number of rows, counted when the Paginator was made.
func (p *Paginator[T]) Count() int { return p.count }

// PerPage returns the number of rows on a full page.
func (p *Paginator[T]) PerPage() int { return p.opts.PerPage }

// NumPages returns the number of pages: at least 1, since an empty query
// has one empty page.
func (p *Paginator[T]) NumPages() int {
	hits := max(1, p.count-p.opts.Orphans)
	return (hits + p.opts.PerPage - 1) / p.opts.PerPage
}

// Page returns page number n (from 1), or a *PageError wrapping ErrEmptyPage
// when there is no such page.
func (p *Paginator[T]) Page(ctx context.Context, n int) (*Page[T], error) {
	if n < 1 || n > p.NumPages() {
		return nil, &PageError{Page: strconv.Itoa(n), Pages: p.NumPages(), Err: ErrEmptyPage}
	}
	return p.page(ctx, n)
}

// PageOf returns the page whose number is s, as a query parameter holds
// it: a *PageError wrapping ErrNotAnInteger when s is not a number ("",
// "abc", "2.5"), or ErrEmptyPage when there is no such page (0, -1, past
// the last). Both have HTTPStatus 404.
func (p *Paginator[T]) PageOf(ctx context.Context, s string) (*Page[T], error) {
	n, ok := parsePage(s)
	if !ok {
		return nil, &PageError{Page: s, Pages: p.NumPages(), Err: ErrNotAnInteger}
	}
	if n < 1 || n > p.NumPages() {
		return nil, &PageError{Page: s, Pages: p.NumPages(), Err: ErrEmptyPage}
	}
	return p.page(ctx, n)
}

// NearestPage is the lenient PageOf (Django's get_page): s that is not a
// number, or below 1, gives the first page, and a number past the end the
// last. Its only errors are the database's.
func (p *Paginator[T]) NearestPage(ctx context.Context, s string) (*Page[T], error) {
	n, ok := parsePage(s)
	if !ok || n < 1 {
		n = 1
	}
	return p.page(ctx, min(n, p.NumPages()))
}

func (p *Paginator[T]) page(ctx context.Context, n int) (*Page[T], error) {
	start := (n - 1) * p.opts.PerPage
	end := start + p.opts.PerPage
	if end+p.opts.Orphans >= p.count {
		end = p.count
	}
	pg := &Page[T]{Number: n, paginator: p, start: start, end: end}
	if end > start {
		items, err := p.qs.Offset(start).Limit(end - start).All(ctx)
		if err != nil {
			return nil, err
		}
		pg.Items = items
	}
	return pg, nil
}

// Page is one numbered page. Its methods are meant for templates:
//
//	{{if .Page.HasPrevious}}<a href="?page={{.Page.PreviousNumber}}">previous</a>{{end}}
//	{{range .Page.Range}}{{if .Ellipsis}}…{{else if .Current}}<b>{{.Number}}</b>{{else}}<a href="?page={{.Number}}">{{.Number}}</a>{{end}}{{end}}
//	{{if .Page.HasNext}}<a href="?page={{.Page.NextNumber}}">next</a>{{end}}
type Page[T any] struct {
	// Items are the page's rows, in order.
	Items []T
	// Number is the page's number, from 1.
	Number int

	paginator  *Paginator[T]
	start, end int // row indexes, end exclusive
}

// Paginator returns the Paginator the page came from.
func (pg *Page[T]) Paginator() *Paginator[T] { return pg.paginator }

// Count returns the number of rows on all pages.
func (pg *Page[T]) Count() int { return pg.paginator.count }

// NumPages returns the number of pages.
func (pg *Page[T]) NumPages() int { return pg.paginator.NumPages() }

// HasNext reports whether a page follows this one.
func (pg *Page[T]) HasNext() bool { return pg.Number < pg.NumPages() }

// HasPrevious reports whether a page comes before this one.
func (pg *Page[T]) HasPrevious() bool { return pg.Number > 1 }

// HasOtherPages reports whether there is more than one page.
func (pg *Page[T]) HasOtherPages() bool { return pg.HasNext() || pg.HasPrevious() }

// NextNumber returns the next page's number (0 on the last page).
func (pg *Page[T]) NextNumber() int {
	if !pg.HasNext() {
		return 0
	}
	return pg.Number + 1
}

// PreviousNumber returns the previous page's number (0 on the first page).
func (pg *Page[T]) PreviousNumber() int {
	if !pg.HasPrevious() {
		return 0
	}
	return pg.Number - 1
}

// StartIndex returns the position of the page's first row among all rows,
// counting from 1 ("showing 21–40 of 95"); 0 when there are no rows.
func (pg *Page[T]) StartIndex() int {
	if pg.end == pg.start {
		return 0
	}
	return pg.start + 1
}

// EndIndex returns the position of the page's last row, counting from 1;
// 0 when there are no rows.
func (pg *Page[T]) EndIndex() int { return pg.end }

// Range returns the page links to show around this page, with the first and
// last pages and ellipses between: "1 2 … 5 6 7 8 9 10 11 … 19 20" (three
// pages on each side of the current one, two at each end). It is
// RangeWith(3, 2).
func (pg *Page[T]) Range() []Link { return pg.RangeWith(3, 2) }

// RangeWith is Range with onEachSide pages beside the current one and
// onEnds pages at each end (Django's get_elided_page_range).
func (pg *Page[T]) RangeWith(onEachSide, onEnds int) []Link {
	return elidedRange(pg.Number, pg.NumPages(), max(0, onEachSide), max(0, onEnds))
}
