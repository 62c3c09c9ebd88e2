package polls

import (
	"time"

	"github.com/anode-go/anode/orm"
)

// Question is a poll: the question asked and when it is published. A
// question whose PubDate is in the future is not shown until then.
type Question struct {
	ID      int64
	Text    string    `anode:"max=200,verbose=question"`
	PubDate time.Time `anode:"index,verbose=date published"`
}

// Meta orders questions newest first.
func (Question) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"-PubDate"}}
}

// String returns the question's text (the label forms and lists show).
func (q Question) String() string { return q.Text }

// Published reports whether the question is visible at now.
func (q Question) Published(now time.Time) bool { return !q.PubDate.After(now) }

// WasPublishedRecently reports whether the question was published within
// the day before now, as in Django's tutorial.
func (q Question) WasPublishedRecently(now time.Time) bool {
	return q.Published(now) && now.Sub(q.PubDate) < 24*time.Hour
}

// Choice is one answer to a Question, with its vote count. Votes are only
// ever changed by one UPDATE … SET votes = votes + 1 (see vote in
// views.go), so concurrent votes are never lost.
type Choice struct {
	ID       int64
	Question orm.FK[Question] `anode:"on_delete=cascade,related=choices"`
	Text     string           `anode:"max=200,verbose=choice"`
	Votes    int64
}

// Meta keeps choices in the order they were added.
func (Choice) Meta() orm.Meta {
	return orm.Meta{Ordering: []string{"ID"}}
}

// String returns the choice's text.
func (c Choice) String() string { return c.Text }
