package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode/anodetest"
)

// TestTwoInstances runs two copies of the binary on one PostgreSQL schema
// and one Redis (cache and realtime broker), as two instances behind a
// load balancer: a vote cast on B is counted once, is in A's results, and
// reaches a browser watching A's results page live.
func TestTwoInstances(t *testing.T) {
	var shared *deployment
	for _, d := range deployments(t) {
		if d.Env["ANODE_BROKER_URL"] != "" {
			shared = &d
		}
	}
	if shared == nil {
		t.Skip("needs ANODE_TEST_POSTGRES and ANODE_TEST_REDIS (required under CI=true by deployments)")
	}
	a := start(t, *shared)
	b := start(t, *shared) // migrations and seeding are already done: B must not redo them

	ca, cb := anodetest.ClientFor(t, a.URL), anodetest.ClientFor(t, b.URL)
	m := questionLink.FindSubmatch(ca.Get("/polls/").AssertStatus(200).Body)
	if m == nil {
		t.Fatal("A's index has no seeded question")
	}
	id := string(m[1])
	detail := "/polls/" + id + "/"
	if n := len(questionLink.FindAllSubmatch(cb.Get("/polls/").Body, -1)); n != len(questionLink.FindAllSubmatch(ca.Get("/polls/").Body, -1)) {
		t.Fatalf("B lists %d questions, A a different number: seeded twice?", n)
	}

	// A page on A subscribes to the poll's topic, as the results page does.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+a.URL[len("http"):]+"/realtime/ws", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {a.URL}}})
	if err != nil {
		t.Fatalf("WebSocket to A: %v", err)
	}
	defer ws.CloseNow()
	if _, _, err := ws.Read(ctx); err != nil { // hello
		t.Fatal(err)
	}
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":1,"topic":"poll:`+id+`"}`)); err != nil {
		t.Fatal(err)
	}
	if _, ack, err := ws.Read(ctx); err != nil || !bytes.Contains(ack, []byte(`"type":"ack"`)) {
		t.Fatalf("subscribe on A: %s %v", ack, err)
	}

	// Vote on B.
	choice := string(choiceInput.FindSubmatch(cb.Get(detail).Body)[1])
	cb.Post(detail+"vote/", url.Values{"choice": {choice}}).AssertRedirect(detail + "results/")

	// The live message reaches A's subscriber.
	for {
		_, frame, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("no live message on A after the vote on B: %v", err)
		}
		if bytes.Contains(frame, []byte(`"type":"message"`)) {
			if !bytes.Contains(frame, []byte(`"votes":1`)) {
				t.Errorf("the message on A does not carry the vote: %s", frame)
			}
			break
		}
	}
	// And A's results count it, once.
	var res struct {
		Total   int64 `json:"total"`
		Choices []struct {
			ID    int64 `json:"id"`
			Votes int64 `json:"votes"`
		} `json:"choices"`
	}
	ca.Get("/api/polls/" + id + "/results/").AssertStatus(200).JSON(&res)
	if res.Total != 1 {
		t.Errorf("A's results after one vote on B: %+v", res)
	}
}
