package anode_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func echoModule() anode.Module {
	return anode.Module{Name: "echo", Routes: func(r *anode.Router) {
		r.Get("/who/", func(w http.ResponseWriter, r *http.Request) error {
			fmt.Fprintf(w, "%s %s", anode.ClientIP(r), anode.RequestID(r.Context()))
			return nil
		})
		r.Post("/upload/", func(w http.ResponseWriter, r *http.Request) error {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "got %d", len(b))
			return nil
		})
		r.Post("/big/", func(w http.ResponseWriter, r *http.Request) error {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "got %d", len(b))
			return nil
		}).MaxBody(64 << 10)
		r.Get("/slow/", func(w http.ResponseWriter, r *http.Request) error {
			select {
			case <-r.Context().Done():
				return r.Context().Err()
			case <-time.After(5 * time.Second):
				fmt.Fprint(w, "too late")
				return nil
			}
		}).Timeout(50 * time.Millisecond)
		r.Get("/quick/", ok("quick")).Timeout(time.Second)
		r.Get("/stream/", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/event-stream")
			rc := http.NewResponseController(w)
			for i := range 3 {
				fmt.Fprintf(w, "data: %d\n\n", i)
				if err := rc.Flush(); err != nil {
					return err
				}
				// Wait for the client to ask for more: proves each event
				// reached it before the handler went on.
				select {
				case <-nextEvent:
				case <-r.Context().Done():
					return nil
				}
			}
			return nil
		}).Stream()
		r.Get("/hijack/", func(w http.ResponseWriter, r *http.Request) error {
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return err
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello raw")
			return brw.Flush()
		})
		r.Get("/big-text/", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain")
			_, err := w.Write(bytes.Repeat([]byte("anode "), 2000))
			return err
		})
	}}
}

var nextEvent = make(chan struct{})

func TestRequestIDAndClientIP(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	trusting := anodetest.NewClient(t, anodetest.NewAppConfig(t, cfg, echoModule()))
	plain := anodetest.NewClient(t, anodetest.NewApp(t, echoModule()))
	idRE := regexp.MustCompile(`^[a-z2-7]{8}-[0-9a-z]+$`)

	tests := []struct {
		name   string
		client *anodetest.Client
		header http.Header
		ip     string
		id     string // "" means generated
	}{
		{"untrusted peer ignores headers", plain, http.Header{"X-Forwarded-For": {"6.6.6.6"}, "X-Request-Id": {"forged"}}, "127.0.0.1", ""},
		{"no proxy headers", trusting, nil, "127.0.0.1", ""},
		{"trusted proxy", trusting, http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Request-Id": {"lb-abc-123"}}, "203.0.113.9", "lb-abc-123"},
		{"chain skips trusted hops", trusting, http.Header{"X-Forwarded-For": {"198.51.100.1, 203.0.113.9, 10.1.2.3"}}, "203.0.113.9", ""},
		{"client cannot forge past the proxy", trusting, http.Header{"X-Forwarded-For": {"1.1.1.1", "203.0.113.9"}}, "203.0.113.9", ""},
		{"garbage stops at last trusted hop", trusting, http.Header{"X-Forwarded-For": {"not-an-ip, 10.0.0.5"}}, "10.0.0.5", ""},
		{"bad request id replaced", trusting, http.Header{"X-Request-Id": {"has space"}}, "127.0.0.1", ""},
		{"overlong request id replaced", trusting, http.Header{"X-Request-Id": {strings.Repeat("a", 200)}}, "127.0.0.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.client.Request("GET", "/who/", nil, tt.header).AssertStatus(200)
			ip, id, _ := strings.Cut(string(res.Body), " ")
			if ip != tt.ip {
				t.Errorf("client IP %q, want %q", ip, tt.ip)
			}
			if res.Header.Get("X-Request-ID") != id {
				t.Errorf("X-Request-ID header %q differs from context %q", res.Header.Get("X-Request-ID"), id)
			}
			if tt.id != "" && id != tt.id {
				t.Errorf("request id %q, want %q", id, tt.id)
			}
			if tt.id == "" && !idRE.MatchString(id) {
				t.Errorf("generated request id %q does not look generated", id)
			}
		})
	}
	a := plain.Get("/who/").Header.Get("X-Request-ID")
	b := plain.Get("/who/").Header.Get("X-Request-ID")
	if a == b {
		t.Fatalf("request IDs repeat: %q", a)
	}
}

