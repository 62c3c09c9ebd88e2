package polls_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/examples/polls/polls"
	"github.com/anode-go/anode/orm"
)

// newApp starts the polls app (with auth) on a fresh database of dbURL,
// migrated (anodetest does it) and seeded.
func newApp(t *testing.T, dbURL string) *anode.App {
	t.Helper()
	cfg := anodetest.Config(t)
	cfg.DatabaseURL = dbURL
	app := anodetest.NewAppConfig(t, cfg, polls.Module(), auth.Module())
	ctx := context.Background()
	if seeded, err := polls.Seed(ctx, app.DB()); err != nil || !seeded {
		t.Fatalf("Seed = %v, %v", seeded, err)
	}
	if seeded, err := polls.Seed(ctx, app.DB()); err != nil || seeded {
		t.Fatalf("second Seed = %v, %v; want nothing done", seeded, err)
	}
	return app
}

// question returns the seeded question with the given text and its choices.
func question(t *testing.T, app *anode.App, text string) (polls.Question, []polls.Choice) {
	t.Helper()
	ctx := context.Background()
	q, err := orm.From[polls.Question](app.DB()).Filter("text", text).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := orm.From[polls.Choice](app.DB()).Filter("question", q.ID).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return q, cs
}

func TestPolls(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		c := anodetest.NewClient(t, app)
		q, choices := question(t, app, "What's new?")
		detail := fmt.Sprintf("/polls/%d/", q.ID)

		c.Get("/").AssertRedirect("/polls/")
		c.Get("/polls/").AssertStatus(200).AssertTitle("Latest polls · Anode Polls").
			AssertText("What's new? New").AssertText("Tabs or spaces?").AssertContains(`href="` + detail + `"`)
		c.Get(detail).AssertStatus(200).AssertTitle("What's new? · Anode Polls").
			AssertContains(`name="csrf_token"`).AssertContains(`type="radio" name="choice"`).AssertText("The sky")

		// No choice: the question again, with Django's error.
		c.Post(detail+"vote/", url.Values{}).AssertStatus(200).AssertText("You didn't select a choice.").AssertContains(`role="alert"`)
		// Another question's choice is not a choice of this one.
		_, other := question(t, app, "Tabs or spaces?")
		c.Post(detail+"vote/", url.Values{"choice": {fmt.Sprint(other[0].ID)}}).AssertStatus(200).AssertText("You didn't select a choice.")

		// A vote: counted, flashed, and shown on the results page.
		c.Post(detail+"vote/", url.Values{"choice": {fmt.Sprint(choices[1].ID)}}).AssertStatus(303).AssertRedirect(detail + "results/")
		c.Get(detail + "results/").AssertStatus(200).AssertText("Thanks for voting! Your vote for “The sky” was counted.").
			AssertText("The sky 1 vote · 100%").AssertText("1 vote").AssertContains(`data-topic="poll:` + fmt.Sprint(q.ID) + `"`)
		c.Get(detail + "results/").AssertNotContains("Thanks for voting") // shown once
		var res polls.Results
		c.Get(fmt.Sprintf("/api/polls/%d/results/", q.ID)).AssertStatus(200).AssertHeader("Content-Type", "application/json").JSON(&res)
		if res.Total != 1 || len(res.Choices) != 3 || res.Choices[1].Votes != 1 || res.Choices[1].Percent != 100 || res.Question != "What's new?" {
			t.Errorf("results JSON = %+v", res)
		}

		// Unknown, malformed and future polls are the 404 page.
		future := polls.Question{Text: "Next year?", PubDate: time.Now().Add(365 * 24 * time.Hour)}
		if err := orm.Create(context.Background(), app.DB(), &future); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/polls/999999/", "/polls/abc/", "/polls/-1/results/", fmt.Sprintf("/polls/%d/", future.ID), "/api/polls/999999/results/"} {
			c.Get(path).AssertStatus(404).AssertText("No poll with that number.")
		}
		c.Get("/polls/").AssertNotContains("Next year?")
	})
}

func TestVoteNeedsCSRFToken(t *testing.T) {
	app := newApp(t, anodetest.SQLiteURL(t))
	q, choices := question(t, app, "What's new?")
	c := anodetest.NewClient(t, app)
	c.NoCSRF = true
	c.Post(fmt.Sprintf("/polls/%d/vote/", q.ID), url.Values{"choice": {fmt.Sprint(choices[0].ID)}}).AssertStatus(403)
	if _, after := question(t, app, "What's new?"); after[0].Votes != 0 {
		t.Errorf("a vote without a CSRF token was counted: %d", after[0].Votes)
	}
}

