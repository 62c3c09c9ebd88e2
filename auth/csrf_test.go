package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/session"
)

// The auth views under CSRF protection, posted the way a browser posts a
// form: the hidden field of the page, same-origin headers, no X-CSRF-Token.
func TestViewsCSRF(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "", "correct horse"); err != nil {
			t.Fatal(err)
		}
		c := anodetest.NewClient(t, app.Handler())
		c.NoCSRF = true
		form := func(path, token string, v url.Values) *anodetest.Response {
			t.Helper()
			if token != "" {
				v.Set("csrf_token", token)
			}
			return c.Request("POST", path, strings.NewReader(v.Encode()), http.Header{
				"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {c.BaseURL}, "Sec-Fetch-Site": {"same-origin"},
			})
		}

		// A page with a login form sets the CSRF cookie and writes no session.
		page := c.Get("/accounts/login/").AssertStatus(200)
		if c.Cookie("/", "csrftoken") == nil || c.Cookie("/", "sessionid") != nil {
			t.Fatalf("login page cookies: %v", page.Header.Values("Set-Cookie"))
		}
		if n, err := orm.From[session.Row](app.DB()).Count(context.Background()); err != nil || n != 0 {
			t.Fatalf("the login page wrote %d session rows (%v)", n, err)
		}
		loginToken := page.CSRFToken()

		form("/accounts/login/", "", url.Values{"username": {"ada"}, "password": {"correct horse"}}).AssertStatus(403)
		form("/accounts/login/", loginToken, url.Values{"username": {"ada"}, "password": {"correct horse"}}).AssertRedirect("/")
		c.Get("/me").AssertText("ada")

		// The login rotated the secret: the login page's token is stale.
		form("/accounts/logout/", loginToken, url.Values{}).AssertStatus(403)
		c.Get("/me").AssertText("ada")
		fresh := c.Get("/accounts/password_change/").AssertStatus(200).CSRFToken()
		form("/accounts/logout/", fresh, url.Values{}).AssertRedirect("/")
		c.Get("/me").AssertText("anonymous")
		// And the logout rotated it again.
		form("/accounts/login/", fresh, url.Values{"username": {"ada"}, "password": {"correct horse"}}).AssertStatus(403)
	})
}
