package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
)

// throttleApp is an App with the auth module on clk, the shop module, a
// route calling Authenticate directly, and env's settings. 127.0.0.1 is a
// trusted proxy, so X-Forwarded-For picks the client address.
func throttleApp(t *testing.T, dbURL string, clk *clock, env map[string]string) *anode.App {
	t.Helper()
	base := anodetest.Config(t)
	env["ANODE_SECRET_KEY"] = base.SecretKey
	env["ANODE_DATA_DIR"] = base.DataDir
	env["ANODE_DATABASE_URL"] = dbURL
	env["ANODE_TRUSTED_PROXIES"] = "127.0.0.1"
	cfg := anode.LoadConfig(env, "")
	cfg.AllowedHosts = base.AllowedHosts
	api := anode.Module{Name: "api", Routes: func(r *anode.Router) {
		r.Post("/api/auth", func(w http.ResponseWriter, r *http.Request) error {
			_, err := auth.Authenticate(r.Context(), anode.FromContext(r.Context()).DB(), r.PostFormValue("username"), r.PostFormValue("password"))
			var te *auth.ThrottledError
			if errors.Is(err, auth.ErrThrottled) && errors.As(err, &te) && te.RetryAfter > 0 {
				w.Write([]byte("throttled"))
				return nil
			}
			if err != nil {
				w.Write([]byte("refused"))
				return nil
			}
			w.Write([]byte("ok"))
			return nil
		})
	}}
	app := anodetest.NewAppConfig(t, cfg, auth.ModuleAt(clk.Now), shop(), api)
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return app
}

// from returns a client whose requests come from ip (X-Forwarded-For).
func from(t *testing.T, app *anode.App, ip string) *anodetest.Client {
	c := anodetest.NewClient(t, app.Handler())
	c.Header.Set("X-Forwarded-For", ip)
	return c
}

func viewLogin(c *anodetest.Client, user, pw string) *anodetest.Response {
	return c.Post("/accounts/login/", url.Values{"username": {user}, "password": {pw}})
}

func TestLoginThrottle(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		clk := &clock{now: time.Now()}
		app := throttleApp(t, dbURL, clk, map[string]string{})
		if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		c := from(t, app, "203.0.113.1")
		for i := range 5 {
			viewLogin(c, "ada", "wrong").AssertStatus(200).AssertContains("Please enter a correct username")
			_ = i
		}
		// The 6th attempt is refused before the password is checked: the
		// right one does not sign in.
		res := viewLogin(c, "ada", "correct horse").AssertStatus(http.StatusTooManyRequests).
			AssertContains("Too many failed login attempts. Please try again in 3 minutes.").AssertContains(`name="username"`)
		if got := res.Header.Get("Retry-After"); got != "180" {
			t.Fatalf("Retry-After %q, want 180 (15m / 5 attempts)", got)
		}
		c.Get("/me").AssertText("anonymous")
		// The Authenticate API answers with the typed error.
		c.Post("/api/auth", url.Values{"username": {"ada"}, "password": {"correct horse"}}).AssertText("throttled")
		// Usernames are counted case-insensitively.
		viewLogin(c, "ADA", "wrong").AssertStatus(http.StatusTooManyRequests)

		// Unknown usernames are throttled alike (no oracle).
		for range 5 {
			viewLogin(c, "nobody", "wrong").AssertStatus(200)
		}
		viewLogin(c, "nobody", "wrong").AssertStatus(http.StatusTooManyRequests)

		// The same user from another address, and another user from this
		// address, are not affected.
		other := from(t, app, "198.51.100.7")
		viewLogin(other, "ada", "correct horse").AssertStatus(http.StatusFound)

		// One attempt comes back every 3 minutes (backoff); the right
		// password then clears the count.
		clk.Add(3 * time.Minute)
		viewLogin(c, "ada", "correct horse").AssertStatus(http.StatusFound)
		c.Get("/me").AssertText("ada")
		for range 5 {
			viewLogin(c, "ada", "wrong").AssertStatus(200)
		}
		viewLogin(c, "ada", "wrong").AssertStatus(http.StatusTooManyRequests)
	})
}

