package main

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/anode-go/anode/anodetest"
)

// deployments returns the configurations the end-to-end test runs: the
// quickstart (SQLite, nothing configured) always, and PostgreSQL in
// production mode, in a schema of its own, when ANODE_TEST_POSTGRES is
// set, with a Redis cache under a key prefix of its own when
// ANODE_TEST_REDIS is set too, which is then also the realtime broker.
func deployments(t *testing.T) []deployment {
	deps := []deployment{{Name: "sqlite"}}
	if os.Getenv("ANODE_TEST_POSTGRES") == "" && os.Getenv("CI") != "true" {
		t.Log("ANODE_TEST_POSTGRES is not set: the PostgreSQL run is skipped")
		return deps
	}
	pg := anodetest.PostgresSchema(t, anodetest.Service(t, "ANODE_TEST_POSTGRES"))
	env := map[string]string{
		"ANODE_DEBUG":         "false",
		"ANODE_SECRET_KEY":    "polls-e2e-" + rand.Text() + rand.Text(),
		"ANODE_ALLOWED_HOSTS": "127.0.0.1",
		"ANODE_DATABASE_URL":  pg,
	}
	name := "postgres"
	if redis := os.Getenv("ANODE_TEST_REDIS"); redis != "" {
		u, err := url.Parse(redis)
		if err != nil {
			t.Fatalf("ANODE_TEST_REDIS: %v", err)
		}
		q := u.Query()
		prefix := "polls-e2e-" + strings.ToLower(rand.Text())
		q.Set("prefix", prefix)
		u.RawQuery = q.Encode()
		env["ANODE_CACHE_URL"] = u.String()
		env["ANODE_BROKER_URL"] = u.String()                   // live results across instances
		env["ANODE_RATELIMIT_PREFIX"] = prefix + ":ratelimit:" // login throttling counts there too
		name += "+redis"
	} else if os.Getenv("CI") == "true" {
		t.Fatal("ANODE_TEST_REDIS is not set, and CI=true requires the PostgreSQL + Redis run")
	}
	return append(deps, deployment{Name: name, Env: env})
}

func TestEndToEnd(t *testing.T) {
	for _, dep := range deployments(t) {
		t.Run(dep.Name, func(t *testing.T) {
			t.Parallel()
			s := start(t, dep)
			t.Logf("%s: start-up to the first 200 from /polls/, migrations of a fresh database included: %v", dep.Name, s.Startup)
			endToEnd(t, s)
		})
	}
}

var (
	questionLink = regexp.MustCompile(`href="/polls/(\d+)/">\s*<span class="text">What&#39;s new\?`)
	choiceInput  = regexp.MustCompile(`name="choice" value="(\d+)"`)
)