func TestBodyLimit(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.MaxBodyBytes = 1000
	c := anodetest.NewClient(t, anodetest.NewAppConfig(t, cfg, echoModule()))
	tests := []struct {
		name    string
		path    string
		size    int
		chunked bool
		status  int
		body    string
	}{
		{"under", "/upload/", 1000, false, 200, "got 1000"},
		{"over by content-length", "/upload/", 1001, false, 413, "limit is 1000 bytes"},
		{"over while streaming", "/upload/", 5000, true, 413, "limit is 1000 bytes"},
		{"route override allows more", "/big/", 50 << 10, false, 200, "got 51200"},
		{"route override still limits", "/big/", 65<<10 + 1, true, 413, "limit is 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(bytes.Repeat([]byte("x"), tt.size))
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			c.Request("POST", tt.path, body, nil).AssertStatus(tt.status).AssertText(tt.body)
		})
	}
}

func TestRouteTimeout(t *testing.T) {
	c := anodetest.NewClient(t, anodetest.NewApp(t, echoModule()))
	start := time.Now()
	c.Get("/slow/").AssertStatus(503).AssertText("The request took too long.")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("timed-out request took %s", d)
	}
	c.Get("/quick/").AssertStatus(200).AssertContains("quick")
}

func TestTimeoutMiddlewareStartedResponse(t *testing.T) {
	// A handler that already started its response keeps it: no 503 is mixed in.
	h := anode.Timeout(30 * time.Millisecond)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("started"))
		<-r.Context().Done()
		w.Write([]byte(" done"))
	}))
	c := anodetest.NewClient(t, h)
	res := c.Get("/").AssertStatus(http.StatusAccepted)
	if string(res.Body) != "started done" {
		t.Fatalf("body %q", res.Body)
	}
}

// TestFlushAndHijackThroughStack checks that every wrapper in the default stack
// (request state, compression, recorder, route) lets http.ResponseController
// reach the connection: SSE needs Flush, WebSockets need Hijack.
func TestFlushAndHijackThroughStack(t *testing.T) {
	app := anodetest.NewApp(t, echoModule())
	srv := anodetest.NewClient(t, app)

	// Flush: read each event before the handler is allowed to send the next.
	req, _ := http.NewRequest("GET", srv.BaseURL+"/stream/", nil)
	req.Header.Set("Accept-Encoding", "gzip, zstd")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("event stream was compressed: %q", res.Header.Get("Content-Encoding"))
	}
	br := bufio.NewReader(res.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("data: %d\n", i) {
			t.Fatalf("event %d: %q, %v", i, line, err)
		}
		br.ReadString('\n')
		nextEvent <- struct{}{}
	}

	// Hijack: raw bytes on the connection after the handler takes it over.
	u := strings.TrimPrefix(srv.BaseURL, "http://")
	conn, err := net.DialTimeout("tcp", u, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /hijack/ HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: gzip\r\n\r\n", u)
	got, _ := io.ReadAll(conn)
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 101 Switching Protocols")) || !bytes.HasSuffix(got, []byte("hello raw")) {
		t.Fatalf("hijacked connection got %q", got)
	}
}

func TestCompressionInStack(t *testing.T) {
	c := anodetest.NewClient(t, anodetest.NewApp(t, echoModule()))
	c.Request("GET", "/big-text/", nil, http.Header{"Accept-Encoding": {"gzip"}}).
		AssertStatus(200).AssertHeader("Content-Encoding", "gzip").AssertHeaderContains("Vary", "Accept-Encoding")
	// Small bodies are sent as they are.
	c.Request("GET", "/who/", nil, http.Header{"Accept-Encoding": {"gzip"}}).AssertHeader("Content-Encoding", "")
	cfg := anodetest.Config(t)
	off := false
	cfg.Compress = &off
	c2 := anodetest.NewClient(t, anodetest.NewAppConfig(t, cfg, echoModule()))
	c2.Request("GET", "/big-text/", nil, http.Header{"Accept-Encoding": {"gzip"}}).AssertHeader("Content-Encoding", "")
}

func TestReadyChecks(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	app := anodetest.NewApp(t, anode.Module{Name: "db", Init: func(ctx context.Context, app *anode.App) error {
		app.AddReadyCheck("database", func(ctx context.Context) error {
			if !healthy.Load() {
				return fmt.Errorf("dial tcp 10.0.0.1:5432: connection refused")
			}
			return nil
		})
		return nil
	}})
	c := anodetest.NewClient(t, app)
	c.Get("/readyz").AssertStatus(200).AssertJSON(map[string]any{"status": "ready"})
	healthy.Store(false)
	c.Get("/readyz").AssertStatus(503).AssertJSON(map[string]any{"status": "unavailable", "checks": map[string]string{"database": "failed"}})
	c.Get("/healthz").AssertStatus(200)
}
