//go:build unix

package reload_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anode-go/anode/internal/reload"
)

// appModule is the test app's module path. It lies under github.com/anode-go/anode
// because the app imports an internal package; the replace directive points that
// module at this checkout.
const appModule = "github.com/anode-go/anode/internal/reload/reloadtest"

// appSource is the test app: it serves on the inherited listener, answering its
// version, PID and an environment variable, and drains on SIGTERM without dropping a
// connection it accepted. "// HOOK" is replaced to break it in various ways.
const appSource = `package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/anode-go/anode/internal/reload"
)

const version = "VERSION"

func main() {
	if len(os.Args) != 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: app serve; got", os.Args)
		os.Exit(2)
	}
	// HOOK
	l, ok, err := reload.Listener()
	if err != nil || !ok {
		fmt.Fprintln(os.Stderr, "no inherited listener:", ok, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s pid=%d env=%s", version, os.Getpid(), os.Getenv("RELOADTEST_ENV"))
	})
	mux.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "bye")
		go func() {
			time.Sleep(100 * time.Millisecond)
			os.Exit(3)
		}()
	})
	// Connections accepted but whose first request is still unread: Shutdown would
	// close them unanswered, so the drain below waits for them.
	var mu sync.Mutex
	fresh := map[net.Conn]bool{}
	srv := &http.Server{Handler: mux, ConnState: func(c net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		if st == http.StateNew {
			fresh[c] = true
		} else {
			delete(fresh, c)
		}
	}}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	if err := reload.Ready(); err != nil {
		fmt.Fprintln(os.Stderr, "ready:", err)
		os.Exit(1)
	}
	select {
	case err := <-served:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	// Stop accepting (the next build accepts from now on), let the connections already
	// accepted deliver their first request, then shut down.
	l.Close()
	<-served
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(fresh)
		mu.Unlock()
		if n == 0 {
			break
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		os.Exit(1)
	}
}
`

