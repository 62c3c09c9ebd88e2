package messages_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/messages"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// show writes the request's messages one per line as "tags|text".
func show(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	for _, m := range messages.FromRequest(r) {
		fmt.Fprintf(&b, "%s|%s\n", m.Tags(), m.Text)
	}
	w.Write([]byte(b.String()))
}

// newServer serves a mux with the test handlers behind Middleware and
// returns a client for it and the debug log.
func newServer(t *testing.T, opts messages.Options) (*anodetest.Client, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Store == nil {
		cs := messages.NewCookieStore(testKey)
		cs.Logger = logger
		opts.Store = cs
	}
	opts.Logger = logger
	mux := http.NewServeMux()
	mux.HandleFunc("POST /polls/", func(w http.ResponseWriter, r *http.Request) {
		messages.Success(r, "Poll "+r.FormValue("name")+" created")
		http.Redirect(w, r, "/polls/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /polls/", show)
	mux.HandleFunc("GET /plain/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("no messages here")) })
	mux.HandleFunc("GET /add/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for _, text := range q["info"] {
			messages.Info(r, text)
		}
		if q.Has("write") {
			w.Write([]byte("written"))
		}
	})
	return anodetest.NewClient(t, messages.Middleware(opts)(mux)), logs
}

// setCookie returns the response's Set-Cookie for the messages cookie.
func setCookie(r *anodetest.Response) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == messages.DefaultCookieName {
			return c
		}
	}
	return nil
}

func TestPostRedirectGet(t *testing.T) {
	c, _ := newServer(t, messages.Options{})
	res := c.Post("/polls/", url.Values{"name": {"Lunch"}}).AssertRedirect("/polls/")
	ck := setCookie(res)
	if ck == nil {
		t.Fatal("POST: no messages cookie set")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge != 0 {
		t.Errorf("cookie attributes: %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure over HTTP, session lifetime", ck)
	}
	if strings.Contains(ck.Value, "Lunch") {
		t.Errorf("cookie value %q shows the text in clear; want it encoded", ck.Value)
	}

	res = c.Get("/polls/").AssertStatus(200)
	if got, want := string(res.Body), "success|Poll Lunch created\n"; got != want {
		t.Errorf("page after redirect = %q, want %q", got, want)
	}
	if ck := setCookie(res); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("page that showed the messages: Set-Cookie %+v, want the cookie deleted", ck)
	}
	if c.Cookie("/", messages.DefaultCookieName) != nil {
		t.Error("client still holds the messages cookie")
	}

	res = c.Get("/polls/").AssertStatus(200)
	if len(res.Body) != 0 || setCookie(res) != nil {
		t.Errorf("second page: body %q, Set-Cookie %v; want nothing", res.Body, setCookie(res))
	}
}

func TestMessagesAccumulateUntilShown(t *testing.T) {
	c, _ := newServer(t, messages.Options{})
	c.Post("/polls/", url.Values{"name": {"A"}})
	c.Get("/add/?info=first&info=second")
	c.Get("/add/?info=third&write=1").AssertText("written") // set through Write
	// A page that does not read messages leaves them alone and sets no cookie.
	if res := c.Get("/plain/"); setCookie(res) != nil {
		t.Errorf("a page that never touches messages set the cookie: %v", res.Header["Set-Cookie"])
	}
	got := string(c.Get("/polls/").Body)
	want := "success|Poll A created\ninfo|first\ninfo|second\ninfo|third\n"
	if got != want {
		t.Errorf("page = %q, want %q", got, want)
	}
}

