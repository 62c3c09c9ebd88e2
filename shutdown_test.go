package anode_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// buildFixture builds a main package from testdata into a temporary directory.
func buildFixture(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestGracefulShutdownBinary: 100 slow requests in flight, then SIGTERM to the
// built binary: all 100 complete with 200, new connections are refused, and the
// process exits with status 0.
func TestGracefulShutdownBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary; skipped with -short")
	}
	bin := buildFixture(t, "./testdata/slowapp")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "ANODE_ADDR="+addr, "ANODE_SECRET_KEY=0123456789abcdef0123456789abcdef", "ANODE_ALLOWED_HOSTS=127.0.0.1", "ANODE_DEBUG=false", "ANODE_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	base := "http://" + addr
	waitFor(t, 10*time.Second, func() bool {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})

	const n = 100
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}, Timeout: 20 * time.Second}
	results := make(chan error, n)
	for range n {
		go func() {
			res, err := client.Get(base + "/slow/")
			if err != nil {
				results <- err
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || string(b) != "done" {
				results <- fmt.Errorf("status %d body %q", res.StatusCode, b)
				return
			}
			results <- nil
		}()
	}
	waitFor(t, 10*time.Second, func() bool {
		res, err := http.Get(base + "/inflight/")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got, _ := strconv.Atoi(string(b))
		return got == n
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes at once (no shutdown delay configured), while the
	// slow requests (2 s each) are still running.
	waitFor(t, 2*time.Second, func() bool {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		conn.Close()
		return false
	})
	failed := 0
	for range n {
		if err := <-results; err != nil {
			failed++
			t.Errorf("in-flight request: %v", err)
		}
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("process exit: %v (want status 0)", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("process did not exit after SIGTERM")
	}
	if failed > 0 {
		t.Fatalf("%d of %d in-flight requests failed", failed, n)
	}
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
