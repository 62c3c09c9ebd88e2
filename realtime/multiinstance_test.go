package realtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/realtime"
)

// instanceEnv, set to a broker URL, makes the test binary serve one app
// instance instead of running tests (see TestMultiInstance).
const instanceEnv = "ANODE_REALTIME_TEST_INSTANCE"

func TestMain(m *testing.M) {
	if url := os.Getenv(instanceEnv); url != "" {
		os.Exit(serveInstance(url))
	}
	os.Exit(m.Run())
}

// serveInstance runs an app with a "room:*" namespace open to anyone,
// with presence, until SIGTERM; it prints "listening ADDR" first.
func serveInstance(brokerURL string) int {
	dir, err := os.MkdirTemp("", "anode-realtime-instance")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	app := anode.New(anode.Config{
		SecretKey:    "anodetest-secret-key-not-for-production-0123456789",
		DataDir:      dir,
		AllowedHosts: []string{"127.0.0.1"},
		EmailURL:     "memory://",
		BrokerURL:    brokerURL,
	})
	app.Realtime().Topic("room:*", realtime.Rule{Subscribe: realtime.Anyone, Publish: realtime.Anyone, Presence: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("listening %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	err = app.Serve(ctx, ln)
	err2 := app.Close()
	if err != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "instance:", err, err2)
		return 1
	}
	return 0
}

// instance is an app process started by startInstance.
type instance struct {
	cmd    *exec.Cmd
	addr   string
	stderr string // the path of the file that receives its stderr
	done   chan error
}

// startInstance starts this test binary as an app instance on brokerURL.
func startInstance(t *testing.T, name, brokerURL string) *instance {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), instanceEnv+"="+brokerURL)
	in := &instance{cmd: cmd, stderr: filepath.Join(t.TempDir(), name+".log"), done: make(chan error, 1)}
	logFile, err := os.Create(in.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-in.done:
		default:
			cmd.Process.Kill() // the process this test started, by its PID
			<-in.done
		}
		if t.Failed() {
			t.Logf("instance %s stderr:\n%s", name, in.log())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				addr <- a
			}
		}
		in.done <- cmd.Wait()
	}()
	select {
	case in.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("instance %s did not start within 30s:\n%s", name, in.log())
	}
	return in
}

// log returns what the instance wrote to stderr.
func (in *instance) log() string {
	b, _ := os.ReadFile(in.stderr)
	return string(b)
}

func (in *instance) url() string { return "ws://" + in.addr + "/realtime/ws" }

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-in.done:
		in.done <- err // for Cleanup
		if err != nil {
			t.Fatalf("instance exited with %v:\n%s", err, in.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("instance still running 30s after SIGTERM")
	}
}

// nextMessage reads frames until a message and returns its "n".
func (w *wsClient) nextMessage() (frame, int) {
	w.t.Helper()
	for range 1000 {
		f := w.read()
		switch f.Type {
		case "message":
			var d struct{ N int }
			if err := json.Unmarshal(f.Data, &d); err != nil {
				w.t.Fatalf("message data %s: %v", f.Data, err)
			}
			return f, d.N
		case "error":
			w.t.Fatalf("error frame: %+v", f)
		}
	}
	w.t.Fatal("no message in 1000 frames")
	return frame{}, 0
}

// publishN publishes {"n": n} and waits for the ack.
func (w *wsClient) publishN(topic string, n int) {
	w.t.Helper()
	id := w.send(map[string]any{"type": "publish", "topic": topic, "data": map[string]int{"n": n}})
	if f := w.expect("ack"); f.ID != id {
		w.t.Fatalf("ack %+v for publish %d", f, id)
	}
}

// members asks for topic's members and returns their client IDs.
func (w *wsClient) members(topic string) []string {
	w.t.Helper()
	id := w.send(map[string]any{"type": "presence", "topic": topic})
	for range 1000 {
		f := w.read()
		if f.Type == "error" {
			w.t.Fatalf("presence: %+v", f)
		}
		if f.Type != "ack" || f.ID != id {
			continue // join and leave events
		}
		var d struct{ Members []realtime.Member }
		if err := json.Unmarshal(f.Data, &d); err != nil {
			w.t.Fatal(err)
		}
		var ids []string
		for _, m := range d.Members {
			ids = append(ids, m.ClientID)
		}
		slices.Sort(ids)
		return ids
	}
	w.t.Fatal("no presence ack")
	return nil
}