func TestLevels(t *testing.T) {
	type add func(r *http.Request)
	tests := []struct {
		name string
		opts messages.Options
		add  add
		want string
	}{
		{"debug dropped by default", messages.Options{}, func(r *http.Request) { messages.Debug(r, "d") }, ""},
		{"info", messages.Options{}, func(r *http.Request) { messages.Info(r, "i") }, "info|i\n"},
		{"success", messages.Options{}, func(r *http.Request) { messages.Success(r, "s") }, "success|s\n"},
		{"warning", messages.Options{}, func(r *http.Request) { messages.Warning(r, "w") }, "warning|w\n"},
		{"error", messages.Options{}, func(r *http.Request) { messages.Error(r, "e") }, "error|e\n"},
		{"debug kept with LevelDebug", messages.Options{Level: messages.LevelDebug}, func(r *http.Request) { messages.Debug(r, "d") }, "debug|d\n"},
		{"minimum level drops lower", messages.Options{Level: messages.LevelWarning}, func(r *http.Request) {
			messages.Success(r, "s")
			messages.Warning(r, "w")
		}, "warning|w\n"},
		{"SetLevel for one request", messages.Options{}, func(r *http.Request) {
			messages.SetLevel(r, messages.LevelError)
			messages.Warning(r, "w")
			messages.Error(r, "e")
		}, "error|e\n"},
		{"extra tags first", messages.Options{}, func(r *http.Request) { messages.Info(r, "i", "fade", "sticky") }, "fade sticky info|i\n"},
		{"custom tag", messages.Options{Tags: map[messages.Level]string{messages.LevelError: "danger"}}, func(r *http.Request) { messages.Error(r, "e") }, "danger|e\n"},
		{"custom level without a tag", messages.Options{}, func(r *http.Request) { messages.Add(r, 35, "x", "urgent") }, "urgent|x\n"},
		{"custom level with a tag", messages.Options{Tags: map[messages.Level]string{35: "notice"}}, func(r *http.Request) { messages.Add(r, 35, "x") }, "notice|x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := messages.Middleware(func() messages.Options {
				tt.opts.Store = messages.NewCookieStore(testKey)
				return tt.opts
			}())
			mux := http.NewServeMux()
			mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
				tt.add(r)
				http.Redirect(w, r, "/", http.StatusSeeOther)
			})
			mux.HandleFunc("GET /", show)
			c := anodetest.NewClient(t, h(mux))
			c.Post("/", nil)
			if got := string(c.Get("/").Body); got != tt.want {
				t.Errorf("shown %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMessageMethods(t *testing.T) {
	m := messages.Message{Level: messages.LevelWarning, Text: "Careful", Extra: "big"}
	if m.String() != "Careful" || m.LevelTag() != "warning" || m.Tags() != "big warning" {
		t.Errorf("String %q, LevelTag %q, Tags %q", m.String(), m.LevelTag(), m.Tags())
	}
	if got := messages.Level(33).String(); got != "33" {
		t.Errorf("Level(33).String() = %q", got)
	}
	if got := messages.LevelSuccess.String(); got != "success" {
		t.Errorf("LevelSuccess.String() = %q", got)
	}
}

func TestTamperedCookieIgnored(t *testing.T) {
	good := messages.NewCookieStore(testKey)
	rec := httptest.NewRecorder()
	good.Save(context.Background(), rec, httptest.NewRequest("GET", "/", nil), []messages.Message{{Level: messages.LevelInfo, Text: "hi"}})
	valid := rec.Result().Cookies()[0].Value
	enc, sig, _ := strings.Cut(valid, ".")
	forged := messages.NewCookieStore([]byte("another key, another key, anothe")).EncodeForTest([]messages.Message{{Level: messages.LevelError, Text: "forged"}})

	tests := []struct{ name, value string }{
		{"payload changed", "W3sibCI6NDAsInQiOiJmb3JnZWQifV0." + sig},
		{"signature changed", enc + "." + strings.Repeat("A", len(sig))},
		{"other key", forged},
		{"garbage", "%%%not-a-cookie%%%"},
		{"oversized", strings.Repeat("A", messages.DefaultMaxCookieSize+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, logs := newServer(t, messages.Options{})
			u, _ := url.Parse(c.BaseURL)
			req, _ := http.NewRequest("GET", u.String()+"/polls/", nil)
			req.AddCookie(&http.Cookie{Name: messages.DefaultCookieName, Value: tt.value})
			res := c.Do(req).AssertStatus(200)
			if len(res.Body) != 0 {
				t.Errorf("tampered cookie shown: %q", res.Body)
			}
			if !strings.Contains(logs.String(), "stored messages ignored") {
				t.Errorf("no debug log line; log:\n%s", logs)
			}
			if ck := setCookie(res); ck == nil || ck.MaxAge >= 0 {
				t.Errorf("the bad cookie is not cleared: %v", ck)
			}
		})
	}
}

func TestOverflowKeepsNewest(t *testing.T) {
	c, logs := newServer(t, messages.Options{})
	q := url.Values{}
	for i := range 60 {
		q.Add("info", fmt.Sprintf("message %02d %s", i, strings.Repeat("x", 40)))
	}
	res := c.Get("/add/?" + q.Encode())
	ck := setCookie(res)
	if ck == nil || len(ck.Value) > messages.DefaultMaxCookieSize {
		t.Fatalf("cookie %v: want one of at most %d bytes", ck, messages.DefaultMaxCookieSize)
	}
	if !strings.Contains(logs.String(), "oldest messages dropped") {
		t.Errorf("the drop is not logged; log:\n%s", logs)
	}
	lines := strings.Split(strings.TrimSpace(string(c.Get("/polls/").Body)), "\n")
	if len(lines) < 5 || len(lines) >= 60 {
		t.Fatalf("%d messages kept, want some but not all 60", len(lines))
	}
	for i, line := range lines {
		want := fmt.Sprintf("info|message %02d ", 60-len(lines)+i)
		if !strings.HasPrefix(line, want) {
			t.Fatalf("kept message %d = %q, want it to start %q (the newest, in order)", i, line, want)
		}
	}
}

func TestOversizedSingleMessageDropped(t *testing.T) {
	store := messages.NewCookieStore(testKey)
	store.MaxSize = 100
	rec := httptest.NewRecorder()
	store.Save(context.Background(), rec, httptest.NewRequest("GET", "/", nil), []messages.Message{{Level: messages.LevelInfo, Text: strings.Repeat("x", 200)}})
	if len(rec.Result().Cookies()) != 0 {
		t.Errorf("a message that can never fit set a cookie: %v", rec.Result().Cookies())
	}
}

func TestCookieAttributes(t *testing.T) {
	msgs := []messages.Message{{Level: messages.LevelInfo, Text: "hi"}}
	tests := []struct {
		name       string
		secure     bool
		tls        bool
		cookieName string
		want       bool
	}{
		{"http", false, false, "", false},
		{"https", false, true, "", true},
		{"forced", true, false, "flash", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := messages.NewCookieStore(testKey)
			s.Secure, s.Name = tt.secure, tt.cookieName
			r := httptest.NewRequest("GET", "https://example.com/", nil)
			if !tt.tls {
				r.TLS = nil
			}
			rec := httptest.NewRecorder()
			if err := s.Save(context.Background(), rec, r, msgs); err != nil {
				t.Fatal(err)
			}
			ck := rec.Result().Cookies()[0]
			wantName := tt.cookieName
			if wantName == "" {
				wantName = messages.DefaultCookieName
			}
			if ck.Secure != tt.want || ck.Name != wantName {
				t.Errorf("cookie %s Secure=%v, want %s Secure=%v", ck.Name, ck.Secure, wantName, tt.want)
			}
			// And it reads back.
			r2 := httptest.NewRequest("GET", "/", nil)
			r2.AddCookie(ck)
			got, err := s.Load(context.Background(), r2)
			if err != nil || len(got) != 1 || got[0].Text != "hi" {
				t.Errorf("Load = %v, %v", got, err)
			}
		})
	}
}

