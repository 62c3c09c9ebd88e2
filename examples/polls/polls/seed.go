package polls

import (
	"context"
	"time"

	"github.com/anode-go/anode/orm"
)

// samples are the questions Seed creates, with their choices.
var samples = []struct {
	text    string
	age     time.Duration // published this long ago
	choices []string
}{
	{"What's new?", 2 * time.Hour, []string{"Not much", "The sky", "Just hacking again"}},
	{"Which database do you start a project on?", 26 * time.Hour, []string{"SQLite", "PostgreSQL", "MySQL or MariaDB", "Whatever the team knows"}},
	{"Tabs or spaces?", 3 * 24 * time.Hour, []string{"Tabs", "Spaces", "gofmt decides"}},
}

// Seed gives an empty polls database a few sample questions, published
// recently, so a first run has something to vote on. It does nothing when
// any question exists, and reports whether it created the samples. Every
// question and choice is created in one transaction.
func Seed(ctx context.Context, db *orm.DB) (bool, error) {
	now := time.Now().UTC()
	seeded := false
	err := db.Atomic(ctx, func(ctx context.Context) error {
		// Counted inside the transaction: on SQLite it holds the one
		// writer, so two processes starting at once do not both seed.
		if n, err := orm.From[Question](db).Count(ctx); err != nil || n > 0 {
			return err
		}
		seeded = true
		for _, s := range samples {
			q := Question{Text: s.text, PubDate: now.Add(-s.age)}
			if err := orm.Create(ctx, db, &q); err != nil {
				return err
			}
			for _, text := range s.choices {
				c := Choice{Question: orm.FK[Question]{ID: q.ID}, Text: text}
				if err := orm.Create(ctx, db, &c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return seeded && err == nil, err
}