// TestSupervise runs the whole cycle with real builds and processes: first start, a
// swap under load without a failed request, a compile error, a crash before ready, a
// start that never gets ready, a crash while serving, and shutdown.
func TestSupervise(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	dir := newApp(t)
	// Builds must not rewrite go.mod (the watcher would see it) nor reach for a newer toolchain.
	t.Setenv("GOFLAGS", "-mod=mod -buildvcs=false")
	t.Setenv("GOWORK", "off")
	t.Setenv("GOTOOLCHAIN", "local")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	url := "http://" + l.Addr().String() + "/"

	var logs, output lockedBuffer
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("RELOAD_TEST_DUMP") != "" {
			t.Logf("supervisor log:\n%s\nchild output:\n%s", logs.String(), output.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	supervised := make(chan error, 1)
	go func() {
		supervised <- reload.Supervise(ctx, reload.Options{
			Listener: l,
			Dir:      dir,
			Args:     []string{"serve"},
			Env:      []string{"RELOADTEST_ENV=passed"},
			Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Debounce: 100 * time.Millisecond,
			// Children here are ready within milliseconds; short enough to test the timeout.
			ReadyTimeout: 5 * time.Second,
			Stdout:       &output,
			Stderr:       &output,
		})
	}()
	failed := func() {
		t.Helper()
		select {
		case err := <-supervised:
			t.Fatalf("Supervise returned early: %v", err)
		default:
		}
	}

	pid1 := waitFor(t, url, "v1", 120*time.Second)
	failed()

	// Swap to v2, then v3 after a compile error and a crash, while requests keep coming.
	h := startHammer(url, 2, 90*time.Second)
	writeApp(t, dir, "v2", "")
	pid2 := waitFor(t, url, "v2", 60*time.Second)
	waitGone(t, pid1, 20*time.Second)

	writeApp(t, dir, "v3", `var _ int = "not an int"`)
	waitLog(t, &logs, "build failed", 60*time.Second)
	if !strings.Contains(logs.String(), "main.go") || !strings.Contains(logs.String(), "cannot use") {
		t.Errorf("the build failure log lacks the compiler's message")
	}
	if got, pid := get(t, url); got != "v2" || pid != pid2 {
		t.Errorf("after a failed build got %s (pid %d); want v2 (pid %d)", got, pid, pid2)
	}

	writeApp(t, dir, "v3", `fmt.Fprintln(os.Stderr, "crashing on purpose"); os.Exit(1)`)
	waitLog(t, &logs, "exited before it was ready", 60*time.Second)
	if got, pid := get(t, url); got != "v2" || pid != pid2 {
		t.Errorf("after a crashed start got %s (pid %d); want v2 (pid %d)", got, pid, pid2)
	}

	writeApp(t, dir, "v3", `time.Sleep(time.Hour)`)
	waitLog(t, &logs, "did not call reload.Ready in time", 60*time.Second)
	if got, pid := get(t, url); got != "v2" || pid != pid2 {
		t.Errorf("after a start that hung got %s (pid %d); want v2 (pid %d)", got, pid, pid2)
	}

	writeApp(t, dir, "v3", "")
	pid3 := waitFor(t, url, "v3", 60*time.Second)
	waitGone(t, pid2, 20*time.Second)
	time.Sleep(200 * time.Millisecond) // let the hammer cross the end of v2's drain
	res := h.stop()
	t.Logf("hammer: %d requests, %d failed, by version %v", res.n, res.failed, res.seen)
	for _, err := range res.errs {
		t.Errorf("request failed during reloads: %v", err)
	}
	for _, v := range []string{"v1", "v2", "v3"} {
		if res.seen[v] == 0 {
			t.Errorf("hammer never saw %s", v)
		}
	}

	// A child that dies on its own is logged; the next change starts a new one, and
	// requests made meanwhile wait in the backlog rather than being refused.
	get(t, url+"exit")
	waitGone(t, pid3, 20*time.Second)
	waitLog(t, &logs, "process exited; waiting", 20*time.Second)
	failed()
	writeApp(t, dir, "v4", "")
	pid4 := waitFor(t, url, "v4", 60*time.Second)

	cancel()
	select {
	case err := <-supervised:
		if err != nil {
			t.Errorf("Supervise returned %v; want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Supervise did not return within 30s of cancel")
	}
	if alive(pid4) {
		t.Errorf("child %d still runs after Supervise returned", pid4)
	}
	m := regexp.MustCompile(`bin=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatal("no build path in the log")
	}
	if _, err := os.Stat(filepath.Dir(m[1])); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory %s not removed: %v", filepath.Dir(m[1]), err)
	}
}

func TestSuperviseCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = reload.Supervise(ctx, reload.Options{
		Listener: l,
		Dir:      t.TempDir(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("Supervise with a cancelled context = %v; want nil", err)
	}
}

func TestSuperviseBadOptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := reload.Supervise(ctx, reload.Options{}); err == nil {
		t.Error("Supervise without a listener succeeded")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = reload.Supervise(ctx, reload.Options{Listener: l, Dir: filepath.Join(t.TempDir(), "missing")})
	if err == nil || !strings.HasPrefix(err.Error(), "reload: ") {
		t.Errorf("Supervise on a missing directory = %v; want a reload error", err)
	}
}

func TestSuperviseGoMissing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("PATH", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = reload.Supervise(ctx, reload.Options{
		Listener: l,
		Dir:      t.TempDir(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err == nil || !strings.Contains(err.Error(), "go build") {
		t.Fatalf("Supervise = %v; want an error about go build", err)
	}
}

// newApp writes the test app's module, v1, into a temporary directory.
func newApp(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire github.com/anode-go/anode v0.0.0\n\nreplace github.com/anode-go/anode => %s\n",
		appModule, root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	// Start from the framework's checksums so that tidy finds everything in the module cache.
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeApp(t, dir, "v1", "")
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the test app: %v\n%s", err, out)
	}
	return dir
}

func writeApp(t *testing.T, dir, version, hook string) {
	t.Helper()
	src := strings.NewReplacer("VERSION", version, "// HOOK", hook).Replace(appSource)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

var client = &http.Client{
	Timeout:   20 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// get fetches url and splits the app's answer into version and PID.
func get(t *testing.T, url string) (version string, pid int) {
	t.Helper()
	v, pid, err := fetch(url)
	if err != nil {
		t.Fatal(err)
	}
	return v, pid
}

func fetch(url string) (version string, pid int, err error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("%s: %s", resp.Status, body)
	}
	f := strings.Fields(string(body))
	if len(f) == 1 {
		return f[0], 0, nil // "bye"
	}
	if len(f) != 3 || f[2] != "env=passed" {
		return "", 0, fmt.Errorf("unexpected answer %q", body)
	}
	pid, err = strconv.Atoi(strings.TrimPrefix(f[1], "pid="))
	return f[0], pid, err
}

// waitFor polls url until the app answers version and returns the PID that answered.
func waitFor(t *testing.T, url, version string, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		v, pid, err := fetch(url)
		if err == nil && v == version {
			return pid
		}
		last = fmt.Sprint(v, " ", err)
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s within %v; last answer: %s", version, timeout, last)
	return 0
}

func waitLog(t *testing.T, logs *lockedBuffer, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(logs.String(), text) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %q in the log within %v", text, timeout)
}

// alive reports whether a process with this PID exists (zombies included, which a
// supervisor that waits for its children leaves none of).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) != syscall.ESRCH
}

func waitGone(t *testing.T, pid int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after %v", pid, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A hammer sends requests from several goroutines, each on a new connection, until
// stopped or until its time runs out, and records every failure.
type hammer struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	res  hammerResult
}

type hammerResult struct {
	n, failed int
	seen      map[string]int
	errs      []error // the first few failures
}

func startHammer(url string, workers int, limit time.Duration) *hammer {
	h := &hammer{done: make(chan struct{}), res: hammerResult{seen: map[string]int{}}}
	deadline := time.Now().Add(limit)
	const maxPerWorker = 20000
	for range workers {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for i := 0; i < maxPerWorker && time.Now().Before(deadline); i++ {
				select {
				case <-h.done:
					return
				default:
				}
				v, _, err := fetch(url)
				h.mu.Lock()
				h.res.n++
				if err != nil {
					h.res.failed++
					if len(h.res.errs) < 10 {
						h.res.errs = append(h.res.errs, err)
					}
				} else {
					h.res.seen[v]++
				}
				h.mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return h
}

func (h *hammer) stop() hammerResult {
	close(h.done)
	h.wg.Wait()
	return h.res
}

// A lockedBuffer is an io.Writer safe for the concurrent writes of a logger and of
// child processes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