// countingStore counts Load calls.
type countingStore struct {
	messages.Store
	loads, saves atomic.Int32
}

func (s *countingStore) Load(ctx context.Context, r *http.Request) ([]messages.Message, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, r)
}

func (s *countingStore) Save(ctx context.Context, w http.ResponseWriter, r *http.Request, msgs []messages.Message) error {
	s.saves.Add(1)
	return s.Store.Save(ctx, w, r, msgs)
}

func TestLazy(t *testing.T) {
	store := &countingStore{Store: messages.NewCookieStore(testKey)}
	c, _ := newServer(t, messages.Options{Store: store})
	c.Post("/polls/", url.Values{"name": {"A"}})
	store.loads.Store(0)
	store.saves.Store(0)
	for range 3 {
		c.Get("/plain/").AssertText("no messages here")
	}
	if store.loads.Load() != 0 || store.saves.Load() != 0 {
		t.Errorf("pages that never touch messages: %d loads, %d saves; want none", store.loads.Load(), store.saves.Load())
	}
	c.Get("/polls/").AssertContains("Poll A created")
	if store.loads.Load() != 1 || store.saves.Load() != 1 {
		t.Errorf("page showing messages: %d loads, %d saves; want 1 and 1", store.loads.Load(), store.saves.Load())
	}
}

func TestAddedAfterReadKeptForNext(t *testing.T) {
	h := messages.Middleware(messages.Options{Store: messages.NewCookieStore(testKey)})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /both/", func(w http.ResponseWriter, r *http.Request) {
		messages.Info(r, "before")
		shown := messages.FromRequest(r)
		messages.Info(r, "after")
		fmt.Fprintf(w, "%d %s", len(shown), shown[0].Text)
	})
	mux.HandleFunc("GET /", show)
	c := anodetest.NewClient(t, h(mux))
	c.Get("/both/").AssertText("1 before")
	if got := string(c.Get("/").Body); got != "info|after\n" {
		t.Errorf("next page = %q, want the message added after reading", got)
	}
}

func TestLateChangesLost(t *testing.T) {
	logs := &bytes.Buffer{}
	h := messages.Middleware(messages.Options{Store: messages.NewCookieStore(testKey), Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /late/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		messages.Info(r, "too late")
	})
	mux.HandleFunc("GET /flush/", func(w http.ResponseWriter, r *http.Request) {
		messages.Info(r, "flushed")
		http.NewResponseController(w).Flush()
		w.Write([]byte("streamed"))
	})
	mux.HandleFunc("GET /", show)
	c := anodetest.NewClient(t, h(mux))
	if res := c.Get("/late/"); setCookie(res) != nil {
		t.Error("a message added after WriteHeader set a cookie")
	}
	if !strings.Contains(logs.String(), "after the response started") {
		t.Errorf("the lost message is not logged; log:\n%s", logs)
	}
	if res := c.Get("/flush/"); setCookie(res) == nil {
		t.Error("Flush did not save the messages first")
	}
	c.Get("/").AssertText("info|flushed")
}

func TestNotInstalled(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if err := messages.Add(r, messages.LevelInfo, "x"); !errors.Is(err, messages.ErrNotInstalled) {
		t.Errorf("Add without middleware = %v, want ErrNotInstalled", err)
	}
	messages.Success(r, "no panic")
	messages.SetLevel(r, messages.LevelDebug)
	if got := messages.FromRequest(r); got != nil {
		t.Errorf("FromRequest without middleware = %v", got)
	}
}

func TestMiddlewareNeedsStore(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "Store") {
			t.Errorf("panic %v, want one naming Options.Store", p)
		}
	}()
	messages.Middleware(messages.Options{})
}
