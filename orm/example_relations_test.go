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

type RelExPerson struct {
	ID     int64
	Name   string              `anode:"max=20"`
	Mentor orm.FK[RelExPerson] `anode:"null,on_delete=set_null,related=mentees"`
}

func ExampleQuerySet_SelectRelated() {
	db, done := openRelExample(RelExPerson{})
	defer done()
	ctx := context.Background()

	ada := RelExPerson{Name: "Ada"}
	orm.Create(ctx, db, &ada)
	orm.Create(ctx, db, &RelExPerson{Name: "Grace", Mentor: orm.FK[RelExPerson]{ID: ada.ID}})

	// One query: a LEFT JOIN of the table to itself, since Mentor may be NULL.
	people, _ := orm.From[RelExPerson](db).SelectRelated("mentor").OrderBy("name").All(ctx)
	for _, p := range people {
		if m := p.Mentor.Loaded(); m != nil {
			fmt.Println(p.Name, "is mentored by", m.Name)
		} else {
			fmt.Println(p.Name, "has no mentor")
		}
	}
	// Output:
	// Ada has no mentor
	// Grace is mentored by Ada
}

func ExampleQuerySet_PrefetchRelated() {
	db, done := openRelExample(RelExPoll{}, RelExOption{}, RelExTag{})
	defer done()
	ctx := context.Background()

	for _, text := range []string{"Best editor?", "Best shell?"} {
		poll := RelExPoll{Text: text}
		orm.Create(ctx, db, &poll)
		orm.Create(ctx, db, &RelExOption{Poll: orm.FK[RelExPoll]{ID: poll.ID}, Text: "the one I use"})
	}
	// Two queries in all: the polls, then every poll's options.
	polls, _ := orm.From[RelExPoll](db).PrefetchRelated("options").OrderBy("text").All(ctx)
	for _, p := range polls {
		fmt.Println(p.Text, len(p.Options.Loaded()), p.Options.Loaded()[0].Text)
	}
	// Output:
	// Best editor? 1 the one I use
	// Best shell? 1 the one I use
}

type RelExAccount struct {
	ID   int64
	Name string `anode:"max=20"`
}

type RelExSettings struct {
	ID      int64
	Account orm.FK[RelExAccount] `anode:"one_to_one,on_delete=cascade,related=settings"`
	Theme   string               `anode:"max=10"`
}

func ExampleRelatedOne() {
	db, done := openRelExample(RelExAccount{}, RelExSettings{})
	defer done()
	ctx := context.Background()

	ann, bob := RelExAccount{Name: "ann"}, RelExAccount{Name: "bob"}
	orm.Create(ctx, db, &ann)
	orm.Create(ctx, db, &bob)
	orm.Create(ctx, db, &RelExSettings{Account: orm.FK[RelExAccount]{ID: ann.ID}, Theme: "dark"})

	s, _ := orm.RelatedOne[RelExSettings](ctx, db, &ann, "settings")
	fmt.Println(s.Theme)
	_, err := orm.RelatedOne[RelExSettings](ctx, db, &bob, "settings")
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// one_to_one is unique: a second row for ann is refused.
	err = orm.Create(ctx, db, &RelExSettings{Account: orm.FK[RelExAccount]{ID: ann.ID}, Theme: "light"})
	var ie *orm.IntegrityError
	fmt.Println(errors.As(err, &ie) && ie.Kind == orm.IntegrityUnique)
	// Output:
	// dark
	// true
	// true
}
