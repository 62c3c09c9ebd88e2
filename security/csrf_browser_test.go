package security_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// formPage is the same form twice: rendered by the app (with its CSRF
// field) and served by another site (with none: it cannot know one).
const formPage = `<!doctype html><title>form</title>
<form method="post" action="%s">%s<input name="note" value="hi"><button id="go">Send</button></form>`

// TestCSRFBrowser drives headless Chromium: the form served by the app on
// 127.0.0.1 posts; the same form served from 127.0.0.2 (another site) is
// refused with 403 before the handler runs, by the cross-origin check.
func TestCSRFBrowser(t *testing.T) {
	chrome := anodetest.Service(t, "ANODE_TEST_CHROME")

	var handled atomic.Int32
	cfg := anodetest.Config(t)
	cfg.Debug = true // the 403 page names the failed check
	app := anodetest.NewAppConfig(t, cfg, anode.Module{
		Name:      "site",
		Templates: fstest.MapFS{"site/form.html": {Data: []byte(fmt.Sprintf(formPage, "/target/", "{{.CSRFField}}"))}},
		Routes: func(r *anode.Router) {
			r.Get("/form/", func(w http.ResponseWriter, r *http.Request) error {
				return anode.Render(w, r, "site/form.html", nil)
			})
			r.Post("/target/", func(w http.ResponseWriter, r *http.Request) error {
				handled.Add(1)
				_, err := fmt.Fprintf(w, "<!doctype html><p id=result>accepted %s</p>", r.PostFormValue("note"))
				return err
			})
		},
	})
	appURL := anodetest.NewClient(t, app).BaseURL // http://127.0.0.1:<port>

	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.2: %v", err)
	}
	evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, formPage, appURL+"/target/", "")
	}))
	evil.Listener.Close()
	evil.Listener = ln
	evil.Start()
	t.Cleanup(evil.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	defer cancelBrowser()

	// submit loads page, clicks Send and returns the status and text of
	// the page the form leads to.
	submit := func(page string) (int64, string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#go"))); err != nil {
			t.Fatalf("loading %s: %v", page, err)
		}
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#go")))
		if err != nil {
			t.Fatalf("submitting the form of %s: %v", page, err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
		if err != nil {
			t.Fatalf("reading the answer to %s: %v", page, err)
		}
		return res.Status, text
	}

	if status, text := submit(appURL + "/form/"); status != 200 || !strings.Contains(text, "accepted hi") || handled.Load() != 1 {
		t.Fatalf("same-origin form: %d %q, handler ran %d times", status, text, handled.Load())
	}
	status, text := submit(evil.URL + "/")
	if status != http.StatusForbidden || !strings.Contains(text, "cross-origin request") {
		t.Errorf("cross-site form: %d %q, want 403 naming the cross-origin check", status, text)
	}
	if handled.Load() != 1 {
		t.Errorf("the handler ran for the cross-site form")
	}
}