// logBuffer is a log output safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLoginThrottlePerIP(t *testing.T) {
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{"ANODE_LOGIN_ATTEMPTS_PER_IP": "3"})
	logs := &logBuffer{}
	app.SetLogOutput(logs)
	c := from(t, app, "2001:db8::1")
	for _, u := range []string{"a", "b", "c"} {
		viewLogin(c, u, "wrong").AssertStatus(200)
	}
	viewLogin(c, "d", "wrong").AssertStatus(http.StatusTooManyRequests)
	if n := strings.Count(logs.String(), "login locked out: too many login attempts from this address"); n != 1 {
		t.Fatalf("the lockout was logged %d times, want once:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), "password") && strings.Contains(logs.String(), "wrong") {
		t.Fatalf("the log shows a password:\n%s", logs)
	}
	// IPv6 clients are counted per /64.
	viewLogin(from(t, app, "2001:db8::2"), "e", "wrong").AssertStatus(http.StatusTooManyRequests)
	viewLogin(from(t, app, "2001:db8:1::1"), "e", "wrong").AssertStatus(200)
}

func TestLoginThrottleOff(t *testing.T) {
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{"ANODE_LOGIN_THROTTLE": "false"})
	c := from(t, app, "203.0.113.1")
	for range 8 {
		viewLogin(c, "ada", "wrong").AssertStatus(200)
	}
}

func TestPasswordResetThrottle(t *testing.T) {
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{})
	c := from(t, app, "203.0.113.1")
	reset := func(c *anodetest.Client, email string) *anodetest.Response {
		return c.Post("/accounts/password_reset/", url.Values{"email": {email}})
	}
	for range 5 {
		reset(c, "ada@example.com").AssertStatus(http.StatusFound)
	}
	res := reset(c, "ADA@example.com").AssertStatus(http.StatusTooManyRequests).AssertContains("Too many password reset requests")
	if res.Header.Get("Retry-After") != "720" {
		t.Fatalf("Retry-After %q, want 720 (an hour / 5)", res.Header.Get("Retry-After"))
	}
	// Per address: 20 an hour, whatever the email.
	for i := range 14 {
		reset(c, "x"+string(rune('a'+i))+"@example.com").AssertStatus(http.StatusFound)
	}
	reset(c, "last@example.com").AssertStatus(http.StatusTooManyRequests)
	reset(from(t, app, "198.51.100.1"), "last@example.com").AssertStatus(http.StatusFound)
	clk.Add(time.Hour)
	reset(c, "ada@example.com").AssertStatus(http.StatusFound)
}

// TestLoginThrottleAcrossInstances is the bar: two Apps, each with
// its own database and Redis client, see one limit.
func TestLoginThrottleAcrossInstances(t *testing.T) {
	redisURL := anodetest.Service(t, "ANODE_TEST_REDIS")
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "anode-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		opts, _ := redis.ParseURL(redisURL)
		rc := redis.NewClient(opts)
		defer rc.Close()
		ctx := context.Background()
		if keys, _ := rc.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
	})
	clk := &clock{now: time.Now()}
	env := func() map[string]string {
		return map[string]string{"ANODE_RATELIMIT_URL": redisURL, "ANODE_RATELIMIT_PREFIX": prefix}
	}
	apps := []*anode.App{throttleApp(t, anodetest.SQLiteURL(t), clk, env()), throttleApp(t, anodetest.SQLiteURL(t), clk, env())}
	clients := []*anodetest.Client{from(t, apps[0], "203.0.113.9"), from(t, apps[1], "203.0.113.9")}
	allowed := 0
	for i := range 12 {
		switch st := viewLogin(clients[i%2], "ada", "wrong").StatusCode; st {
		case 200:
			allowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("attempt %d: status %d", i, st)
		}
	}
	if allowed != 5 {
		t.Fatalf("%d failed logins allowed across two instances, want 5", allowed)
	}
}

