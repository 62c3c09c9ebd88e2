// Command rtbroadcast measures realtime broadcast: -n WebSocket subscribers
// on one topic, one publisher sending timestamped messages at rising rates,
// and for each rate the deliveries per second the subscribers received and
// the publish-to-receive latency (p50, p99). It runs against an Anode App
// (its /realtime/ws endpoint, fed by a publisher WebSocket whose messages
// the server passes to Hub.Publish) or against the Node ws peer in
// node/server.js, which does the same with the ws package.
//
//	go run ./bench/rtbroadcast -serve 127.0.0.1:9000             # the Anode server
//	go run ./bench/rtbroadcast -target anode -addr 127.0.0.1:9000 # the load
//	bash bench/rtbroadcast/run                                    # both, alternately, pinned to cores
//
// Bounded: at most 10,000 subscribers, 127.0.0.x only, every step of a
// fixed length, a deadline over the whole run.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/bits"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/realtime"
)

const topic = "bench"

func main() {
	serve := flag.String("serve", "", "run the Anode server on this 127.0.0.x address")
	target := flag.String("target", "anode", "the server's kind: anode or node")
	addr := flag.String("addr", "127.0.0.1:9000", "the server's address (127.0.0.x)")
	n := flag.Int("n", 10000, "subscribers (1..10000)")
	rates := flag.String("rates", "1,2,5,10,20,50,100", "messages per second, one step each, rising")
	step := flag.Duration("step", 5*time.Second, "length of each step")
	flag.Parse()
	raiseFDLimit()
	if *serve != "" {
		if err := runServer(*serve); err != nil {
			fmt.Fprintln(os.Stderr, "rtbroadcast:", err)
			os.Exit(1)
		}
		return
	}
	if *n < 1 || *n > 10000 {
		fail("-n must be 1..10000")
	}
	if !loopback(*addr) {
		fail("-addr must be a 127.0.0.x address")
	}
	var rs []int
	for _, f := range strings.Split(*rates, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r < 1 || r > 10000 {
			fail("-rates: want messages per second, 1..10000 each")
		}
		rs = append(rs, r)
	}
	if *step < time.Second || *step > time.Minute {
		fail("-step must be 1s..1m")
	}
	budget := time.Duration(len(rs))*(*step+3*time.Second) + 2*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	if err := runLoad(ctx, *target, *addr, *n, rs, *step); err != nil {
		fmt.Fprintln(os.Stderr, "rtbroadcast:", err)
		os.Exit(1)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "rtbroadcast:", msg)
	os.Exit(2)
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.To4() != nil && ip.To4()[0] == 127
}

func raiseFDLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// runServer serves an Anode App whose hub has the topic "bench" open to
// subscribers, and /pub: a WebSocket whose every text message is published
// to the topic, as the Node peer broadcasts what its /pub connection sends.
func runServer(addr string) error {
	if !loopback(addr) {
		return fmt.Errorf("-serve must be a 127.0.0.x address")
	}
	host, _, _ := net.SplitHostPort(addr)
	app := anode.New(anode.Config{
		SecretKey:    "rtbroadcast-benchmark-secret-key-0123456789",
		AllowedHosts: []string{host},
		DataDir:      os.TempDir(),
		Addr:         addr,
	})
	hub := app.Realtime()
	hub.Topic(topic, realtime.Rule{Subscribe: realtime.Anyone})
	app.Install(anode.Module{Name: "rtbroadcast", Routes: func(r *anode.Router) {
		r.Handle("/pub", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			for {
				_, msg, err := c.Read(r.Context())
				if err != nil {
					return
				}
				if _, err := hub.Publish(r.Context(), topic, json.RawMessage(msg)); err != nil {
					fmt.Fprintln(os.Stderr, "publish:", err)
				}
			}
		})).Stream()
	}})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Start(ctx); err != nil {
		return err
	}
	app.SetLogOutput(discard{})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := app.Server()
	go srv.Serve(ln)
	fmt.Println("listening on", addr)
	<-ctx.Done()
	hub.Close()
	return srv.Close()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// histogram counts latencies in buckets of powers of 2^(1/4) microseconds,
// lock-free.
type histogram struct {
	buckets [160]atomic.Int64
	count   atomic.Int64
}

func bucketOf(d time.Duration) int {
	us := uint64(max(d.Microseconds(), 1))
	// 4 buckets per power of two: the top two bits after the leading one.
	lz := bits.Len64(us) - 1
	frac := 0
	if lz >= 2 {
		frac = int(us>>(lz-2)) & 3
	} else if lz == 1 {
		frac = int(us&1) << 1
	}
	return min(lz*4+frac, 159)
}

func bucketUpper(b int) time.Duration {
	lz, frac := b/4, b%4
	us := math.Pow(2, float64(lz)) * (1 + float64(frac+1)/4)
	return time.Duration(us * float64(time.Microsecond))
}

