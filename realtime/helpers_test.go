package realtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/realtime"
)

// frame is a decoded server frame.
type frame struct {
	Type      string          `json:"type"`
	ID        uint64          `json:"id"`
	Topic     string          `json:"topic"`
	Epoch     string          `json:"epoch"`
	Offset    uint64          `json:"offset"`
	Recovered *bool           `json:"recovered"`
	Missed    int             `json:"missed"`
	Data      json.RawMessage `json:"data"`
	Code      any             `json:"code"`
	Message   string          `json:"message"`
	Client    string          `json:"client"`
	Token     string          `json:"token"`
	Event     string          `json:"event"`
	Member    realtime.Member `json:"member"`
}

// newApp starts an App whose hub configure sets up, served by an
// httptest server.
func newApp(t *testing.T, configure func(h *realtime.Hub)) (*anode.App, *httptest.Server) {
	t.Helper()
	app := anode.New(anodetest.Config(t))
	app.SetLogOutput(testLog{t})
	h := app.Realtime()
	if configure != nil {
		configure(h)
	}
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		h.Close()
		srv.Close()
		app.Close()
	})
	return app, srv
}

// newHub serves a bare Hub (for options App.Realtime does not expose).
func newHub(t *testing.T, opts realtime.Options, configure func(h *realtime.Hub)) (*realtime.Hub, *httptest.Server) {
	t.Helper()
	h := realtime.New(opts)
	if configure != nil {
		configure(h)
	}
	mux := http.NewServeMux()
	mux.Handle("/realtime/ws", h.WebSocket())
	mux.Handle("/realtime/sse", h.SSE())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return h, srv
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

type wsClient struct {
	t     *testing.T
	c     *websocket.Conn
	hello frame
	id    uint64
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/realtime/ws"
}

// dial connects and reads the hello frame.
func dial(t *testing.T, srv *httptest.Server, hdr http.Header) *wsClient {
	t.Helper()
	return dialURL(t, wsURL(srv), hdr)
}

// dialURL connects to a WebSocket endpoint and reads the hello frame.
func dialURL(t *testing.T, url string, hdr http.Header) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	c.SetReadLimit(16 << 20)
	t.Cleanup(func() { c.CloseNow() })
	w := &wsClient{t: t, c: c}
	w.hello = w.read()
	if w.hello.Type != "hello" || w.hello.Client == "" {
		t.Fatalf("first frame = %+v, want hello", w.hello)
	}
	return w
}

func (w *wsClient) send(v any) uint64 {
	w.t.Helper()
	w.id++
	m, ok := v.(map[string]any)
	if ok {
		if _, has := m["id"]; !has {
			m["id"] = w.id
		}
	}
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
	return w.id
}

func (w *wsClient) read() frame {
	w.t.Helper()
	f, err := w.tryRead(5 * time.Second)
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	return f
}

func (w *wsClient) tryRead(d time.Duration) (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, p, err := w.c.Read(ctx)
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(p, &f); err != nil {
		w.t.Fatalf("server sent invalid JSON %q: %v", p, err)
	}
	return f, nil
}

// expect reads a frame and checks its type.
func (w *wsClient) expect(typ string) frame {
	w.t.Helper()
	f := w.read()
	if f.Type != typ {
		w.t.Fatalf("got %+v (data %s), want a %q frame", f, f.Data, typ)
	}
	return f
}

func (w *wsClient) subscribe(topic string, recover *realtime.Position) frame {
	w.t.Helper()
	m := map[string]any{"type": "subscribe", "topic": topic}
	if recover != nil {
		m["recover"] = recover
	}
	id := w.send(m)
	f := w.expect("ack")
	if f.ID != id || f.Topic != topic || f.Epoch == "" {
		w.t.Fatalf("subscribe ack = %+v", f)
	}
	return f
}

// closeCode reads until the connection ends and returns its close code.
func (w *wsClient) closeCode(d time.Duration) websocket.StatusCode {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		_, err := w.tryRead(time.Until(deadline))
		if err != nil {
			return websocket.CloseStatus(err)
		}
	}
	w.t.Fatal("connection still open")
	return 0
}

func openRule() realtime.Rule {
	return realtime.Rule{Subscribe: realtime.Anyone, Publish: realtime.Anyone}
}
