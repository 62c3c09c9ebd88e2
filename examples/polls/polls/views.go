package polls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/messages"
	"github.com/anode-go/anode/orm"
)

// latest is how many questions the index lists.
const latest = 5

// home sends the site's root to the list of polls.
func home(w http.ResponseWriter, r *http.Request) error {
	to, err := anode.FromContext(r.Context()).URL("polls-index")
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// indexPage is the data of polls/index.html.
type indexPage struct {
	Questions []Question
	Now       time.Time
}

// index lists the latest published questions, newest first (Question's
// Meta ordering); questions published in the future stay hidden.
func index(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	qs, err := orm.From[Question](db(r)).Filter("pub_date__lte", now).Limit(latest).All(r.Context())
	if err != nil {
		return err
	}
	return anode.Render(w, r, "polls/index.html", indexPage{Questions: qs, Now: now})
}

// detailPage is the data of polls/detail.html.
type detailPage struct {
	Question Question
	Form     *forms.Form[voteForm]
	Error    string // shown above the form when a vote was refused
}

// detail shows a question and its vote form.
func detail(w http.ResponseWriter, r *http.Request) error {
	q, choices, err := questionAndChoices(r)
	if err != nil {
		return err
	}
	return anode.Render(w, r, "polls/detail.html", detailPage{Question: q, Form: newVoteForm(choices)})
}

// vote counts a vote and sends the voter to the results. The count is one
// UPDATE … SET votes = votes + 1 in the database (an F expression), never
// read-modify-write in Go, so concurrent votes are all counted. Then the new
// results are published to the question's realtime topic, and every open
// results page updates. The route is CSRF-protected like every unsafe
// method: a post without the page's token is refused with 403 before this
// runs.
func vote(w http.ResponseWriter, r *http.Request) error {
	q, choices, err := questionAndChoices(r)
	if err != nil {
		return err
	}
	f := newVoteForm(choices)
	if err := f.Bind(r); err != nil {
		return err // a body the form refuses outright: 400, 413 or 415
	}
	if !f.Valid() {
		// Django's tutorial: show the question again, with an error.
		return anode.Render(w, r, "polls/detail.html", detailPage{Question: q, Form: f, Error: "You didn't select a choice."})
	}
	ctx := r.Context()
	n, err := orm.From[Choice](db(r)).Filter("id", f.Data.Choice).Filter("question", q.ID).
		Update(ctx, orm.Set("votes", orm.F("votes").Add(1)))
	if err != nil {
		return err
	}
	if n == 0 { // the choice was deleted since the form was shown
		return anode.Render(w, r, "polls/detail.html", detailPage{Question: q, Form: f, Error: "That choice no longer exists; please choose again."})
	}
	res, err := loadResults(ctx, db(r), q)
	if err != nil {
		return err
	}
	publishResults(ctx, res)
	messages.Success(r, fmt.Sprintf("Thanks for voting! Your vote for “%s” was counted.", choiceText(choices, f.Data.Choice)))
	to, err := anode.FromContext(ctx).URL("polls-results", q.ID)
	if err != nil {
		return err
	}
	// 303: the browser fetches the results with GET, and reloading them
	// does not post the vote again.
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// publishResults sends res to the question's topic. The vote is already
// counted, so a failure is logged rather than returned: the voter still sees
// the results, and other pages catch up on the next vote or reload.
func publishResults(ctx context.Context, res Results) {
	app := anode.FromContext(ctx)
	if _, err := app.Realtime().Publish(ctx, resultsTopic(res.ID), res); err != nil {
		app.Logger().WarnContext(ctx, "polls: publishing results failed", "question", res.ID, "error", err)
	}
}

// results shows a question's results; polls/results.js keeps them live.
func results(w http.ResponseWriter, r *http.Request) error {
	res, err := publishedResults(r)
	if err != nil {
		return err
	}
	return anode.Render(w, r, "polls/results.html", res)
}

// resultsJSON answers GET /api/polls/{id}/results/ with the Results as
// JSON; results.js reloads from it when it missed live updates.
func resultsJSON(w http.ResponseWriter, r *http.Request) error {
	res, err := publishedResults(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(res)
}

// newPollPage is the data of polls/new.html.
type newPollPage struct {
	Question *forms.ModelForm[Question]
	Choices  *forms.ModelFormSet[Choice]
}

// newPoll lets staff create a question with its choices: a ModelForm for
// the question and a ModelFormSet for the choices, saved in one
// transaction. The routes put requireStaff in front of it.
func newPoll(w http.ResponseWriter, r *http.Request) error {
	ctx, db := r.Context(), db(r)
	qf, err := forms.NewModelForm[Question](ctx, db, nil, questionFields...)
	if err != nil {
		return err
	}
	qf.Instance.PubDate = time.Now().UTC().Truncate(time.Minute) // publish now, unless changed
	cs, err := forms.NewModelFormSet[Choice](ctx, db, nil, choiceFields...)
	if err != nil {
		return err
	}
	cs.Prefix, cs.Extra, cs.Min, cs.Max = "choices", 5, 2, 20
	page := newPollPage{Question: qf, Choices: cs}
	if r.Method != http.MethodPost {
		return anode.Render(w, r, "polls/new.html", page)
	}

	// Two forms share one body: parse it once, then bind each from the
	// values (a request body can be read only once).
	if err := r.ParseForm(); err != nil {
		return anode.NewError(http.StatusBadRequest, "The form could not be read.", err)
	}
	if err := qf.BindValues(ctx, r.PostForm); err != nil {
		return err
	}
	if err := cs.BindValues(ctx, r.PostForm); err != nil {
		return err
	}
	if !qf.Valid() || !cs.Valid() {
		return anode.Render(w, r, "polls/new.html", page)
	}
	err = db.Atomic(ctx, func(ctx context.Context) error {
		if err := qf.Save(ctx); err != nil {
			return err
		}
		return cs.Save(ctx, func(c *Choice) { c.Question = orm.FK[Question]{ID: qf.Instance.ID} })
	})
	var formErrs *forms.Errors
	if errors.As(err, &formErrs) {
		return anode.Render(w, r, "polls/new.html", page) // the database refused a value: shown on its field
	}
	if err != nil {
		return err
	}
	messages.Success(r, fmt.Sprintf("Poll “%s” created.", qf.Instance.Text))
	to, err := anode.FromContext(ctx).URL("polls-detail", qf.Instance.ID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// requireStaff lets staff members through (Django's staff_member_required):
// anonymous visitors are sent to log in, other users get 403.
func requireStaff(next http.Handler) http.Handler {
	return auth.RequireLogin(anode.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if u := auth.UserFromRequest(r); u == nil || !u.IsStaff {
			return anode.NewError(http.StatusForbidden, "Only staff members can create polls.", nil)
		}
		next.ServeHTTP(w, r)
		return nil
	}))
}

// db returns the App's database.
func db(r *http.Request) *orm.DB { return anode.FromContext(r.Context()).DB() }

// errNoPoll is the 404 of an unknown, unpublished or malformed poll ID.
func errNoPoll(cause error) error {
	return anode.NewError(http.StatusNotFound, "No poll with that number.", cause)
}

// publishedQuestion loads the question named by the URL's {id}, if it is
// published: a future question is as unknown as a missing one.
func publishedQuestion(r *http.Request) (Question, error) {
	id, err := anode.PathInt(r, "id")
	if err != nil || id <= 0 {
		return Question{}, errNoPoll(err)
	}
	q, err := orm.From[Question](db(r)).Filter("id", id).Filter("pub_date__lte", time.Now()).Get(r.Context())
	if errors.Is(err, orm.ErrNotFound) {
		return Question{}, errNoPoll(err)
	}
	return q, err
}

// publishedResults loads the Results of the published question of the
// URL.
func publishedResults(r *http.Request) (Results, error) {
	q, err := publishedQuestion(r)
	if err != nil {
		return Results{}, err
	}
	return loadResults(r.Context(), db(r), q)
}

// questionAndChoices loads the published question of the URL and its
// choices.
func questionAndChoices(r *http.Request) (Question, []Choice, error) {
	q, err := publishedQuestion(r)
	if err != nil {
		return q, nil, err
	}
	choices, err := orm.From[Choice](db(r)).Filter("question", q.ID).All(r.Context())
	return q, choices, err
}

// newVoteForm returns the vote form offering choices.
func newVoteForm(choices []Choice) *forms.Form[voteForm] {
	f := forms.New[voteForm]()
	opts := make([]forms.Choice, len(choices))
	for i, c := range choices {
		opts[i] = forms.Choice{Value: strconv.FormatInt(c.ID, 10), Label: c.Text}
	}
	f.SetChoices("choice", opts)
	return f
}

// choiceText is the text of the choice with the given ID.
func choiceText(choices []Choice, id int64) string {
	for _, c := range choices {
		if c.ID == id {
			return c.Text
		}
	}
	return ""
}
