// Package anodetest is Anode's test kit, in the spirit of net/http/httptest: an
// App with an isolated data directory, an HTTP client that keeps cookies and
// sends CSRF tokens like a browser, and assertions on status, headers, JSON
// and HTML.
//
// # Use
//
//	func TestIndex(t *testing.T) {
//		app := anodetest.NewApp(t, polls.Module)
//		c := anodetest.NewClient(t, app)
//		c.Get("/polls/").AssertStatus(200).AssertText("What's up?")
//	}
package anodetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/anode-go/anode"
)

// NewApp returns a started App with the given modules, configured for tests:
// production mode (like Django's test runner, which sets DEBUG off), a fixed
// secret key, a temporary data directory removed after the test, and logs kept in
// memory and printed only if the test fails, and mail kept in an in-memory
// outbox (see Outbox). Its database is migrated, as Django's test runner
// migrates the test database: every installed module's migrations are
// applied. NewUnmigratedApp leaves them pending.
func NewApp(t testing.TB, modules ...anode.Module) *anode.App {
	t.Helper()
	return NewAppConfig(t, Config(t), modules...)
}

// Config returns the Config NewApp uses, for tests that change a field first.
func Config(t testing.TB) anode.Config {
	return anode.Config{
		SecretKey:    "anodetest-secret-key-not-for-production-0123456789",
		DataDir:      t.TempDir(),
		AllowedHosts: []string{"127.0.0.1", "localhost", "testserver", "example.com"}, // example.com: httptest.NewRequest's host
		EmailURL:     "memory://",
	}
}

// NewAppConfig is NewApp with an explicit Config. An empty EmailURL becomes
// "memory://", as Django's test runner swaps in its locmem backend, so a
// test never sends real mail unless it names a server.
func NewAppConfig(t testing.TB, cfg anode.Config, modules ...anode.Module) *anode.App {
	t.Helper()
	app := NewUnmigratedApp(t, cfg, modules...)
	if app.DB() != nil {
		if err := app.Migrate(context.Background()); err != nil {
			t.Fatalf("anodetest: migrating the test database: %v", err)
		}
	}
	return app
}

// NewUnmigratedApp is NewAppConfig without migrating: the database is
// empty and every migration pending, for tests of migrations themselves.
func NewUnmigratedApp(t testing.TB, cfg anode.Config, modules ...anode.Module) *anode.App {
	t.Helper()
	if cfg.EmailURL == "" {
		cfg.EmailURL = "memory://"
	}
	app := anode.New(cfg)
	logs := &syncBuffer{}
	app.SetLogOutput(logs)
	t.Cleanup(func() {
		if t.Failed() && logs.Len() > 0 {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	app.Install(modules...)
	t.Cleanup(func() { app.Close() })
	if err := app.Start(context.Background()); err != nil {
		t.Fatalf("anodetest: starting app: %v", err)
	}
	return app
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
