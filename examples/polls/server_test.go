package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this package build the polls binary with go build and drive
// it over HTTP, as a newcomer runs it.

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary builds the polls binary once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "polls-e2e-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "polls")
		cmd := exec.Command("go", "build", "-o", build.bin, ".")
		build.out, build.err = cmd.CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// server is a running polls binary.
type server struct {
	URL     string        // http://127.0.0.1:PORT
	Dir     string        // its working directory (data/ is created there)
	Startup time.Duration // from exec to the first 200 from /polls/
	cmd     *exec.Cmd
	stdout  *syncBuffer
	stderr  *syncBuffer
	done    chan struct{}
	stopped bool
}

// deployment is the configuration a server runs with, beyond the address.
// The zero value is the quickstart: no configuration at all (debug mode,
// SQLite in ./data, in-process cache and broker).
type deployment struct {
	Name string
	Env  map[string]string // ANODE_* variables
	Dir  string            // working directory; "" for a new temporary one
}

// start runs the binary with dep's environment (and no ANODE_* variable
// of the test's own environment) on a free port of 127.0.0.1, waits until
// /polls/ answers 200 (at most 60 s), and stops it with SIGINT when the
// test ends.
func start(t *testing.T, dep deployment) *server {
	t.Helper()
	bin := binary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := dep.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANODE_") {
			env = append(env, kv)
		}
	}
	env = append(env, "ANODE_ADDR="+addr)
	for k, v := range dep.Env {
		env = append(env, k+"="+v)
	}
	s := &server{URL: "http://" + addr, Dir: dir, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Dir, s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = dir, env, s.stdout, s.stderr
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		if !s.stopped {
			s.stop(t)
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", dep.Name, s.stdout, s.stderr)
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		select {
		case <-s.done:
			t.Fatalf("%s exited before serving: %v\nstdout:\n%s\nstderr:\n%s", dep.Name, s.cmd.ProcessState, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer on %s within 60s", dep.Name, s.URL)
		}
		res, err := client.Get(s.URL + "/polls/")
		if err != nil {
			continue
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			s.Startup = time.Since(began)
			return s
		}
	}
}

// stop sends SIGINT (Ctrl-C) and fails the test unless the server exits
// with status 0 within 30 s.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.stopped = true
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Errorf("SIGINT: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("the server did not stop within 30s of SIGINT")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status after SIGINT = %d, want 0\nstderr:\n%s", code, s.stderr)
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
