package pagination_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/pagination"
)

// walk follows NextCursor from the first page to the end, then
// PreviousCursor back to the start, and returns the rows seen each way.
func walk(t *testing.T, qs *orm.QuerySet[Item], opts pagination.CursorOptions) (forward, backward []string, pages int) {
	t.Helper()
	ctx := context.Background()
	page, err := pagination.Cursor(ctx, qs, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	if page.HasPrevious() {
		t.Error("first page has a previous page")
	}
	var last *pagination.CursorPage[Item]
	for {
		pages++
		if len(page.Items) > opts.PerPage || page.HasNext() && len(page.Items) != opts.PerPage {
			t.Fatalf("page %d has %d rows (PerPage %d)", pages, len(page.Items), opts.PerPage)
		}
		forward = append(forward, names(page.Items)...)
		last = page
		if !page.HasNext() {
			break
		}
		if page, err = pagination.Cursor(ctx, qs, page.NextCursor(), opts); err != nil {
			t.Fatal(err)
		}
		if pages > 100 {
			t.Fatal("no end")
		}
	}
	page = last
	backward = names(page.Items)
	for page.HasPrevious() {
		if page, err = pagination.Cursor(ctx, qs, page.PreviousCursor(), opts); err != nil {
			t.Fatal(err)
		}
		if !page.HasNext() {
			t.Error("a page reached going back has no next page")
		}
		backward = append(names(page.Items), backward...)
	}
	return forward, backward, pages
}

func TestCursorWalk(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 23)
		items := orm.From[Item](db)
		tests := []struct {
			name  string
			qs    *orm.QuerySet[Item]
			order []string // the full order to compare with
		}{
			{"unordered: primary key", items, []string{"id"}},
			{"unique field", items.OrderBy("name"), []string{"name"}},
			{"duplicates in the first field", items.OrderBy("rank"), []string{"rank", "id"}},
			{"descending with duplicates", items.OrderBy("-rank"), []string{"-rank", "-id"}},
			{"mixed directions", items.OrderBy("group", "-rank"), []string{"group", "-rank", "-id"}},
			{"three fields", items.OrderBy("-group", "rank", "created"), []string{"-group", "rank", "created", "id"}},
			{"time descending", items.OrderBy("-created"), []string{"-created", "id"}},
			{"decimal", items.OrderBy("-price"), []string{"-price", "-id"}},
			{"foreign key", items.OrderBy("author", "name"), []string{"author", "name"}},
			{"filtered", items.Filter("group", "b").OrderBy("rank"), []string{"rank", "id"}},
		}
		for _, tt := range tests {
			for _, perPage := range []int{1, 4, 5, 23, 50} {
				for _, key := range [][]byte{nil, []byte("cursor key, cursor key, cursor k")} {
					opts := pagination.CursorOptions{PerPage: perPage, Key: key}
					forward, backward, pages := walk(t, tt.qs, opts)
					all, err := tt.qs.OrderBy(tt.order...).All(ctx)
					if err != nil {
						t.Fatal(err)
					}
					want := names(all)
					if !slices.Equal(forward, want) || !slices.Equal(backward, want) {
						t.Errorf("%s, %d a page, signed %v: forward\n%v\nbackward\n%v\nwant\n%v", tt.name, perPage, key != nil, forward, backward, want)
					}
					if wantPages := max(1, (len(want)+perPage-1)/perPage); pages != wantPages {
						t.Errorf("%s, %d a page: %d pages, want %d", tt.name, perPage, pages, wantPages)
					}
				}
			}
		}
	})
}

func TestCursorStableUnderInserts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 10)
		qs := orm.From[Item](db).OrderBy("-created") // newest first, like a feed
		opts := pagination.CursorOptions{PerPage: 4}
		page, err := pagination.Cursor(ctx, qs, "", opts)
		if err != nil {
			t.Fatal(err)
		}
		seen := names(page.Items) // item-09 … item-06
		// New rows arrive at the top, and one in the middle with a Created
		// equal to a row on the next page (a duplicate value).
		for i, created := range []time.Time{base.Add(time.Hour), base.Add(2 * time.Hour), base.Add(4 * time.Minute)} {
			it := Item{Name: fmt.Sprintf("new-%d", i), Created: created, Price: orm.NewDecimal(1, 0), Author: orm.FK[Author]{ID: 1}}
			if err := orm.Create(ctx, db, &it); err != nil {
				t.Fatal(err)
			}
		}
		for page.HasNext() {
			if page, err = pagination.Cursor(ctx, qs, page.NextCursor(), opts); err != nil {
				t.Fatal(err)
			}
			seen = append(seen, names(page.Items)...)
		}
		// Offsets would have shown item-06 and item-07 again; keyset shows
		// every original row once, plus the row inserted below the cursor.
		want := []string{"item-09", "item-08", "item-07", "item-06", "item-05", "new-2", "item-04", "item-03", "item-02", "item-01", "item-00"}
		if !slices.Equal(seen, want) {
			t.Errorf("rows seen\n%v\nwant\n%v", seen, want)
		}
	})
}

