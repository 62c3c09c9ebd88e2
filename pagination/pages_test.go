package pagination_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/pagination"
)

func TestPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 23)
		qs := orm.From[Item](db).OrderBy("name")
		tests := []struct {
			name     string
			qs       *orm.QuerySet[Item]
			opts     pagination.Options
			numPages int
			sizes    []int // rows on each page
			first    []string
		}{
			{"10 a page", qs, pagination.Options{PerPage: 10}, 3, []int{10, 10, 3}, []string{"item-00", "item-10", "item-20"}},
			{"orphans fold the last page", qs, pagination.Options{PerPage: 10, Orphans: 3}, 2, []int{10, 13}, []string{"item-00", "item-10"}},
			{"orphans below the remainder", qs, pagination.Options{PerPage: 10, Orphans: 2}, 3, []int{10, 10, 3}, []string{"item-00", "item-10", "item-20"}},
			{"exact fit", qs.Filter("name__lt", "item-20"), pagination.Options{PerPage: 5}, 4, []int{5, 5, 5, 5}, []string{"item-00", "item-05", "item-10", "item-15"}},
			{"one page", qs, pagination.Options{PerPage: 100}, 1, []int{23}, []string{"item-00"}},
			{"empty query: one empty page", qs.Filter("rank", 99), pagination.Options{PerPage: 10}, 1, []int{0}, []string{""}},
			{"descending", orm.From[Item](db).OrderBy("-created"), pagination.Options{PerPage: 20}, 2, []int{20, 3}, []string{"item-22", "item-02"}},
		}
		for _, tt := range tests {
			p, err := pagination.PagesWith(ctx, tt.qs, tt.opts)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if p.NumPages() != tt.numPages {
				t.Errorf("%s: NumPages %d, want %d", tt.name, p.NumPages(), tt.numPages)
			}
			total := 0
			for n := 1; n <= p.NumPages(); n++ {
				pg, err := p.Page(ctx, n)
				if err != nil {
					t.Fatalf("%s: page %d: %v", tt.name, n, err)
				}
				if len(pg.Items) != tt.sizes[n-1] {
					t.Errorf("%s: page %d has %d rows, want %d", tt.name, n, len(pg.Items), tt.sizes[n-1])
				}
				first := ""
				if len(pg.Items) > 0 {
					first = pg.Items[0].Name
				}
				if first != tt.first[n-1] {
					t.Errorf("%s: page %d starts with %q, want %q", tt.name, n, first, tt.first[n-1])
				}
				wantStart := total + 1
				if len(pg.Items) == 0 {
					wantStart = 0
				}
				if pg.StartIndex() != wantStart || pg.EndIndex() != total+len(pg.Items) {
					t.Errorf("%s: page %d indexes %d–%d, want %d–%d", tt.name, n, pg.StartIndex(), pg.EndIndex(), wantStart, total+len(pg.Items))
				}
				total += len(pg.Items)
				if pg.HasPrevious() != (n > 1) || pg.HasNext() != (n < tt.numPages) || pg.HasOtherPages() != (tt.numPages > 1) {
					t.Errorf("%s: page %d: HasPrevious %v HasNext %v HasOtherPages %v", tt.name, n, pg.HasPrevious(), pg.HasNext(), pg.HasOtherPages())
				}
				wantNext, wantPrev := n+1, n-1
				if n == tt.numPages {
					wantNext = 0
				}
				if pg.NextNumber() != wantNext || pg.PreviousNumber() != wantPrev {
					t.Errorf("%s: page %d: NextNumber %d PreviousNumber %d", tt.name, n, pg.NextNumber(), pg.PreviousNumber())
				}
				if pg.Count() != p.Count() || pg.NumPages() != p.NumPages() || pg.Paginator() != p {
					t.Errorf("%s: page %d does not report its paginator's figures", tt.name, n)
				}
			}
			if total != p.Count() {
				t.Errorf("%s: pages hold %d rows, Count is %d", tt.name, total, p.Count())
			}
		}
	})
}

func TestPagesStableWithDuplicates(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 30)
		for _, qs := range []*orm.QuerySet[Item]{
			orm.From[Item](db).OrderBy("rank"),  // ties: the primary key breaks them
			orm.From[Item](db).OrderBy("-rank"), // descending ties too
			orm.From[Item](db),                  // unordered: by primary key
		} {
			p, err := pagination.Pages(ctx, qs, 7)
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			for n := 1; n <= p.NumPages(); n++ {
				pg, _ := p.Page(ctx, n)
				seen = append(seen, names(pg.Items)...)
			}
			// The primary key breaks ties in the direction of the last field.
			tie := "id"
			if o := qs.Ordering(); len(o) > 0 && strings.HasPrefix(o[len(o)-1], "-") {
				tie = "-id"
			}
			want, _ := qs.OrderBy(append(qs.Ordering(), tie)...).All(ctx)
			if !slices.Equal(seen, names(want)) {
				t.Errorf("ordering %v: pages give\n%v\nwant\n%v", qs.Ordering(), seen, names(want))
			}
		}
	})
}

func TestBadPageNumbers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 25)
		p, err := pagination.Pages(ctx, orm.From[Item](db).OrderBy("name"), 10) // 3 pages
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			in      string
			want    error // PageOf's
			nearest int   // NearestPage's page
		}{
			{"1", nil, 1},
			{"3", nil, 3},
			{"abc", pagination.ErrNotAnInteger, 1},
			{"", pagination.ErrNotAnInteger, 1},
			{"1.5", pagination.ErrNotAnInteger, 1},
			{" 2", pagination.ErrNotAnInteger, 1},
			{"99999999999999999999999", pagination.ErrNotAnInteger, 1},
			{"0", pagination.ErrEmptyPage, 1},
			{"-1", pagination.ErrEmptyPage, 1},
			{"4", pagination.ErrEmptyPage, 3},
			{"1000", pagination.ErrEmptyPage, 3},
		}
		for _, tt := range tests {
			pg, err := p.PageOf(ctx, tt.in)
			if tt.want == nil {
				if err != nil || pg.Number != tt.nearest {
					t.Errorf("PageOf(%q) = %v, %v", tt.in, pg, err)
				}
			} else {
				var pe *pagination.PageError
				if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.HTTPStatus() != http.StatusNotFound || pe.Page != tt.in {
					t.Errorf("PageOf(%q) error %v, want a *PageError wrapping %v with status 404", tt.in, err, tt.want)
				} else if !strings.HasPrefix(err.Error(), "pagination: page ") {
					t.Errorf("PageOf(%q) message %q", tt.in, err)
				}
			}
			pg, err = p.NearestPage(ctx, tt.in)
			if err != nil || pg.Number != tt.nearest {
				t.Errorf("NearestPage(%q) = page %v, %v; want page %d", tt.in, pg, err, tt.nearest)
			}
		}
		for _, n := range []int{0, -3, 4} {
			if _, err := p.Page(ctx, n); !errors.Is(err, pagination.ErrEmptyPage) {
				t.Errorf("Page(%d) = %v, want ErrEmptyPage", n, err)
			}
		}
		for _, opts := range []pagination.Options{{PerPage: 0}, {PerPage: -1}, {PerPage: 5, Orphans: -1}} {
			if _, err := pagination.PagesWith(ctx, orm.From[Item](db), opts); err == nil {
				t.Errorf("PagesWith(%+v) accepted", opts)
			}
		}
		if _, err := pagination.Pages(ctx, orm.From[Item](db).Filter("nope", 1), 5); err == nil {
			t.Error("a query with a build error was accepted")
		}
	})
}
