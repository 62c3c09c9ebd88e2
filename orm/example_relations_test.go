package orm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anode-go/anode/orm"
)

type RelExPoll struct {
	ID      int64
	Text    string                `anode:"max=100"`
	Tags    orm.M2M[RelExTag]     `anode:"related=polls"`
	Options orm.Many[RelExOption] `anode:"related=options"`
}

type RelExOption struct {
	ID    int64
	Poll  orm.FK[RelExPoll] `anode:"on_delete=cascade,related=options"`
	Text  string            `anode:"max=50"`
	Votes int
}

type RelExTag struct {
	ID   int64
	Name string `anode:"max=20"`
}

// A vote refers to its option; on_delete=protect keeps voted options (and,
// through the cascade, their polls) from being deleted.
type RelExVote struct {
	ID     int64
	Option orm.FK[RelExOption] `anode:"on_delete=protect"`
}

func openRelExample(models ...any) (*orm.DB, func()) {
	dir, _ := os.MkdirTemp("", "orm-example")
	ctx := context.Background()
	r := orm.NewRegistry()
	if err := r.Register("polls", models...); err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, "sqlite:///"+filepath.Join(dir, "polls.db"), r, orm.OpenOptions{})
	if err != nil {
		panic(err)
	}
	if err := db.CreateTables(ctx); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

func ExampleRelatedOf() {
	db, done := openRelExample(RelExPoll{}, RelExOption{}, RelExTag{})
	defer done()
	ctx := context.Background()

	poll := RelExPoll{Text: "Favourite language?"}
	orm.Create(ctx, db, &poll)
	for i, text := range []string{"Go", "Python"} {
		orm.Create(ctx, db, &RelExOption{Poll: orm.FK[RelExPoll]{ID: poll.ID}, Text: text, Votes: 10 - i})
	}
	options, _ := orm.RelatedOf[RelExOption](db, &poll, "options").OrderBy("-votes").All(ctx)
	for _, o := range options {
		fmt.Println(o.Text, o.Votes)
	}
	_, err := orm.RelatedOf[RelExOption](db, &poll, "choices").All(ctx)
	fmt.Println(err)
	// Output:
	// Go 10
	// Python 9
	// orm: polls.RelExPoll: lookup "choices": not a relation from polls.RelExOption to polls.RelExPoll (relations from polls.RelExOption to polls.RelExPoll: options)
}

func ExampleManyOf() {
	db, done := openRelExample(RelExPoll{}, RelExOption{}, RelExTag{})
	defer done()
	ctx := context.Background()

	poll := RelExPoll{Text: "Favourite language?"}
	orm.Create(ctx, db, &poll)
	golang, web := RelExTag{Name: "go"}, RelExTag{Name: "web"}
	orm.Create(ctx, db, &golang)
	orm.Create(ctx, db, &web)

	tags := orm.ManyOf[RelExTag](db, &poll, "Tags")
	tags.Add(ctx, golang, web)
	tags.Remove(ctx, web)
	list, _ := tags.Query().All(ctx)
	fmt.Println(len(list), list[0].Name)

	n, _ := orm.From[RelExPoll](db).Filter("tags__name", "go").Count(ctx)
	fmt.Println(n)
	polls, _ := orm.ManyOf[RelExPoll](db, &golang, "polls").Query().All(ctx)
	fmt.Println(polls[0].Text)
	// Output:
	// 1 go
	// 1
	// Favourite language?
}

func ExampleProtectedError() {
	db, done := openRelExample(RelExPoll{}, RelExOption{}, RelExTag{}, RelExVote{})
	defer done()
	ctx := context.Background()

	poll := RelExPoll{Text: "Favourite language?"}
	orm.Create(ctx, db, &poll)
	opt := RelExOption{Poll: orm.FK[RelExPoll]{ID: poll.ID}, Text: "Go"}
	orm.Create(ctx, db, &opt)
	orm.Create(ctx, db, &RelExVote{Option: orm.FK[RelExOption]{ID: opt.ID}})

	// Deleting the poll would cascade to the option, which a vote protects.
	err := orm.Delete(ctx, db, &poll)
	var pe *orm.ProtectedError
	if errors.As(err, &pe) {
		fmt.Println(pe.Model, pe.Referencing, pe.Field, pe.Rule, pe.Count)
	}
	fmt.Println(errors.Is(err, orm.ErrProtected))
	n, _ := orm.From[RelExPoll](db).Count(ctx)
	fmt.Println(n)
	// Output:
	// polls.RelExOption polls.RelExVote Option protect 1
	// true
	// 1
}