func (h *histogram) add(d time.Duration) {
	h.buckets[bucketOf(d)].Add(1)
	h.count.Add(1)
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	total := h.count.Load()
	if total == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(total)))
	var seen int64
	for b := range h.buckets {
		seen += h.buckets[b].Load()
		if seen >= want {
			return bucketUpper(b)
		}
	}
	return bucketUpper(len(h.buckets) - 1)
}

// load is one run's shared state: the histogram of the step under way.
type load struct {
	hist atomic.Pointer[histogram]
	base time.Time
}

// stampOf finds the "t" (nanoseconds since base) in a received frame: the
// Node peer forwards the publisher's message as it is; Anode wraps it in a
// message frame as "data".
func stampOf(frame []byte) (int64, bool) {
	i := bytes.Index(frame, []byte(`"t":`))
	if i < 0 {
		return 0, false
	}
	rest := frame[i+4:]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	v, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return v, err == nil
}

func runLoad(ctx context.Context, target, addr string, n int, rates []int, step time.Duration) error {
	var subURL, pubURL string
	switch target {
	case "anode":
		subURL, pubURL = "ws://"+addr+"/realtime/ws", "ws://"+addr+"/pub"
	case "node":
		subURL, pubURL = "ws://"+addr+"/sub", "ws://"+addr+"/pub"
	default:
		return fmt.Errorf("-target %q: want anode or node", target)
	}
	l := &load{base: time.Now()}
	l.hist.Store(&histogram{})
	// Subscribers: dialled 100 at a time.
	conns := make([]*websocket.Conn, n)
	sem := make(chan struct{}, 100)
	var wg sync.WaitGroup
	var dialErr atomic.Pointer[error]
	started := time.Now()
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := subscribe(ctx, target, subURL)
			if err != nil {
				dialErr.CompareAndSwap(nil, &err)
				return
			}
			conns[i] = c
		}()
		if p := dialErr.Load(); p != nil {
			break
		}
	}
	wg.Wait()
	if p := dialErr.Load(); p != nil {
		return fmt.Errorf("subscriber: %w", *p)
	}
	fmt.Printf("%s: %d subscribers connected in %v\n", target, n, time.Since(started).Round(time.Millisecond))
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	for _, c := range conns {
		go func() {
			for {
				_, frame, err := c.Read(ctx)
				if err != nil {
					return
				}
				if t, ok := stampOf(frame); ok {
					l.hist.Load().add(time.Since(l.base) - time.Duration(t))
				}
			}
		}()
	}
	pub, _, err := websocket.Dial(ctx, pubURL, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://" + addr}}})
	if err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	defer pub.CloseNow()

	fmt.Printf("%-6s %8s %8s %12s %10s %10s %8s\n", "target", "msg/s", "sent", "deliveries/s", "p50", "p99", "lost")
	seq := 0
	for _, rate := range rates {
		h := &histogram{}
		l.hist.Store(h)
		tick := time.NewTicker(time.Second / time.Duration(rate))
		end := time.Now().Add(step)
		sent := 0
		for time.Now().Before(end) {
			select {
			case <-ctx.Done():
				tick.Stop()
				return ctx.Err()
			case <-tick.C:
			}
			seq++
			msg := fmt.Sprintf(`{"s":%d,"t":%d}`, seq, time.Since(l.base).Nanoseconds())
			if err := pub.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
				tick.Stop()
				return fmt.Errorf("publish: %w", err)
			}
			sent++
		}
		tick.Stop()
		time.Sleep(2 * time.Second) // deliveries in flight arrive
		l.hist.Store(&histogram{})  // late ones are not counted
		got := h.count.Load()
		want := int64(sent) * int64(n)
		lost := 100 * float64(want-got) / float64(want)
		fmt.Printf("%-6s %8d %8d %12.0f %10v %10v %7.2f%%\n", target, rate, sent, float64(got)/step.Seconds(), h.quantile(0.50), h.quantile(0.99), lost)
		if h.quantile(0.99) > time.Second || lost > 5 {
			fmt.Printf("%s: stopping: p99 over 1s or more than 5%% not delivered in time\n", target)
			break
		}
	}
	return nil
}

// subscribe opens one subscriber connection: for Anode, the hello and the
// subscribe's ack are read before it counts as subscribed.
func subscribe(ctx context.Context, target, url string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	host := strings.SplitN(url, "/", 4)[2] // ws://HOST/path
	c, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://" + host}}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	if target != "anode" {
		return c, nil
	}
	if _, _, err := c.Read(dctx); err != nil { // hello
		c.CloseNow()
		return nil, err
	}
	if err := c.Write(dctx, websocket.MessageText, []byte(`{"type":"subscribe","id":1,"topic":"`+topic+`"}`)); err != nil {
		c.CloseNow()
		return nil, err
	}
	_, ack, err := c.Read(dctx)
	if err != nil || !bytes.Contains(ack, []byte(`"type":"ack"`)) {
		c.CloseNow()
		return nil, fmt.Errorf("subscribe: %s %v", ack, err)
	}
	return c, nil
}
