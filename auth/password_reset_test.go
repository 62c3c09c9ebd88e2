package auth_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
)

// clock is a settable time source for the reset views.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClockApp(t *testing.T, dbURL string) (*anode.App, *clock) {
	t.Helper()
	clk := &clock{now: time.Now()}
	cfg := anodetest.Config(t)
	cfg.DatabaseURL = dbURL
	app := anodetest.NewAppConfig(t, cfg, auth.ModuleAt(clk.Now), shop())
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return app, clk
}

var resetLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+(/accounts/reset/[^/\s]+/[^/\s]+/)`)

// requestReset posts email to the reset form and returns the link of the
// mail it sent, or "" when none was sent.
func requestReset(t *testing.T, app *anode.App, email string) string {
	t.Helper()
	ob := anodetest.Outbox(t, app)
	ob.Clear()
	anodetest.NewClient(t, app.Handler()).Post("/accounts/password_reset/", url.Values{"email": {email}}).
		AssertRedirect("/accounts/password_reset/done/")
	msgs := ob.Messages()
	switch len(msgs) {
	case 0:
		return ""
	case 1:
	default:
		t.Fatalf("%d mails sent, want 1", len(msgs))
	}
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "ada@example.com" || m.Subject != "Password reset on 127.0.0.1" {
		t.Fatalf("mail to %v, subject %q", m.To, m.Subject)
	}
	match := resetLinkRE.FindStringSubmatch(m.Body)
	if match == nil {
		t.Fatalf("no reset link in the mail:\n%s", m.Body)
	}
	if !strings.Contains(m.Body, "3 days") || !strings.Contains(m.Body, "ada") {
		t.Errorf("the mail does not give the username and lifetime:\n%s", m.Body)
	}
	return match[1]
}

// setPassword follows link and sets pw, returning the last response.
func setPassword(t *testing.T, c *anodetest.Client, link, pw1, pw2 string) *anodetest.Response {
	t.Helper()
	res := c.Get(link)
	if res.StatusCode != http.StatusFound {
		return res
	}
	form := res.Header.Get("Location")
	if !strings.HasSuffix(form, "/set-password/") || strings.Contains(form, link) {
		t.Fatalf("the link redirected to %q", form)
	}
	c.Get(form).AssertStatus(200).AssertContains(`name="new_password1"`)
	return c.Post(form, url.Values{"new_password1": {pw1}, "new_password2": {pw2}})
}

const invalidLink = "The password reset link was invalid"

func TestPasswordReset(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app, clk := newClockApp(t, dbURL)
		ctx := context.Background()
		if _, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		// Neither an inactive user nor one without a usable password gets mail.
		ghost, _ := auth.CreateUser(ctx, app.DB(), "ghost", "ada@example.com", "correct horse")
		ghost.IsActive = false
		if err := orm.SaveFields(ctx, app.DB(), ghost, "IsActive"); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.CreateUser(ctx, app.DB(), "sso", "ada@example.com", ""); err != nil {
			t.Fatal(err)
		}

		c := anodetest.NewClient(t, app.Handler())
		c.Get("/accounts/password_reset/").AssertStatus(200).AssertContains(`name="email"`)

		// No account enumeration: an unknown address gets the same answer.
		known := c.Post("/accounts/password_reset/", url.Values{"email": {"ada@example.com"}})
		unknown := c.Post("/accounts/password_reset/", url.Values{"email": {"nobody@example.com"}})
		if known.StatusCode != unknown.StatusCode || known.Header.Get("Location") != unknown.Header.Get("Location") || string(known.Body) != string(unknown.Body) {
			t.Errorf("known and unknown addresses answered differently: %d %q / %d %q",
				known.StatusCode, known.Header.Get("Location"), unknown.StatusCode, unknown.Header.Get("Location"))
		}
		if link := requestReset(t, app, "nobody@example.com"); link != "" {
			t.Fatal("mail sent for an unknown address")
		}
		c.Get("/accounts/password_reset/done/").AssertStatus(200).AssertContains("if an account exists")

		// Another signed-in session of ada's, which the reset must end.
		other := anodetest.NewClient(t, app.Handler())
		login(t, other, "ada", "correct horse").AssertStatus(200)
		other.Get("/me").AssertText("ada")

		link := requestReset(t, app, "ADA@example.com") // case does not matter
		// Validators apply.
		setPassword(t, c, link, "one thing", "another").AssertStatus(200).AssertContains("didn’t match")
		setPassword(t, c, link, "12345678", "12345678").AssertStatus(200).AssertContains("entirely numeric")
		setPassword(t, c, link, "password", "password").AssertStatus(200).AssertContains("too common")
		setPassword(t, c, link, "new battery staple", "new battery staple").AssertRedirect("/accounts/reset/done/")
		c.Get("/accounts/reset/done/").AssertStatus(200).AssertContains(`href="/accounts/login/"`)

		other.Get("/me").AssertText("anonymous")
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "correct horse").AssertStatus(401)

		// The link works once.
		anodetest.NewClient(t, app.Handler()).Get(link).AssertStatus(200).AssertContains(invalidLink)
		uid := strings.Split(link, "/")[3]
		c.Get("/accounts/reset/" + uid + "/set-password/").AssertStatus(200).AssertContains(invalidLink)
		c.Post("/accounts/reset/"+uid+"/set-password/", url.Values{"new_password1": {"x horse staple"}, "new_password2": {"x horse staple"}}).
			AssertStatus(200).AssertContains(invalidLink)
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "new battery staple").AssertStatus(200)

		// Expiry: valid until ANODE_PASSWORD_RESET_TIMEOUT (3 days), not after.
		link = requestReset(t, app, "ada@example.com")
		clk.Add(72*time.Hour - time.Minute)
		anodetest.NewClient(t, app.Handler()).Get(link).AssertStatus(302)
		clk.Add(2 * time.Minute)
		setPassword(t, anodetest.NewClient(t, app.Handler()), link, "x horse staple", "x horse staple").
			AssertStatus(200).AssertContains(invalidLink)
		// A link followed in time whose form is posted too late fails too.
		link = requestReset(t, app, "ada@example.com")
		late := anodetest.NewClient(t, app.Handler())
		form := late.Get(link).AssertStatus(302).Header.Get("Location")
		clk.Add(73 * time.Hour)
		late.Post(form, url.Values{"new_password1": {"x horse staple"}, "new_password2": {"x horse staple"}}).
			AssertStatus(200).AssertContains(invalidLink)

		// Logging in kills an outstanding link (last_login is in the MAC).
		link = requestReset(t, app, "ada@example.com")
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "new battery staple").AssertStatus(200)
		anodetest.NewClient(t, app.Handler()).Get(link).AssertStatus(200).AssertContains(invalidLink)

		// Tampered links fail.
		link = requestReset(t, app, "ada@example.com")
		parts := strings.Split(link, "/") // "", accounts, reset, uid, token, ""
		ada2, _ := auth.CreateUser(ctx, app.DB(), "ada2", "ada2@example.com", "correct horse")
		for _, bad := range []string{
			"/accounts/reset/" + parts[3] + "/" + parts[4] + "x/",
			"/accounts/reset/" + parts[3] + "/1-" + strings.SplitN(parts[4], "-", 2)[1] + "/",
			"/accounts/reset/" + parts[3] + "/nodash/",
			"/accounts/reset/!!/" + parts[4] + "/",
			"/accounts/reset/" + encodeUID(ada2.ID) + "/" + parts[4] + "/",
		} {
			anodetest.NewClient(t, app.Handler()).Get(bad).AssertStatus(200).AssertContains(invalidLink)
		}
		anodetest.NewClient(t, app.Handler()).Get(link).AssertStatus(302)
	})
}

func encodeUID(id int64) string {
	return strings.TrimRight(base64URL(id), "=")
}

func TestPasswordResetRefusesForeignHost(t *testing.T) {
	app, _ := newClockApp(t, anodetest.SQLiteURL(t))
	if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	c := anodetest.NewClient(t, app.Handler())
	req, _ := http.NewRequest("POST", c.BaseURL+"/accounts/password_reset/", strings.NewReader("email=ada%40example.com"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	if res := c.Do(req); res.StatusCode == http.StatusFound {
		t.Fatalf("a reset for a forged Host answered %d", res.StatusCode)
	}
	if n := anodetest.Outbox(t, app).Len(); n != 0 {
		t.Fatalf("%d mails sent for a forged Host", n)
	}
}

func TestPasswordChange(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		anon := anodetest.NewClient(t, app.Handler())
		anon.Get("/accounts/password_change/").AssertRedirect("/accounts/login/?next=%2Faccounts%2Fpassword_change%2F")
		anon.Post("/accounts/password_change/", url.Values{"old_password": {"correct horse"}}).AssertStatus(302)

		a, b := anodetest.NewClient(t, app.Handler()), anodetest.NewClient(t, app.Handler())
		login(t, a, "ada", "correct horse").AssertStatus(200)
		login(t, b, "ada", "correct horse").AssertStatus(200)
		a.Get("/accounts/password_change/").AssertStatus(200).AssertContains(`name="old_password"`)
		change := func(old, pw1, pw2 string) *anodetest.Response {
			return a.Post("/accounts/password_change/", url.Values{"old_password": {old}, "new_password1": {pw1}, "new_password2": {pw2}})
		}
		change("wrong", "new battery staple", "new battery staple").AssertStatus(200).AssertContains("old password was entered incorrectly")
		change("correct horse", "new battery staple", "other").AssertStatus(200).AssertContains("didn’t match")
		change("correct horse", "short", "short").AssertStatus(200).AssertContains("too short")
		change("correct horse", "ada@example.com", "ada@example.com").AssertStatus(200).AssertContains("too similar to the email")
		b.Get("/me").AssertText("ada")
		change("correct horse", "new battery staple", "new battery staple").AssertRedirect("/accounts/password_change/done/")
		a.Get("/accounts/password_change/done/").AssertStatus(200).AssertContains("Your password was changed")
		a.Get("/me").AssertText("ada")
		b.Get("/me").AssertText("anonymous")
		login(t, b, "ada", "correct horse").AssertStatus(401)
		login(t, b, "ada", "new battery staple").AssertStatus(200)
	})
}

func base64URL(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// TestPasswordResetMailIsPlainText: the text/plain body comes from
// text/template, so the username reads as typed, not HTML-escaped.
func TestPasswordResetMailIsPlainText(t *testing.T) {
	app, _ := newClockApp(t, anodetest.SQLiteURL(t))
	if _, err := auth.CreateUser(context.Background(), app.DB(), `o'brien&<sons>`, "ob@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	ob := anodetest.Outbox(t, app)
	ob.Clear()
	anodetest.NewClient(t, app.Handler()).Post("/accounts/password_reset/", url.Values{"email": {"ob@example.com"}}).
		AssertRedirect("/accounts/password_reset/done/")
	msgs := ob.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	if body := msgs[0].Body; !strings.Contains(body, "Your username, in case you've forgotten: o'brien&<sons>") || strings.Contains(body, "&#39;") || strings.Contains(body, "&amp;") {
		t.Fatalf("body:\n%s", body)
	}
}
