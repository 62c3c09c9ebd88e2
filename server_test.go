package anode_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// serve runs app.Serve on a 127.0.0.1 port and returns the address and a stop
// function that cancels it and returns Serve's error.
func serve(t *testing.T, app *anode.App) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	var once atomic.Bool
	stop := func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("Serve did not return")
		}
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), stop
}

// raw sends bytes on a new connection and returns what the server answers
// before closing or the deadline.
func raw(t *testing.T, addr, req string, deadline time.Duration) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(deadline))
	io.WriteString(conn, req)
	b, _ := io.ReadAll(conn)
	return string(b)
}

func TestBadInput(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.MaxHeaderBytes = 4 << 10
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	cfg.MaxBodyBytes = 1 << 10
	app := anodetest.NewAppConfig(t, cfg, echoModule())
	addr, _ := serve(t, app)

	tests := []struct {
		name    string
		request string
		status  string
	}{
		{"headers over the limit", "GET /who/ HTTP/1.1\r\nHost: localhost\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", "HTTP/1.1 431"},
		{"malformed escape in path", "GET /%zz HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP/1.1 400"},
		{"body over the limit", "POST /upload/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" + strings.Repeat("x", 5000), "HTTP/1.1 413"},
		{"bad method token", "G(T / HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP/1.1 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := raw(t, addr, tt.request, 5*time.Second)
			if !strings.HasPrefix(got, tt.status) {
				t.Fatalf("got %.200q, want %s", got, tt.status)
			}
			for _, leak := range []string{"goroutine", ".go:", "runtime."} {
				if strings.Contains(got, leak) {
					t.Errorf("response leaks %q: %.500s", leak, got)
				}
			}
		})
	}

	t.Run("slow headers cut at ReadHeaderTimeout", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /who/ HTTP/1.1\r\nHost: localhost\r\n") // and never the blank line
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err = io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("server kept the slow connection open for %s", time.Since(start))
		}
	})

	// None of it stopped the server.
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("server not serving after bad input: %v %v", res, err)
	}
	res.Body.Close()
}

func TestServeGracefulShutdown(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.ShutdownDelay = 300 * time.Millisecond
	var hookRan atomic.Bool
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "slow", Routes: func(r *anode.Router) {
		r.Get("/slow/", func(w http.ResponseWriter, r *http.Request) error {
			started <- struct{}{}
			<-release
			fmt.Fprint(w, "finished")
			return nil
		})
	}, Init: func(ctx context.Context, app *anode.App) error {
		app.OnShutdown(func(ctx context.Context) error { hookRan.Store(true); return nil })
		return nil
	}})
	addr, stop := serve(t, app)
	results := make(chan string, 3)
	for range 3 {
		go func() {
			res, err := http.Get("http://" + addr + "/slow/")
			if err != nil {
				results <- err.Error()
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			results <- fmt.Sprintf("%d %s", res.StatusCode, b)
		}()
	}
	for range 3 {
		<-started
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()

	// During the shutdown delay readiness reports 503 while the listener still accepts.
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusServiceUnavailable {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz never turned 503 (last: %v, %v)", res, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Then the listener closes: new connections are refused.
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	for range 3 {
		if got := <-results; got != "200 finished" {
			t.Errorf("in-flight request: %q", got)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	if !hookRan.Load() {
		t.Error("OnShutdown hook did not run")
	}
}

func TestShutdownTimeoutReported(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.ShutdownTimeout = 200 * time.Millisecond
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "stuck", Routes: func(r *anode.Router) {
		r.Get("/stuck/", func(w http.ResponseWriter, r *http.Request) error {
			close(started)
			<-release
			return nil
		})
	}})
	addr, stop := serve(t, app)
	go func() {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			fmt.Fprintf(conn, "GET /stuck/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
			bufio.NewReader(conn).ReadString('\n')
			conn.Close()
		}
	}()
	<-started
	err := stop()
	if err == nil || !strings.Contains(err.Error(), "still running after 200ms") {
		t.Fatalf("stop = %v, want a drain-timeout error", err)
	}
}

// TestStreamExemptFromWriteTimeout: a route marked Stream keeps sending past the
// server's WriteTimeout (the deadline is cleared through every wrapper's
// Unwrap), while an ordinary route is cut by it.
func TestStreamExemptFromWriteTimeout(t *testing.T) {
	cfg := anodetest.Config(t)
	cfg.WriteTimeout = 300 * time.Millisecond
	slowEvents := func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 4 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			if err := rc.Flush(); err != nil {
				return nil
			}
			time.Sleep(200 * time.Millisecond)
		}
		return nil
	}
	app := anodetest.NewAppConfig(t, cfg, anode.Module{Name: "sse", Routes: func(r *anode.Router) {
		r.Get("/stream/", slowEvents).Stream()
		r.Get("/plain/", slowEvents)
	}})
	addr, _ := serve(t, app)
	count := func(path string) int {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return strings.Count(string(b), "data: ")
	}
	if n := count("/stream/"); n != 4 {
		t.Errorf("streaming route delivered %d of 4 events", n)
	}
	if n := count("/plain/"); n >= 4 {
		t.Errorf("ordinary route delivered all %d events past the write timeout", n)
	}
}

// TestShutdownAnswersFreshConnections: connections accepted just before
// shutdown whose request arrives after it began are still answered (plain
// net/http Shutdown would close them without a response).
func TestShutdownAnswersFreshConnections(t *testing.T) {
	app := anodetest.NewApp(t, echoModule())
	addr, stop := serve(t, app)
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	// The accept loop takes connections in order: once a later one is
	// answered, the 20 above have been accepted.
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	waitFor(t, 5*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	for i, c := range conns {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET /who/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
		line, err := bufio.NewReader(c).ReadString('\n')
		if !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Errorf("connection %d: %q, %v", i, line, err)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