func endToEnd(t *testing.T, s *server) {
	c := anodetest.ClientFor(t, s.URL)
	c.Get("/").AssertRedirect("/polls/")

	// index → detail
	m := questionLink.FindSubmatch(c.Get("/polls/").AssertStatus(200).AssertTitle("Latest polls · Anode Polls").Body)
	if m == nil {
		t.Fatal(`the index has no link to the seeded question "What's new?"`)
	}
	detail := "/polls/" + string(m[1]) + "/"
	page := c.Get(detail).AssertStatus(200).AssertText("What's new?")
	choices := choiceInput.FindAllSubmatch(page.Body, -1)
	token := page.CSRFToken()
	if len(choices) != 3 || token == "" {
		t.Fatalf("detail page: %d choices, CSRF token %q", len(choices), token)
	}
	choice := string(choices[1][1])

	// vote with the page's CSRF cookie and token → the results show it
	c.Post(detail+"vote/", url.Values{"choice": {choice}, "csrf_token": {token}}).AssertRedirect(detail + "results/")
	c.Get(detail + "results/").AssertStatus(200).AssertText("Thanks for voting!").AssertText("The sky 1 vote · 100%")

	// no choice → the form again, with the error
	c.Post(detail+"vote/", url.Values{"csrf_token": {c.Get(detail).CSRFToken()}}).AssertStatus(200).AssertText("You didn't select a choice.")

	// a vote without the token → 403, not counted
	bare := anodetest.ClientFor(t, s.URL)
	bare.NoCSRF = true
	bare.Get(detail).AssertStatus(200)
	bare.Post(detail+"vote/", url.Values{"choice": {choice}}).AssertStatus(403)

	// an unknown poll → the 404 page
	c.Get("/polls/987654/").AssertStatus(404).AssertContains("<title>404 Not Found").AssertText("No poll with that number.")

	// 200 concurrent votes on one choice → exactly 200 more
	const voters = 200
	var wg sync.WaitGroup
	for range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := anodetest.ClientFor(t, s.URL)
			v.Post(detail+"vote/", url.Values{"choice": {choice}}).AssertStatus(303)
		}()
	}
	wg.Wait()
	var res struct {
		Total   int64
		Choices []struct {
			ID    int64
			Votes int64
		}
	}
	c.Get("/api/polls/" + string(m[1]) + "/results/").AssertStatus(200).JSON(&res)
	if res.Total != voters+1 || len(res.Choices) != 3 || fmt.Sprint(res.Choices[1].ID) != choice || res.Choices[1].Votes != voters+1 {
		t.Errorf("after %d concurrent votes and one before: %+v, want %d votes for choice %s", voters, res, voters+1, choice)
	}
	c.Get(detail + "results/").AssertText(fmt.Sprintf("The sky %d votes · 100%%", voters+1))

	// the superuser printed on the first run signs in and creates a poll
	// with the ModelForm and the formset of choices
	pw := regexp.MustCompile(`created the superuser admin with the password (\S+)`).FindStringSubmatch(s.stdout.String())
	if pw == nil {
		t.Fatalf("no superuser password on stdout:\n%s", s.stdout)
	}
	staff := anodetest.ClientFor(t, s.URL)
	staff.Get("/polls/new/").AssertRedirect("/accounts/login/?next=%2Fpolls%2Fnew%2F")
	staff.Post("/accounts/login/", url.Values{"username": {"admin"}, "password": {pw[1]}}).AssertRedirect("/")
	form := staff.Get("/polls/new/").AssertStatus(200)
	created := staff.Post("/polls/new/", url.Values{
		"csrf_token": {form.CSRFToken()}, "text": {"Lunch?"}, "pub_date": {"2026-01-02T12:00"},
		"choices-TOTAL_FORMS": {"5"}, "choices-INITIAL_FORMS": {"0"}, "choices-0-text": {"Soup"}, "choices-1-text": {"Salad"},
	}).AssertStatus(303)
	staff.Get(created.Header.Get("Location")).AssertStatus(200).AssertText("Poll “Lunch?” created.").AssertText("Soup").AssertText("Salad")
	staff.Post("/accounts/logout/", url.Values{}).AssertRedirect("/")
	staff.Get("/polls/new/").AssertStatus(302)
}

// The first run creates a superuser and prints its password once; the
// password signs in; a second run on the same data directory creates
// nothing and prints no password.
func TestFirstRun(t *testing.T) {
	s := start(t, deployment{Name: "first run"})
	out := s.stdout.String()
	wantDB := "polls: SQLite database in " + s.Dir + "/data/db.sqlite3"
	if !strings.Contains(out, wantDB) {
		t.Errorf("stdout does not say %q:\n%s", wantDB, out)
	}
	m := regexp.MustCompile(`created the superuser admin with the password (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "added sample questions") {
		t.Fatalf("no superuser password or sample questions on the first run:\n%s", out)
	}
	c := anodetest.ClientFor(t, s.URL)
	c.Get("/accounts/login/").AssertStatus(200).AssertTitle("Log in · Anode Polls")
	c.Post("/accounts/login/", url.Values{"username": {"admin"}, "password": {m[1]}, "next": {"/polls/new/"}}).AssertRedirect("/polls/new/")
	c.Get("/polls/new/").AssertStatus(200).AssertText("Signed in as admin")
	s.stop(t)

	again := start(t, deployment{Name: "second run", Dir: s.Dir})
	if out := again.stdout.String(); strings.Contains(out, "password") || strings.Contains(out, "sample questions") || !strings.Contains(out, wantDB) {
		t.Errorf("second run's stdout:\n%s", out)
	}
	if n := strings.Count(anodetest.ClientFor(t, again.URL).Get("/polls/").Text(), "What's new?"); n != 1 {
		t.Errorf(`"What's new?" listed %d times after a restart`, n)
	}
}
