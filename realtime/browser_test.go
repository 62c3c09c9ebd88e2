package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/realtime"
)

// pageJS runs in the test pages: it connects with anode.js and records
// what happens in window globals the test polls.
const pageJS = `
window.received = []; window.state = ""; window.subscribed = false;
var params = new URLSearchParams(location.search);
var opts = {minDelay: 500, maxDelay: 1000, onState: function (s) { window.state = s; window.states = (window.states || []).concat(s); }};
if (params.get("transport")) opts.transports = [params.get("transport")];
if (params.get("base")) opts.base = params.get("base");
window.rt = new Anode.Realtime(opts);
window.sub = rt.subscribe("chat:lobby", {message: function (d) { window.received.push(d); }});
sub.ready.then(function () { window.subscribed = true; });
`

const pageHTML = `<!doctype html><title>anode.js test</title><script src="/static/anode.js"></script><script src="/page.js"></script>`

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func servePage(mux interface {
	Handle(string, http.Handler)
}) {
	mux.Handle("GET /page/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pageHTML)
	}))
	mux.Handle("GET /page.js", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, pageJS)
	}))
}

func TestBrowser(t *testing.T) {
	chrome := os.Getenv("ANODE_TEST_CHROME")
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ANODE_TEST_CHROME is not set (the path of a Chromium binary)")
		}
		t.Skip("set ANODE_TEST_CHROME to a Chromium binary to run the browser test")
	}
	logs := &syncLog{}
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(logs)
	hub := app.Realtime()
	hub.Topic("chat:*", realtime.Rule{Subscribe: realtime.Anyone, Publish: realtime.Anyone})
	hub.Handle("kick", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) {
		c.Close()
		return nil, nil
	})
	app.Router().Get("/page/", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := fmt.Fprint(w, pageHTML)
		return err
	})
	app.Router().Get("/page.js", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/javascript")
		_, err := fmt.Fprint(w, pageJS)
		return err
	})
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() { hub.Close(); srv.Close(); app.Close() })

	// Another origin: a plain server on 127.0.0.2 serving the same page and
	// anode.js, pointed at the app's endpoints.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.2: %v", err)
	}
	other := http.NewServeMux()
	servePage(other)
	other.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(realtime.ClientFS())))
	evil := &httptest.Server{Listener: ln, Config: &http.Server{Handler: other}}
	evil.Start()
	t.Cleanup(evil.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	waitJS := func(ctx context.Context, expr string) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second)))
		return err
	}
	for _, transport := range []string{"websocket", "sse"} {
		t.Run(transport, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(bctx)
			defer cancel()
			if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/page/?transport="+transport)); err != nil {
				t.Fatal(err)
			}
			if err := waitJS(ctx, "window.subscribed === true"); err != nil {
				t.Fatalf("the page did not subscribe: %v", err)
			}
			if _, err := hub.Publish(context.Background(), "chat:lobby", map[string]string{"text": "from the server via " + transport}); err != nil {
				t.Fatal(err)
			}
			if err := waitJS(ctx, `window.received.some(function (d) { return d.text === "from the server via `+transport+`"; })`); err != nil {
				t.Fatalf("the page did not receive the message: %v", err)
			}
			// The page publishes; its ack is a promise with the position.
			offset, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`rt.publish("chat:lobby", {text: "from the page"}).then(function (p) { return p.offset; })`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if offset < 2 {
				t.Errorf("publish resolved with offset %v", offset)
			}
			if err := waitJS(ctx, `window.received.some(function (d) { return d.text === "from the page"; })`); err != nil {
				t.Fatalf("the page's own message did not come back: %v", err)
			}

			// The server drops the connection; what is published while
			// the page is away arrives after it reconnects, once each, in
			// order.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`rt.emit("kick").catch(function () {}); undefined`)); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); hub.Clients() > 0 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			if hub.Clients() != 0 {
				t.Fatal("the kicked page is still connected")
			}
			for i := 1; i <= 5; i++ {
				hub.Publish(context.Background(), "chat:lobby", map[string]string{"text": fmt.Sprint("missed ", i)})
			}
			if err := waitJS(ctx, `window.received.filter(function (d) { return /^missed/.test(d.text); }).length >= 5 && window.state === "open"`); err != nil {
				t.Fatalf("missed messages not recovered: %v", err)
			}
			time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
			texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.received.map(function (d) { return d.text; })`))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"from the server via " + transport, "from the page", "missed 1", "missed 2", "missed 3", "missed 4", "missed 5"}
			if fmt.Sprint(texts) != fmt.Sprint(want) {
				t.Errorf("the page received %q, want %q", texts, want)
			}
		})
	}

	t.Run("cross-origin refused", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(bctx)
		defer cancel()
		base := srv.URL + "/realtime"
		if _, err := chromedp.Run(ctx, chromedp.Navigate(evil.URL+"/page/?base="+base)); err != nil {
			t.Fatal(err)
		}
		// Both transports are tried (WebSocket, then SSE) and refused.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && !(strings.Contains(logs.String(), `origin \"`+evil.URL) && strings.Count(logs.String(), "connection refused") >= 3) {
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), `origin \"`+evil.URL+`\" refused`) {
			t.Fatalf("no refused handshake from %s in the log:\n%s", evil.URL, logs.String())
		}
		states, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.states || []`))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s == "open" {
				t.Fatalf("the cross-origin page connected: states %v", states)
			}
		}
		if n := hub.Clients(); n > 2 {
			t.Errorf("%d clients connected, want only the two same-origin pages", n)
		}
	})
}
