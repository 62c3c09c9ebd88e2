package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/realtime"
)

// A module's Init may configure the App's realtime hub.
func liveModule() anode.Module {
	return anode.Module{Name: "live", Init: func(ctx context.Context, app *anode.App) error {
		hub := app.Realtime()
		hub.Identify(auth.RealtimeIdentity)
		hub.Topic("members", realtime.Rule{Subscribe: realtime.SignedIn, Presence: true})
		return nil
	}}
}

func TestRealtimeIdentity(t *testing.T) {
	app := anodetest.NewApp(t, auth.Module(), liveModule())
	ctx := context.Background()
	if err := app.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ada, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := auth.CreateToken(ctx, app.DB(), ada, "socket", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	defer app.Realtime().Close()

	dial := func(hdr http.Header) (*websocket.Conn, map[string]any) {
		t.Helper()
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/realtime/ws", &websocket.DialOptions{HTTPHeader: hdr})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.CloseNow() })
		return c, read(t, c)
	}
	c, hello := dial(http.Header{"Authorization": {"Bearer " + token}})
	if hello["user"] != strconv.FormatInt(ada.ID, 10) {
		t.Fatalf("hello with a Bearer token: %v", hello)
	}
	c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":1,"topic":"members"}`))
	if f := read(t, c); f["type"] != "ack" {
		t.Fatalf("signed-in subscribe: %v", f)
	}
	join := read(t, c)
	member, _ := join["member"].(map[string]any)
	info, _ := member["info"].(map[string]any)
	if join["type"] != "join" || info["username"] != "ada" {
		t.Errorf("presence join: %v", join)
	}

	anon, hello := dial(nil)
	if _, ok := hello["user"]; ok {
		t.Errorf("anonymous hello: %v", hello)
	}
	anon.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":1,"topic":"members"}`))
	if f := read(t, anon); f["type"] != "error" || f["code"] != "unauthorized" {
		t.Errorf("anonymous subscribe: %v", f)
	}
	_, hello = dial(http.Header{"Authorization": {"Bearer anode_not-a-real-token"}})
	if _, ok := hello["user"]; ok {
		t.Errorf("unknown token: %v", hello)
	}
}

func read(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, p, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(p, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// Logging out closes the user's realtime connections (4001), so a socket
// opened while signed in does not go on acting as the user.
func TestLogoutClosesRealtimeConnections(t *testing.T) {
	app := anodetest.NewApp(t, auth.Module(), liveModule())
	ctx := context.Background()
	if err := app.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	defer app.Realtime().Close()
	c := anodetest.ClientFor(t, srv.URL)
	c.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"correct horse"}}).AssertRedirect("/")
	ck := c.Cookie("/", "sessionid")
	if ck == nil {
		t.Fatal("no session cookie")
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/realtime/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {ck.Name + "=" + ck.Value}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if hello := read(t, ws); hello["user"] == nil {
		t.Fatalf("hello with the session cookie: %v", hello)
	}
	anon, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/realtime/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer anon.CloseNow()
	read(t, anon)

	c.Post("/accounts/logout/", nil).AssertRedirect("/")
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	defer rcancel()
	_, _, err = ws.Read(rctx)
	if code := websocket.CloseStatus(err); code != realtime.CloseSignedOut {
		t.Fatalf("after logout the socket read %v, want close %d", err, realtime.CloseSignedOut)
	}
	// Other users' connections stay.
	anon.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":7,"topic":"members"}`))
	if f := read(t, anon); f["id"] != float64(7) {
		t.Errorf("anonymous connection after the logout: %v", f)
	}
}