// Votes are one UPDATE with an F expression: none is lost under
// concurrency.
func TestConcurrentVotes(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		q, choices := question(t, app, "Tabs or spaces?")
		const voters, each = 20, 5
		var wg sync.WaitGroup
		for range voters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := anodetest.NewClient(t, app)
				for range each {
					c.Post(fmt.Sprintf("/polls/%d/vote/", q.ID), url.Values{"choice": {fmt.Sprint(choices[2].ID)}}).AssertStatus(303)
				}
			}()
		}
		wg.Wait()
		if _, after := question(t, app, "Tabs or spaces?"); after[2].Votes != voters*each {
			t.Errorf("votes = %d, want %d", after[2].Votes, voters*each)
		}
	})
}

func TestNewPoll(t *testing.T) {
	app := newApp(t, anodetest.SQLiteURL(t))
	ctx := context.Background()
	if _, err := auth.CreateSuperuser(ctx, app.DB(), "ada", "", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateUser(ctx, app.DB(), "bob", "", "correct horse battery"); err != nil {
		t.Fatal(err)
	}

	anon := anodetest.NewClient(t, app)
	anon.Get("/polls/new/").AssertRedirect("/accounts/login/?next=%2Fpolls%2Fnew%2F")
	anon.Get("/accounts/login/").AssertStatus(200).AssertTitle("Log in · Anode Polls").AssertContains(`name="csrf_token"`)

	bob := anodetest.NewClient(t, app)
	bob.Post("/accounts/login/", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}).AssertStatus(302)
	bob.Get("/polls/new/").AssertStatus(403)
	bob.Get("/polls/").AssertText("Signed in as bob").AssertNotContains("New poll")

	ada := anodetest.NewClient(t, app)
	ada.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"correct horse battery"}, "next": {"/polls/new/"}}).AssertRedirect("/polls/new/")
	ada.Get("/polls/").AssertText("Signed in as ada").AssertText("New poll")
	ada.Get("/polls/new/").AssertStatus(200).AssertTitle("New poll · Anode Polls").
		AssertContains(`name="choices-TOTAL_FORMS"`).AssertContains(`name="text"`).AssertContains(`name="pub_date"`)

	form := func(question string, choices ...string) url.Values {
		v := url.Values{"text": {question}, "pub_date": {time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04")},
			"choices-TOTAL_FORMS": {"5"}, "choices-INITIAL_FORMS": {"0"}}
		for i, c := range choices {
			v.Set(fmt.Sprintf("choices-%d-text", i), c)
		}
		return v
	}
	// One choice is too few; nothing is saved.
	ada.Post("/polls/new/", form("Cats or dogs?", "Cats")).AssertStatus(200).AssertText("Submit at least 2 forms.")
	ada.Post("/polls/new/", form("", "Cats", "Dogs")).AssertStatus(200).AssertText("This field is required.")
	if n, _ := orm.From[polls.Question](app.DB()).Filter("text", "Cats or dogs?").Count(ctx); n != 0 {
		t.Fatalf("an invalid poll was saved (%d)", n)
	}
	r := ada.Post("/polls/new/", form("Cats or dogs?", "Cats", "Dogs", ""))
	r.AssertStatus(303)
	q, choices := question(t, app, "Cats or dogs?")
	r.AssertRedirect(fmt.Sprintf("/polls/%d/", q.ID))
	if len(choices) != 2 || choices[0].Text != "Cats" || choices[1].Text != "Dogs" {
		t.Errorf("choices = %+v", choices)
	}
	ada.Get(fmt.Sprintf("/polls/%d/", q.ID)).AssertText("Poll “Cats or dogs?” created.").AssertText("Dogs")

	// Log out (POST with the CSRF token) and the page is for anonymous again.
	ada.Post("/accounts/logout/", url.Values{}).AssertStatus(302)
	ada.Get("/polls/").AssertText("Log in").AssertNotContains("Signed in")
}

func TestMigrationsUpToDate(t *testing.T) {
	anodetest.MigrationsUpToDate(t, polls.Module())
}
