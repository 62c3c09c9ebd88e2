package session_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/postgres"
	_ "github.com/anode-go/anode/orm/sqlite"
	"github.com/anode-go/anode/session"
)

// testStore checks the Store contract on a real store.
func testStore(t *testing.T, s session.Store) {
	ctx := context.Background()
	k1, k2, k3 := session.NewKey(), session.NewKey(), session.NewKey()
	if _, err := s.Load(ctx, k1); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load of a missing key: %v", err)
	}
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := s.Save(ctx, k1, session.Entry{Data: []byte(`{"v":{"a":1}}`), Expiry: exp, UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Load(ctx, k1)
	if err != nil || string(e.Data) != `{"v":{"a":1}}` || !e.Expiry.Equal(exp) || e.UserID != "u1" {
		t.Fatalf("Load: %+v, %v", e, err)
	}
	// Save replaces.
	if err := s.Save(ctx, k1, session.Entry{Data: []byte(`{"v":{"a":2}}`), Expiry: exp, UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Load(ctx, k1); !bytes.Equal(e.Data, []byte(`{"v":{"a":2}}`)) {
		t.Fatalf("after a second Save: %s", e.Data)
	}
	// DeleteUser keeps the excepted key and other users' sessions.
	s.Save(ctx, k2, session.Entry{Data: []byte(`{}`), Expiry: exp, UserID: "u1"})
	s.Save(ctx, k3, session.Entry{Data: []byte(`{}`), Expiry: exp, UserID: "u2"})
	if err := s.DeleteUser(ctx, "u1", k1); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{k1: true, k2: false, k3: true} {
		if _, err := s.Load(ctx, key); (err == nil) != want {
			t.Fatalf("after DeleteUser: key present %v, want %v (%v)", err == nil, want, err)
		}
	}
	if err := s.DeleteUser(ctx, "u2", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, k3); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("DeleteUser with no exception left %v", err)
	}
	if err := s.Delete(ctx, k1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, k1); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := s.Delete(ctx, k1); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	// An expired entry does not load.
	s.Save(ctx, k2, session.Entry{Data: []byte(`{}`), Expiry: time.Now().Add(-time.Second)})
	if _, err := s.Load(ctx, k2); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("expired entry: %v", err)
	}
	// Through a Manager: rotate, flush.
	testManagerOn(t, s)
}

// testManagerOn runs the fixation and logout flows on store.
func testManagerOn(t *testing.T, store session.Store) {
	b := &browser{t: t, h: app(session.NewManager(session.Options{Store: store})), name: "sessionid"}
	b.do("/set")
	planted := b.cookie
	b.do("/login?user=9")
	if _, err := store.Load(context.Background(), planted); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("old key after Rotate: %v", err)
	}
	if got := b.body("/get"); got != "true {[apple pear] 3} 7" {
		t.Fatalf("after login: %q", got)
	}
	key := b.cookie
	b.do("/logout")
	if _, err := store.Load(context.Background(), key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("key after Flush: %v", err)
	}
}

func openSessionDB(t *testing.T, url string) *orm.DB {
	t.Helper()
	reg := orm.NewRegistry()
	if err := reg.Register(session.ModuleName, session.Row{}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	db, err := orm.Open(context.Background(), url, reg, orm.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateTables(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDBStore(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, url string) {
		db := openSessionDB(t, url)
		s := session.NewDBStore(db)
		testStore(t, s)

		ctx := context.Background()
		live, dead := session.NewKey(), session.NewKey()
		s.Save(ctx, live, session.Entry{Data: []byte(`{}`), Expiry: time.Now().Add(time.Hour)})
		s.Save(ctx, dead, session.Entry{Data: []byte(`{}`), Expiry: time.Now().Add(-time.Hour)})
		n, err := s.ClearExpired(ctx)
		if err != nil || n < 1 {
			t.Fatalf("ClearExpired: %d, %v", n, err)
		}
		if c, _ := orm.From[session.Row](db).Count(ctx); c != 1 {
			t.Fatalf("%d rows after ClearExpired, want the live one", c)
		}
	})
}

func TestRedisStore(t *testing.T) {
	url := anodetest.Service(t, "ANODE_TEST_REDIS")
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "anode-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := client.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			client.Del(ctx, keys...)
		}
	})
	s := session.NewRedisStore(client, prefix)
	testStore(t, s)

	// The TTL is the expiry.
	ctx := context.Background()
	k := session.NewKey()
	s.Save(ctx, k, session.Entry{Data: []byte(`{}`), Expiry: time.Now().Add(time.Minute)})
	ttl, err := client.PTTL(ctx, prefix+k).Result()
	if err != nil || ttl <= 55*time.Second || ttl > time.Minute {
		t.Fatalf("TTL %v, %v", ttl, err)
	}
}

// TestAppSessions runs the App's own wiring: sessions kept in the database
// by default once it has one, the module's migrations, and clearsessions.
func TestAppSessions(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, url string) {
		cfg := anodetest.Config(t)
		cfg.DatabaseURL = url
		a := anodetest.NewAppConfig(t, cfg)
		if err := a.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, ok := a.Sessions().Store().(*session.DBStore); !ok {
			t.Fatalf("store %T, want the database store", a.Sessions().Store())
		}
		a.Router().Get("/set", func(w http.ResponseWriter, r *http.Request) error {
			return session.Set(session.FromRequest(r), "n", 5)
		})
		a.Router().Get("/get", func(w http.ResponseWriter, r *http.Request) error {
			n, _ := session.Get[int](session.FromContext(r.Context()), "n")
			fmt.Fprint(w, n)
			return nil
		})
		a.Router().Get("/plain", func(w http.ResponseWriter, r *http.Request) error { return nil })
		c := anodetest.NewClient(t, a.Handler())
		if res := c.Get("/plain"); res.Header.Get("Set-Cookie") != "" {
			t.Fatalf("untouched request set %q", res.Header.Get("Set-Cookie"))
		}
		c.Get("/set").AssertStatus(200).AssertHeaderContains("Set-Cookie", "HttpOnly").AssertHeaderContains("Set-Cookie", "SameSite=Lax")
		if ck := c.Cookie("/", "sessionid"); ck == nil || len(ck.Value) != 43 {
			t.Fatalf("session cookie %+v", ck)
		}
		c.Get("/get").AssertText("5")

		ctx := context.Background()
		orm.Create(ctx, a.DB(), &session.Row{SessionKey: session.NewKey(), Data: "{}", Expiry: time.Now().Add(-time.Minute)})
		if n, _ := orm.From[session.Row](a.DB()).Count(ctx); n != 2 {
			t.Fatalf("%d rows before clearsessions, want 2", n)
		}
		var out, errOut bytes.Buffer // Execute closes the database when the command ends
		if code := a.Execute(ctx, []string{"clearsessions"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "Deleted 1 expired sessions.") {
			t.Fatalf("clearsessions: %d %s%s", code, out.String(), errOut.String())
		}
	})
}
