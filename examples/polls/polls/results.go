package polls

import (
	"context"

	"github.com/anode-go/anode/orm"
)

// Results is a question's vote counts: the results page's data, the JSON
// endpoint's body and the payload published to the question's realtime
// topic after each vote, so all three agree.
type Results struct {
	ID       int64          `json:"id"`
	Question string         `json:"question"`
	Total    int64          `json:"total"`
	Choices  []ChoiceResult `json:"choices"`
}

// ChoiceResult is one choice's count in Results.
type ChoiceResult struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Votes   int64  `json:"votes"`
	Percent int64  `json:"percent"` // of Total, rounded down; 0 when nobody voted
}

// loadResults reads q's choices and their counts.
func loadResults(ctx context.Context, db *orm.DB, q Question) (Results, error) {
	choices, err := orm.From[Choice](db).Filter("question", q.ID).All(ctx)
	if err != nil {
		return Results{}, err
	}
	res := Results{ID: q.ID, Question: q.Text, Choices: make([]ChoiceResult, len(choices))}
	for i, c := range choices {
		res.Choices[i] = ChoiceResult{ID: c.ID, Text: c.Text, Votes: c.Votes}
		res.Total += c.Votes
	}
	if res.Total > 0 {
		for i := range res.Choices {
			res.Choices[i].Percent = res.Choices[i].Votes * 100 / res.Total
		}
	}
	return res, nil
}
