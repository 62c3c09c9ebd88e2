package realtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/realtime"
)

// sseClient reads an event stream.
type sseClient struct {
	t     *testing.T
	srv   *httptest.Server
	resp  *http.Response
	lines chan string
	hello frame
}

func openSSE(t *testing.T, srv *httptest.Server, query string, hdr http.Header) (*sseClient, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/realtime/sse?"+query, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	s := &sseClient{t: t, srv: srv, resp: resp, lines: make(chan string, 1024)}
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	s.hello = s.expect("hello")
	if s.hello.Token == "" || s.hello.Client == "" {
		t.Fatalf("hello %+v", s.hello)
	}
	return s, resp
}

// read returns the next event's frame, skipping comments.
func (s *sseClient) read() frame {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				s.t.Fatal("stream ended")
			}
			data, found := strings.CutPrefix(line, "data: ")
			if !found {
				continue // blank separators and ": ping" comments
			}
			var f frame
			if err := json.Unmarshal([]byte(data), &f); err != nil {
				s.t.Fatalf("bad event data %q", data)
			}
			return f
		case <-timeout:
			s.t.Fatal("no event in time")
		}
	}
}

func (s *sseClient) expect(typ string) frame {
	s.t.Helper()
	f := s.read()
	if f.Type != typ {
		s.t.Fatalf("got %+v (data %s), want %q", f, f.Data, typ)
	}
	return f
}

// send POSTs a frame for the connection and returns the status.
func (s *sseClient) send(body, token string) int {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+"/realtime/sse?client="+url.QueryEscape(s.hello.Client), strings.NewReader(body))
	req.Header.Set("X-Realtime-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestSSE(t *testing.T) {
	app, srv := newApp(t, func(h *realtime.Hub) {
		h.Topic("chat:*", openRule())
		h.Topic("news", realtime.Rule{Subscribe: realtime.Anyone})
	})
	hub, ctx := app.Realtime(), context.Background()
	s, _ := openSSE(t, srv, "topic=chat:lobby&topic=secret", nil)
	ack := s.expect("ack")
	if ack.Topic != "chat:lobby" || ack.ID != 0 || ack.Epoch == "" {
		t.Errorf("ack %+v", ack)
	}
	if f := s.expect("error"); f.Topic != "secret" || f.Code != "forbidden" {
		t.Errorf("refused topic: %+v", f)
	}
	hub.Publish(ctx, "chat:lobby", "one")
	if m := s.expect("message"); m.Offset != 1 || string(m.Data) != `"one"` {
		t.Errorf("message %+v", m)
	}
	// Client frames go over POST; replies come on the stream.
	if st := s.send(`{"type":"publish","id":7,"topic":"chat:lobby","data":"two"}`, s.hello.Token); st != http.StatusAccepted {
		t.Fatalf("send: %d", st)
	}
	got := map[string]frame{}
	for range 2 {
		f := s.read()
		got[f.Type] = f
	}
	if got["ack"].ID != 7 || got["ack"].Offset != 2 || string(got["message"].Data) != `"two"` {
		t.Errorf("after POST publish: %+v", got)
	}
	if st := s.send(`{"type":"subscribe","id":8,"topic":"news"}`, s.hello.Token); st != http.StatusAccepted {
		t.Fatalf("send: %d", st)
	}
	if f := s.expect("ack"); f.ID != 8 || f.Topic != "news" {
		t.Errorf("subscribe over POST: %+v", f)
	}
	if st := s.send(`{`, s.hello.Token); st != http.StatusAccepted || s.expect("error").Code != "bad_request" {
		t.Error("malformed frame not reported on the stream")
	}
	for name, token := range map[string]string{"wrong token": "nope", "no token": ""} {
		if st := s.send(`{"type":"publish","topic":"chat:lobby","data":1}`, token); st != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, st)
		}
	}
	if st := s.send(strings.Repeat(" ", 70<<10), s.hello.Token); st != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized send: %d", st)
	}

	// Recovery through the query.
	r, _ := openSSE(t, srv, "topic="+url.QueryEscape("chat:lobby@"+ack.Epoch+":1"), nil)
	ack2 := r.expect("ack")
	if ack2.Recovered == nil || !*ack2.Recovered || ack2.Missed != 1 {
		t.Errorf("recovery ack %+v", ack2)
	}
	if m := r.expect("message"); m.Offset != 2 {
		t.Errorf("recovered %+v", m)
	}
	if _, resp := openSSE(t, srv, "topic=chat:lobby@x", nil); resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad position: %v", resp)
	}
	if _, resp := openSSE(t, srv, "topic=chat:lobby", http.Header{"Origin": {"https://evil.com"}}); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin stream: %v", resp)
	}
}

func TestSSEShutdown(t *testing.T) {
	hub, srv := newHub(t, realtime.Options{}, func(h *realtime.Hub) { h.Topic("t", openRule()) })
	s, _ := openSSE(t, srv, "topic=t", nil)
	s.expect("ack")
	hub.Publish(context.Background(), "t", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// What was queued is written first, then the close event.
	if m := s.expect("message"); m.Offset != 1 {
		t.Errorf("message %+v", m)
	}
	if f := s.expect("close"); f.Code != float64(realtime.CloseGoingAway) {
		t.Errorf("close event %+v", f)
	}
	if _, resp := openSSE(t, srv, "topic=t", nil); resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("stream during shutdown: %v", resp)
	}
}

func TestSSERateLimit(t *testing.T) {
	_, srv := newHub(t, realtime.Options{RateLimit: 0.5, RateBurst: 2}, func(h *realtime.Hub) { h.Topic("t", openRule()) })
	s, _ := openSSE(t, srv, "", nil)
	for i := range 2 {
		if st := s.send(`{"type":"presence","id":1,"topic":"t"}`, s.hello.Token); st != http.StatusAccepted {
			t.Fatalf("send %d within the burst: %d", i, st)
		}
		s.expect("error") // no_presence: the topic keeps none
	}
	if st := s.send(`{"type":"presence","id":1,"topic":"t"}`, s.hello.Token); st != http.StatusTooManyRequests {
		t.Errorf("over the limit: %d, want 429", st)
	}
	if f := s.expect("error"); f.Code != "rate_limited" {
		t.Errorf("stream: %+v", f)
	}
}
