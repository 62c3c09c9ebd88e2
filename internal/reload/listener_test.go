package reload_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/internal/reload"
)

// helperEnv makes the test binary act as a supervised child; see TestHelperChild.
const helperEnv = "RELOAD_TEST_HELPER"

func TestListenerUnsupervised(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("running as a helper child")
	}
	l, ok, err := reload.Listener()
	if l != nil || ok || err != nil {
		t.Fatalf("Listener() = %v, %v, %v; want nil, false, nil", l, ok, err)
	}
	for range 2 {
		if err := reload.Ready(); err != nil {
			t.Fatalf("Ready() = %v; want nil", err)
		}
	}
}

// TestListenerInherited runs the test binary itself as a child with a socket and a
// ready pipe, the way Supervise does, without building anything.
func TestListenerInherited(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("running as a helper child")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	lf, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=serve",
		"ANODE_RELOAD_LISTEN_FD=3", "ANODE_RELOAD_READY_FD=4")
	cmd.ExtraFiles = []*os.File{lf, w}
	out := new(strings.Builder)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("child output:\n%s", out)
		}
	}()

	readyc := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		readyc <- b
	}()
	select {
	case b := <-readyc:
		if len(b) != 1 {
			t.Fatalf("ready pipe carried %q; want one byte", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child not ready within 30s")
	}

	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "helper ok" {
		t.Errorf("child answered %q; want %q", body, "helper ok")
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("child: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not exit within 30s")
	}
}

func TestListenerBadDescriptor(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("running as a helper child")
	}
	for _, fd := range []string{"x", "1", "97"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
		cmd.Env = append(os.Environ(), helperEnv+"=bad", "ANODE_RELOAD_LISTEN_FD="+fd)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("fd %s: helper failed: %v\n%s", fd, err, out)
		}
	}
}

// TestHelperChild is the child side of the tests above; it does nothing in a normal run.
func TestHelperChild(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "":
		t.Skip("only run as a helper child")
	case "bad":
		l, ok, err := reload.Listener()
		if l != nil || !ok || err == nil || !strings.HasPrefix(err.Error(), "reload: ") {
			t.Fatalf("Listener() = %v, %v, %v; want nil, true, a reload error", l, ok, err)
		}
		t.Log(err)
		return
	}

	l, ok, err := reload.Listener()
	if err != nil || !ok {
		t.Fatalf("Listener() = %v, %v, %v", l, ok, err)
	}
	if l2, _, _ := reload.Listener(); l2 != l {
		t.Errorf("second Listener() returned another listener")
	}
	for _, name := range []string{"ANODE_RELOAD_LISTEN_FD", "ANODE_RELOAD_READY_FD"} {
		if v, set := os.LookupEnv(name); set {
			t.Errorf("%s=%s still set; programs the child starts would misread it", name, v)
		}
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "helper ok")
	})}
	// Before Ready: the parent interrupts as soon as it has its answer.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go srv.Serve(l)
	for range 2 {
		if err := reload.Ready(); err != nil {
			t.Fatalf("Ready() = %v", err)
		}
	}
	// Serve until the parent interrupts; bounded in any case.
	select {
	case <-sig:
	case <-time.After(60 * time.Second):
		t.Error("no signal from the parent within 60s")
	}
	srv.Close()
}
