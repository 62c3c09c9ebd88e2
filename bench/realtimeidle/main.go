// Command realtimeidle measures the server memory per idle WebSocket
// connection of an Anode App's realtime endpoint: it serves on
// 127.0.0.1, starts itself again as a client process that opens -n
// connections (each subscribed to one topic) and holds them, and reports
// the server's growth in Go heap, goroutine stacks and RSS divided by -n.
// Clients run in another process so that their memory is not counted.
//
//	go run ./bench/realtimeidle -n 2000
//
// Bounded: at most 10,000 connections, 127.0.0.1 only, a 120-second
// deadline.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/realtime"
)

func main() {
	n := flag.Int("n", 1000, "connections (at most 10000)")
	client := flag.String("client", "", "internal: run as the client process against this address")
	compress := flag.Bool("compress", false, "offer permessage-deflate")
	bare := flag.Bool("bare", false, "serve the Hub on a plain http.Server instead of through an App")
	heapProfile := flag.String("heapprofile", "", "write a heap profile (in use) with the connections open to this file")
	flag.Parse()
	if *n < 1 || *n > 10000 {
		fmt.Fprintln(os.Stderr, "realtimeidle: -n must be 1..10000")
		os.Exit(2)
	}
	raiseFDLimit(*n + 100)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if *client != "" {
		runClients(ctx, *client, *n, *compress)
		return
	}
	if err := runServer(ctx, *n, *compress, *bare, *heapProfile); err != nil {
		fmt.Fprintln(os.Stderr, "realtimeidle:", err)
		os.Exit(1)
	}
}

func raiseFDLimit(want int) {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < uint64(want) {
		l.Cur = min(uint64(want), l.Max)
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

type sample struct {
	heap, stack, sys, rss uint64
	goroutines            int
}

func measure() sample {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return sample{heap: m.HeapInuse, stack: m.StackInuse, sys: m.Sys - m.HeapReleased, rss: rss(), goroutines: runtime.NumGoroutine()}
}

// rss reads VmRSS from /proc/self/status (Linux), in bytes.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func runServer(ctx context.Context, n int, compress, bare bool, heapProfile string) error {
	cfg := anode.Config{SecretKey: "realtimeidle-benchmark-secret-key-0123456789", AllowedHosts: []string{"127.0.0.1"}, DataDir: os.TempDir()}
	if compress {
		os.Setenv("ANODE_REALTIME_COMPRESSION", "true")
	}
	var hub *realtime.Hub
	var srv *http.Server
	if bare {
		hub = realtime.New(realtime.Options{Compression: compress, Logger: slog.New(slog.NewTextHandler(discard{}, nil))})
		mux := http.NewServeMux()
		mux.Handle("/realtime/ws", hub.WebSocket())
		srv = &http.Server{Handler: mux}
	} else {
		app := anode.New(cfg)
		app.SetLogOutput(discard{})
		hub = app.Realtime()
		if err := app.Start(ctx); err != nil {
			return err
		}
		srv = app.Server()
	}
	hub.Topic("idle", realtime.Rule{Subscribe: realtime.Anyone})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	defer hub.Close()

	// Warm up: one connection, so that one-time allocations are not counted.
	cmd := exec.CommandContext(ctx, os.Args[0], "-client", ln.Addr().String(), "-n", "1")
	if compress {
		cmd.Args = append(cmd.Args, "-compress")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("warm-up client: %v: %s", err, out)
	}
	time.Sleep(200 * time.Millisecond)
	before := measure()

	cmd = exec.CommandContext(ctx, os.Args[0], "-client", ln.Addr().String(), "-n", strconv.Itoa(n))
	if compress {
		cmd.Args = append(cmd.Args, "-compress")
	}
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		cmd.Process.Kill()
		return fmt.Errorf("client: %q %v", line, err)
	}
	for hub.Clients() < n && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the connections settle idle
	after := measure()
	if heapProfile != "" {
		f, err := os.Create(heapProfile)
		if err != nil {
			return err
		}
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	stdin.Close() // the client exits
	cmd.Wait()

	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) / 1024 }
	fmt.Printf("connections: %d (compression %v, bare hub %v), %s/%s, Go %s\n", n, compress, bare, runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("goroutines per connection: %.2f\n", float64(after.goroutines-before.goroutines)/float64(n))
	fmt.Printf("per connection: heap %.1f KiB + stacks %.1f KiB = %.1f KiB; Go runtime total (Sys-HeapReleased) %.1f KiB; RSS %.1f KiB\n",
		per(after.heap, before.heap), per(after.stack, before.stack), per(after.heap+after.stack, before.heap+before.stack), per(after.sys, before.sys), per(after.rss, before.rss))
	return nil
}

func runClients(ctx context.Context, addr string, n int, compress bool) {
	mode := websocket.CompressionDisabled
	if compress {
		mode = websocket.CompressionContextTakeover
	}
	conns := make([]*websocket.Conn, 0, n)
	for i := range n {
		c, _, err := websocket.Dial(ctx, "ws://"+addr+"/realtime/ws", &websocket.DialOptions{CompressionMode: mode})
		if err != nil {
			fmt.Fprintf(os.Stderr, "client %d: %v\n", i, err)
			os.Exit(1)
		}
		c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":1,"topic":"idle"}`))
		conns = append(conns, c)
		// Read the hello and the ack, so the connection is idle afterwards.
		for range 2 {
			if _, _, err := c.Read(ctx); err != nil {
				fmt.Fprintf(os.Stderr, "client %d: %v\n", i, err)
				os.Exit(1)
			}
		}
		// Keep answering pings (coder/websocket answers during a read).
		go c.Read(context.Background())
	}
	fmt.Println("ready")
	os.Stdin.Read(make([]byte, 1)) // until the server closes our stdin
	for _, c := range conns {
		c.CloseNow()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
