package realtime_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

// proxy forwards TCP connections to a server until it is cut: then it
// drops every connection and refuses new ones, as a server that went
// away would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut(true) })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go func() { io.Copy(s, c); s.Close(); c.Close() }()
		go func() { io.Copy(c, s); s.Close(); c.Close() }()
	}
}

// cut drops every connection and sets whether new ones are refused.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// viaProxy returns kit's URL with its host replaced by a proxy to it.
func viaProxy(t *testing.T, kitURL string) (string, *proxy) {
	t.Helper()
	u, err := url.Parse(kitURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	return u.String(), p
}

// TestBrokerReconnect: while an instance's connection to the server is
// down its publishes fail; once it is back, its subscribers receive what
// was published meanwhile on other instances, in order, without waiting
// for a new message, and then live messages again.
func TestBrokerReconnect(t *testing.T) {
	forEachBroker(t, func(t *testing.T, kit brokerKit) {
		if !kit.instances {
			return // no server to lose
		}
		u, p := viaProxy(t, kit.url)
		a, b := openKitBroker(t, u), kit.open(t)
		topic := topicName(t)
		onA := subscribeCollector(t, a, topic)
		opts := realtime.PublishOptions{History: 100}
		want := uint64(0)
		expect := func(upto uint64) {
			t.Helper()
			for want < upto {
				want++
				if e := onA.nextOf(t, realtime.EventMessage); e.Message.Offset != want {
					t.Fatalf("delivered offset %d, want %d", e.Message.Offset, want)
				}
			}
		}
		for i := 1; i <= 3; i++ {
			publish(t, b, topic, i, opts)
		}
		expect(3)

		p.cut(true)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err := a.Publish(ctx, topic, json.RawMessage(`0`), opts)
		cancel()
		if err == nil {
			t.Fatal("publish with the server unreachable succeeded")
		}
		for i := 4; i <= 6; i++ {
			publish(t, b, topic, i, opts)
		}
		p.cut(false)
		expect(6) // caught up from history after the reconnection

		// Publishing works again from a (bounded retries while the
		// client reconnects), and live delivery resumes.
		var m realtime.Message
		for range 100 {
			if m, err = a.Publish(context.Background(), topic, json.RawMessage(`7`), opts); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil || m.Offset != 7 {
			t.Fatalf("publish after the reconnection: %+v %v", m, err)
		}
		expect(7)
	})
}