func TestBadCursors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 10)
		qs := orm.From[Item](db).OrderBy("rank")
		key := []byte("cursor key, cursor key, cursor k")
		unsigned := pagination.CursorOptions{PerPage: 3}
		signed := pagination.CursorOptions{PerPage: 3, Key: key}
		first, _ := pagination.Cursor(ctx, qs, "", unsigned)
		firstSigned, _ := pagination.Cursor(ctx, qs, "", signed)
		other, _ := pagination.Cursor(ctx, orm.From[Item](db).OrderBy("name"), "", unsigned)
		b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		good, _ := base64.RawURLEncoding.DecodeString(first.NextCursor())
		var decoded struct{ O uint32 }
		if err := json.Unmarshal(good, &decoded); err != nil {
			t.Fatalf("cursor payload %s: %v", good, err)
		}
		withValues := func(v string) string { return b64(fmt.Sprintf(`{"o":%d,"v":%s}`, decoded.O, v)) }
		if _, err := pagination.Cursor(ctx, qs, withValues(`[1,3]`), unsigned); err != nil {
			t.Fatalf("a hand-made valid cursor (%s) is refused: %v", good, err)
		}
		tests := []struct {
			name   string
			cursor string
			opts   pagination.CursorOptions
		}{
			{"not base64", "!!!", unsigned},
			{"padded base64", first.NextCursor() + "==", unsigned},
			{"not JSON", b64("hello"), unsigned},
			{"JSON array", b64("[1,2]"), unsigned},
			{"unknown field", b64(`{"o":1,"v":[1,2],"x":1}`), unsigned},
			{"trailing data", b64(string(good) + "{}"), unsigned},
			{"other ordering", other.NextCursor(), unsigned},
			{"wrong fingerprint", b64(`{"o":1,"v":[1,3]}`), unsigned},
			{"too few values", withValues(`[1]`), unsigned},
			{"too many values", withValues(`[1,2,3]`), unsigned},
			{"string for an int", withValues(`["a",2]`), unsigned},
			{"float for an int", withValues(`[1.5,2]`), unsigned},
			{"overflow", withValues(`[1e30,2]`), unsigned},
			{"null", withValues(`[null,2]`), unsigned},
			{"object", withValues(`[{},2]`), unsigned},
			{"too long", strings.Repeat("A", 5000), unsigned},
			{"unsigned where signed are expected", first.NextCursor(), signed},
			{"signed where unsigned are expected", firstSigned.NextCursor(), unsigned},
			{"signature changed", firstSigned.NextCursor()[:len(firstSigned.NextCursor())-2] + "AA", signed},
			{"payload changed", "x" + firstSigned.NextCursor()[1:], signed},
		}
		for _, tt := range tests {
			page, err := pagination.Cursor(ctx, qs, tt.cursor, tt.opts)
			var ce *pagination.CursorError
			if !errors.As(err, &ce) || !errors.Is(err, pagination.ErrInvalidCursor) || ce.HTTPStatus() != http.StatusBadRequest {
				t.Errorf("%s: Cursor(%q) = %v, %v; want a *CursorError (400)", tt.name, tt.cursor, page, err)
			}
		}
	})
}

func TestBadCursorValuesForTheField(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seed(t, db, 5)
		qs := orm.From[Item](db).OrderBy("price", "name")
		page, err := pagination.Cursor(ctx, qs, "", pagination.CursorOptions{PerPage: 2})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(page.NextCursor())
		for _, bad := range []struct{ old, new string }{
			{`"1.50"`, `"1.505"`},                              // more places than the field has
			{`"1.50"`, `"abc"`},                                // not a decimal
			{`"item-01"`, `"item\u0000"`},                      // NUL: PostgreSQL would fail the query
			{`"item-01"`, `"` + strings.Repeat("x", 60) + `"`}, // longer than max=50: harmless, compares
		} {
			c := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), bad.old, bad.new, 1)))
			_, err := pagination.Cursor(ctx, qs, c, pagination.CursorOptions{PerPage: 2})
			if len(bad.new) > 50 {
				if err != nil {
					t.Errorf("cursor with %s: %v; a long string only compares", bad.new, err)
				}
				continue
			}
			if !errors.Is(err, pagination.ErrInvalidCursor) {
				t.Errorf("cursor with %s: %v, want ErrInvalidCursor", bad.new, err)
			}
		}
	})
}

func TestCursorRefusesUnusableOrderings(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		items := orm.From[Item](db)
		for _, qs := range []*orm.QuerySet[Item]{
			items.OrderBy("note"),         // nullable
			items.OrderBy("author__name"), // across a relation
			items.Annotate(orm.CountOf("id").As("n")).OrderBy("n"),
		} {
			if _, err := pagination.Cursor(ctx, qs, "", pagination.CursorOptions{PerPage: 5}); err == nil || errors.Is(err, pagination.ErrInvalidCursor) {
				t.Errorf("ordering %v: %v, want a plain error", qs.Ordering(), err)
			}
		}
		if _, err := pagination.Cursor(ctx, items, "", pagination.CursorOptions{}); err == nil {
			t.Error("PerPage 0 accepted")
		}
	})
}

func TestCursorEmpty(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		page, err := pagination.Cursor(ctx, orm.From[Item](db), "", pagination.CursorOptions{PerPage: 5})
		if err != nil || len(page.Items) != 0 || page.HasNext() || page.HasPrevious() {
			t.Errorf("empty table: %+v, %v", page, err)
		}
		seed(t, db, 3)
		page, _ = pagination.Cursor(ctx, orm.From[Item](db), "", pagination.CursorOptions{PerPage: 2})
		if _, err := orm.From[Item](db).Filter("name", "item-02").Delete(ctx); err != nil {
			t.Fatal(err)
		}
		page, err = pagination.Cursor(ctx, orm.From[Item](db), page.NextCursor(), pagination.CursorOptions{PerPage: 2})
		if err != nil || len(page.Items) != 0 || page.HasNext() || page.HasPrevious() {
			t.Errorf("page whose rows were deleted: %+v, %v", page, err)
		}
	})
}
