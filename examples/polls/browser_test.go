package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anode-go/anode/anodetest"
)

// liveWithin is how soon after a vote every open results page must show
// it (the bar).
const liveWithin = time.Second

// TestLiveResults opens a question's results in two browser tabs, votes in
// a third, and checks that both tabs show the new count within a second,
// without reloading. It also takes the README's screenshot of the results
// page: with ANODE_UPDATE_SCREENSHOT=1 it writes docs/polls-results.png.
func TestLiveResults(t *testing.T) {
	chrome := anodetest.Service(t, "ANODE_TEST_CHROME")
	s := start(t, deployment{Name: "browser"})

	// Some votes first, so the bars have something to show.
	http := anodetest.ClientFor(t, s.URL)
	m := regexp.MustCompile(`href="/polls/(\d+)/">\s*<span class="text">Which database`).FindSubmatch(http.Get("/polls/").Body)
	if m == nil {
		t.Fatal("the index has no link to the seeded question about databases")
	}
	id := string(m[1])
	choices := choiceInput.FindAllSubmatch(http.Get("/polls/"+id+"/").Body, -1)
	if len(choices) != 4 {
		t.Fatalf("%d choices, want 4", len(choices))
	}
	for i, n := range []int{3, 5, 1, 2} {
		for range n {
			http.Post("/polls/"+id+"/vote/", url.Values{"choice": {string(choices[i][1])}}).AssertStatus(303)
		}
	}
	voted := string(choices[1][1]) // PostgreSQL: 5 votes, 6 after the browser's

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1000, 720))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	wait := func(ctx context.Context, expr string, timeout time.Duration) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(10*time.Millisecond)))
		return err
	}
	results := s.URL + "/polls/" + id + "/results/"
	votes := fmt.Sprintf(`document.querySelector('[data-choice="%s"] .votes').textContent`, voted)

	// Two tabs on the results page, subscribed, each with a marker that a
	// reload would lose.
	var tabs []context.Context
	for range 2 {
		tab, cancel := chromedp.NewContext(bctx)
		defer cancel()
		if err := chromedp.Do(tab, chromedp.Navigate(results), chromedp.Evaluate[chromedp.Void](`window.marker = 42; undefined`)); err != nil {
			t.Fatal(err)
		}
		if err := wait(tab, `document.getElementById("results").dataset.subscribed === "true"`, 20*time.Second); err != nil {
			t.Fatalf("the results page did not subscribe: %v", err)
		}
		if shown, err := chromedp.Run(tab, chromedp.Evaluate[string](votes)); err != nil || shown != "5" {
			t.Fatalf("before the vote the tab shows %q votes (%v), want 5", shown, err)
		}
		tabs = append(tabs, tab)
	}

	// A third tab votes through the detail page's form.
	voter, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if err := chromedp.Do(voter,
		chromedp.Navigate(s.URL+"/polls/"+id+"/"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="choice"][value="%s"]`, voted))),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
	); err != nil {
		t.Fatalf("voting in the third tab: %v", err)
	}
	counted := time.Now() // the vote is counted and published before the redirect to the results
	if flash, err := chromedp.Run(voter, chromedp.Text(chromedp.CSS(`.messages`))); err != nil || flash != "Thanks for voting! Your vote for “PostgreSQL” was counted." {
		t.Errorf("the voter's results page says %q (%v)", flash, err)
	}

	for i, tab := range tabs {
		if err := wait(tab, votes+` === "6"`, liveWithin); err != nil {
			shown, _ := chromedp.Run(tab, chromedp.Evaluate[string](votes))
			t.Fatalf("tab %d shows %q votes %v after the vote, want 6 within %v: %v", i+1, shown, time.Since(counted), liveWithin, err)
		}
		marker, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.marker`))
		if err != nil {
			t.Fatal(err)
		}
		total, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`.total-votes`)))
		if err != nil {
			t.Fatal(err)
		}
		if marker != 42 || total != "12 votes" {
			t.Errorf("tab %d: marker %d (a reload loses it), total %q, want 42 and \"12 votes\"", i+1, marker, total)
		}
	}
	t.Logf("both tabs showed the vote %v after it was counted", time.Since(counted))

	// The screenshot: the first tab, once the highlight of the change has
	// faded.
	if err := wait(tabs[0], `document.querySelector(".bumped") === null`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(tabs[0], chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || cfg.Width != 1000 {
		t.Fatalf("screenshot: %v, width %d, want a 1000px wide PNG", err, cfg.Width)
	}
	path := filepath.Join(t.TempDir(), "polls-results.png")
	if os.Getenv("ANODE_UPDATE_SCREENSHOT") == "1" {
		path = filepath.Join("..", "..", "docs", "polls-results.png")
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}