func TestKeyByUser(t *testing.T) {
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{})
	u, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	app.Router().Get("/key", func(w http.ResponseWriter, r *http.Request) error {
		w.Write([]byte(auth.KeyByUser(r)))
		return nil
	})
	c := from(t, app, "203.0.113.5")
	c.Get("/key").AssertText("ip:203.0.113.5")
	viewLogin(c, "ada", "correct horse").AssertStatus(http.StatusFound)
	c.Get("/key").AssertText("user:" + strconv.FormatInt(u.ID, 10))
}

// TestLoginThrottleStoreDown: with the rate-limit Redis unreachable, logins
// still work (fail-open) and the outage is logged once, not per attempt.
func TestLoginThrottleStoreDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{"ANODE_RATELIMIT_URL": "redis://" + addr + "/0"})
	logs := &logBuffer{}
	app.SetLogOutput(logs)
	if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	c := from(t, app, "203.0.113.1")
	start := time.Now()
	for range 7 {
		viewLogin(c, "ada", "wrong").AssertStatus(200)
	}
	viewLogin(c, "ada", "correct horse").AssertStatus(http.StatusFound)
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("8 logins took %v with the store down", d)
	}
	// One line per limiter (per username+address, per address), not per attempt.
	if n := strings.Count(logs.String(), "rate limit store unavailable"); n < 1 || n > 2 {
		t.Fatalf("the outage was logged %d times:\n%s", n, logs)
	}
}

func TestPasswordResetThrottleSettings(t *testing.T) {
	clk := &clock{now: time.Now()}
	app := throttleApp(t, anodetest.SQLiteURL(t), clk, map[string]string{
		"ANODE_PASSWORD_RESET_ATTEMPTS":        "2",
		"ANODE_PASSWORD_RESET_ATTEMPTS_PER_IP": "3",
		"ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW": "10m",
	})
	c := from(t, app, "203.0.113.1")
	reset := func(c *anodetest.Client, email string) *anodetest.Response {
		return c.Post("/accounts/password_reset/", url.Values{"email": {email}})
	}
	reset(c, "ada@example.com").AssertStatus(http.StatusFound)
	reset(c, "ada@example.com").AssertStatus(http.StatusFound)
	res := reset(c, "ada@example.com").AssertStatus(http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") != "300" {
		t.Fatalf("Retry-After %q, want 300 (10 minutes / 2)", res.Header.Get("Retry-After"))
	}
	reset(c, "bob@example.com").AssertStatus(http.StatusTooManyRequests) // the address's third and fourth
	clk.Add(5 * time.Minute)
	reset(from(t, app, "198.51.100.1"), "ada@example.com").AssertStatus(http.StatusFound)
}

func TestThrottleSettingsValidated(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"ANODE_PASSWORD_RESET_ATTEMPTS", "0"},
		{"ANODE_PASSWORD_RESET_ATTEMPTS_PER_IP", "-1"},
		{"ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW", "0s"},
		{"ANODE_LOGIN_ATTEMPTS", "0"},
		{"ANODE_LOGIN_ATTEMPTS_WINDOW", "-5m"},
	} {
		base := anodetest.Config(t)
		cfg := anode.LoadConfig(map[string]string{tc.name: tc.value}, "")
		cfg.SecretKey, cfg.DataDir, cfg.DatabaseURL = base.SecretKey, base.DataDir, anodetest.SQLiteURL(t)
		app := anode.New(cfg)
		app.Install(auth.Module())
		err := app.Start(context.Background())
		var ce *anode.ConfigError
		if !errors.As(err, &ce) || ce.Var != tc.name {
			t.Errorf("%s=%s: start-up error %v, want a ConfigError naming it", tc.name, tc.value, err)
		}
		app.Close()
	}
	// Off, the numbers are not checked.
	base := anodetest.Config(t)
	cfg := anode.LoadConfig(map[string]string{"ANODE_LOGIN_THROTTLE": "false", "ANODE_PASSWORD_RESET_ATTEMPTS": "0"}, "")
	cfg.SecretKey, cfg.DataDir, cfg.DatabaseURL = base.SecretKey, base.DataDir, anodetest.SQLiteURL(t)
	app := anode.New(cfg)
	app.Install(auth.Module())
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	app.Close()
}