// eventually retries cond (a bounded number of times, 100ms apart).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 150 {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within 15s", what)
}

// TestMultiInstance runs two app processes sharing a Redis, then a NATS,
// broker: a client on A receives what is published on B and the reverse;
// presence seen from A lists a client of B; B stops (SIGTERM: its clients
// get 1001) while messages keep coming, and B's client reconnects to A and
// recovers what it missed: zero lost, zero duplicated.
func TestMultiInstance(t *testing.T) {
	for _, k := range []struct {
		name string
		kit  func(*testing.T) brokerKit
	}{{"redis", redisKit}, {"nats", natsKit}} {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			testMultiInstance(t, k.kit(t).url)
		})
	}
}

func testMultiInstance(t *testing.T, brokerURL string) {
	a, b := startInstance(t, "A", brokerURL), startInstance(t, "B", brokerURL)
	const topic = "room:failover"
	onA, onB := dialURL(t, a.url(), nil), dialURL(t, b.url(), nil)
	pubA, pubB := dialURL(t, a.url(), nil), dialURL(t, b.url(), nil)
	onA.subscribe(topic, nil)
	onB.subscribe(topic, nil)

	var got []int // what B's client has received, in order
	var last realtime.Position
	receive := func(f frame, n int) {
		if last.Epoch != "" && (f.Epoch != last.Epoch || f.Offset != last.Offset+1) {
			t.Fatalf("message n=%d at %s/%d after %s/%d: a gap or a duplicate", n, f.Epoch, f.Offset, last.Epoch, last.Offset)
		}
		last = realtime.Position{Epoch: f.Epoch, Offset: f.Offset}
		got = append(got, n)
	}

	// Published on B, received on A (and B); published on A, received on B.
	pubB.publishN(topic, 1)
	if _, n := onA.nextMessage(); n != 1 {
		t.Fatalf("A received n=%d, want 1", n)
	}
	receive(onB.nextMessage())
	pubA.publishN(topic, 2)
	receive(onB.nextMessage())
	if _, n := onA.nextMessage(); n != 2 {
		t.Fatalf("A received n=%d, want 2", n)
	}

	// Presence seen from A lists B's subscriber.
	eventually(t, "B's client in A's presence", func() bool {
		return slices.Contains(onA.members(topic), onB.hello.Client)
	})

	// B stops while A's publisher goes on.
	const total = 40
	b.cmd.Process.Signal(syscall.SIGTERM)
	for n := 3; n <= total; n++ {
		pubA.publishN(topic, n)
	}
	for range total {
		_, p, err := onB.c.Read(context.Background())
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
				t.Fatalf("B's client closed with %v, want 1001 (going away)", err)
			}
			break
		}
		var f frame
		json.Unmarshal(p, &f)
		if f.Type == "message" {
			var d struct{ N int }
			json.Unmarshal(f.Data, &d)
			receive(f, d.N)
		}
	}
	b.stop(t)
	before := len(got)

	// B's client reconnects to A and recovers the rest, exactly.
	again := dialURL(t, a.url(), nil)
	ack := again.subscribe(topic, &last)
	if ack.Recovered == nil || !*ack.Recovered || ack.Missed != total-before {
		t.Fatalf("resubscribe on A after %d messages: %+v, want recovered with %d missed", before, ack, total-before)
	}
	for range ack.Missed {
		receive(again.nextMessage())
	}
	pubA.publishN(topic, total+1)
	receive(again.nextMessage())
	want := make([]int, total+1)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(got, want) {
		t.Fatalf("B's client received %v, want 1..%d once each, in order", got, total+1)
	}
	t.Logf("%d messages before the stop, %d recovered on A", before, total-before)

	// B's client has left A's presence; the reconnected one is there.
	eventually(t, "B's old client gone from presence", func() bool {
		ids := onA.members(topic)
		return !slices.Contains(ids, onB.hello.Client) && slices.Contains(ids, again.hello.Client)
	})
}
