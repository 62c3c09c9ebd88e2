package pagination_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/pagination"
)

// FuzzCursor feeds arbitrary cursors to Cursor over a real SQLite database:
// each is a page or a *CursorError, never a panic, an SQL error or another
// error.
func FuzzCursor(f *testing.F) {
	r := orm.NewRegistry()
	if err := r.Register("shop", Author{}, Item{}); err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(f.TempDir(), "fuzz.db"), r, orm.OpenOptions{})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateTables(ctx); err != nil {
		f.Fatal(err)
	}
	seed(f, db, 6)
	queries := []*orm.QuerySet[Item]{
		orm.From[Item](db).OrderBy("rank"),
		orm.From[Item](db).OrderBy("-created", "name"),
		orm.From[Item](db).OrderBy("price", "author"),
	}
	for _, qs := range queries {
		p, err := pagination.Cursor(ctx, qs, "", pagination.CursorOptions{PerPage: 2})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.NextCursor())
		p, _ = pagination.Cursor(ctx, qs, p.NextCursor(), pagination.CursorOptions{PerPage: 2})
		f.Add(p.PreviousCursor())
	}
	f.Add("")
	f.Add("eyJvIjoxLCJ2IjpbXX0")
	f.Fuzz(func(t *testing.T, cursor string) {
		for _, qs := range queries {
			_, err := pagination.Cursor(ctx, qs, cursor, pagination.CursorOptions{PerPage: 2})
			if err != nil && !errors.Is(err, pagination.ErrInvalidCursor) {
				t.Fatalf("Cursor(%q): %v, want a page or ErrInvalidCursor", cursor, err)
			}
		}
	})
}
