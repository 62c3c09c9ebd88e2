package cache_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/cache"
)

// TestStampede: 1,000 concurrent GetOrSet on a cold key fill it once.
func TestStampede(t *testing.T) {
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mk(t)
			var fills atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, 1000)
			for range 1000 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					v, err := cache.GetOrSet(context.Background(), c, "cold", time.Minute, func(context.Context) (string, error) {
						fills.Add(1)
						time.Sleep(50 * time.Millisecond)
						return "filled", nil
					})
					if err != nil || v != "filled" {
						errs <- fmt.Errorf("GetOrSet = %q, %v", v, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if n := fills.Load(); n != 1 {
				t.Fatalf("fill ran %d times, want 1", n)
			}
			// A failing fill is returned and nothing is stored.
			_, err := cache.GetOrSet(context.Background(), c, "bad", time.Minute, func(context.Context) (int, error) {
				return 0, errors.New("db down")
			})
			if err == nil || err.Error() != "db down" {
				t.Fatalf("fill error: %v", err)
			}
			if _, ok, _ := c.Bytes(context.Background(), "bad"); ok {
				t.Fatal("a failed fill was stored")
			}
		})
	}
}

// redisServer is a redis-server of the test's own, on a free port, so the
// test can stop and start it without disturbing the shared one.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is needed for the outage test: %v", err)
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &redisServer{t: t, port: port, cmd: cmd}
	t.Cleanup(s.stop)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start: %v", s.addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// stop kills this server by its PID and waits for it.
func (s *redisServer) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(os.Kill)
	s.cmd.Wait()
}

// TestOutage stops Redis under a cache: requests keep succeeding (misses
// and errors counted, each bounded by the timeout), and once Redis is back
// hits resume without a restart.
func TestOutage(t *testing.T) {
	anodetest.Service(t, "ANODE_TEST_REDIS") // the CI machine has redis-server
	srv := startRedis(t, 0)
	c, err := cache.Open("redis://"+srv.addr()+"/0?timeout=200ms", cache.Options{RetryAfter: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var fills atomic.Int32
	// request is what a view does: the cached value, or the database's.
	request := func() (string, time.Duration) {
		start := time.Now()
		v, err := cache.GetOrSet(context.Background(), c, "front-page", time.Minute, func(context.Context) (string, error) {
			fills.Add(1)
			return "page", nil
		})
		if err != nil || v != "page" {
			t.Fatalf("request failed: %q %v", v, err)
		}
		return v, time.Since(start)
	}
	request()
	request()
	if st := c.Stats(); st.Hits != 1 || fills.Load() != 1 {
		t.Fatalf("warm: %+v fills %d", st, fills.Load())
	}

	srv.stop()
	before := c.Stats()
	for range 20 {
		if _, d := request(); d > time.Second {
			t.Fatalf("a request took %v during the outage", d)
		}
	}
	during := c.Stats()
	if during.Hits != before.Hits || during.Misses < before.Misses+20 || during.Errors == before.Errors {
		t.Fatalf("outage not counted: before %+v during %+v", before, during)
	}
	// A strict view reports the failure.
	if _, _, err := c.Strict().Bytes(context.Background(), "front-page"); err == nil || errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("strict read during the outage: %v", err)
	}

	startRedis(t, srv.port)
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Hits == during.Hits {
		if time.Now().After(deadline) {
			t.Fatalf("hits did not resume after Redis came back: %+v", c.Stats())
		}
		request()
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMemcachedClear runs Clear (flush_all) on a memcached of the test's
// own, since flushing the shared server would disturb other tests.
func TestMemcachedClear(t *testing.T) {
	anodetest.Service(t, "ANODE_TEST_MEMCACHED") // the CI machine has memcached
	bin, err := exec.LookPath("memcached")
	if err != nil {
		t.Fatalf("memcached is needed: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "8"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody")
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("memcached did not start on %s", addr)
		}
	}
	c, err := cache.Open("memcached://"+addr+"?timeout=2s", cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	s := c.Strict()
	must(t, cache.Set(ctx, s, "a", 1, cache.DefaultTTL))
	must(t, s.Clear(ctx))
	if _, ok, _ := c.Bytes(ctx, "a"); ok {
		t.Fatal("Clear left a key")
	}
}
