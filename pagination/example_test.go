package pagination_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/pagination"
)

type Question struct {
	ID   int64
	Text string `anode:"max=200"`
}

// openQuestions opens a throwaway SQLite database holding n questions.
func openQuestions(n int) (*orm.DB, func()) {
	dir, _ := os.MkdirTemp("", "pagination-example")
	r := orm.NewRegistry()
	if err := r.Register("polls", Question{}); err != nil {
		panic(err)
	}
	ctx := context.Background()
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(dir, "db.sqlite3"), r, orm.OpenOptions{})
	if err != nil {
		panic(err)
	}
	if err := db.CreateTables(ctx); err != nil {
		panic(err)
	}
	qs := make([]Question, n)
	for i := range qs {
		qs[i].Text = fmt.Sprintf("Question %d", i+1)
	}
	if err := orm.BulkCreate(ctx, db, qs, 0); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

// Numbered pages: the page number comes from the query string; a bad one is
// a *PageError, which the App renders as 404.
func ExamplePages() {
	db, done := openQuestions(95)
	defer done()
	ctx := context.Background()

	p, err := pagination.Pages(ctx, orm.From[Question](db).OrderBy("id"), 10)
	if err != nil {
		panic(err)
	}
	page, err := p.PageOf(ctx, "5") // r.URL.Query().Get("page")
	if err != nil {
		panic(err)
	}
	fmt.Printf("page %d of %d: %s … %s (rows %d–%d of %d)\n", page.Number, page.NumPages(),
		page.Items[0].Text, page.Items[len(page.Items)-1].Text, page.StartIndex(), page.EndIndex(), page.Count())
	var links []string
	for _, l := range page.RangeWith(1, 1) { // what a template ranges over
		switch {
		case l.Ellipsis():
			links = append(links, "…")
		case l.Current:
			links = append(links, fmt.Sprintf("[%d]", l.Number))
		default:
			links = append(links, fmt.Sprint(l.Number))
		}
	}
	fmt.Println(strings.Join(links, " "))

	_, err = p.PageOf(ctx, "abc")
	fmt.Println(err)
	last, _ := p.NearestPage(ctx, "99")
	fmt.Println("nearest to 99:", last.Number)
	// Output:
	// page 5 of 10: Question 41 … Question 50 (rows 41–50 of 95)
	// 1 … 4 [5] 6 … 10
	// pagination: page "abc": not an integer
	// nearest to 99: 10
}

// Cursor pages: each page links to the next and previous through opaque
// cursors, and stays correct while rows are added.
func ExampleCursor() {
	db, done := openQuestions(5)
	defer done()
	ctx := context.Background()
	qs := orm.From[Question](db).OrderBy("-id") // newest first
	opts := pagination.CursorOptions{PerPage: 2}

	page, err := pagination.Cursor(ctx, qs, "", opts) // r.URL.Query().Get("cursor")
	for err == nil {
		fmt.Println(page.Items[0].Text, "…", page.Items[len(page.Items)-1].Text, "| previous:", page.HasPrevious())
		if !page.HasNext() {
			break
		}
		page, err = pagination.Cursor(ctx, qs, page.NextCursor(), opts)
	}
	_, err = pagination.Cursor(ctx, qs, "bm90IGEgY3Vyc29y", opts)
	fmt.Println(err)
	// Output:
	// Question 5 … Question 4 | previous: false
	// Question 3 … Question 2 | previous: true
	// Question 1 … Question 1 | previous: true
	// pagination: invalid cursor: malformed: invalid character 'o' in literal null (expecting 'u')
}
