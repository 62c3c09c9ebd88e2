package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"testing/fstest"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
)

func TestLoginRequired(t *testing.T) {
	site := anode.Module{
		Name:   "site",
		Static: fstest.MapFS{"site.css": {Data: []byte("body{}")}},
		Routes: func(r *anode.Router) {
			r.Get("/", func(w http.ResponseWriter, r *http.Request) error {
				_, err := fmt.Fprint(w, "home")
				return err
			}).Public()
			r.Get("/private/", func(w http.ResponseWriter, r *http.Request) error {
				name := "anonymous"
				if u := auth.UserFromRequest(r); u != nil {
					name = u.Username
				}
				_, err := fmt.Fprint(w, "private for ", name)
				return err
			})
			r.Mount("/open/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "open")
			})).Public()
		},
	}
	newSite := func(t *testing.T, required string) *anode.App {
		base := anodetest.Config(t)
		cfg := anode.LoadConfig(map[string]string{"ANODE_LOGIN_REQUIRED": required}, "")
		cfg.SecretKey, cfg.DataDir, cfg.AllowedHosts, cfg.EmailURL = base.SecretKey, base.DataDir, base.AllowedHosts, base.EmailURL
		cfg.DatabaseURL = anodetest.SQLiteURL(t)
		app := anodetest.NewAppConfig(t, cfg, auth.Module(), site)
		if err := app.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "", "correct horse"); err != nil {
			t.Fatal(err)
		}
		return app
	}

	t.Run("on", func(t *testing.T) {
		app := newSite(t, "true")
		c := anodetest.NewClient(t, app.Handler())
		c.Get("/").AssertStatus(200).AssertText("home")
		c.Get("/open/anything").AssertStatus(200).AssertText("open")
		c.Get("/private/").AssertRedirect("/accounts/login/?next=" + url.QueryEscape("/private/"))
		c.Get("/private/?page=2").AssertRedirect("/accounts/login/?next=" + url.QueryEscape("/private/?page=2"))
		c.Get("/nowhere").AssertRedirect("/accounts/login/?next=%2Fnowhere")
		c.Get("/healthz").AssertStatus(200)
		css, err := app.StaticURL("site.css")
		if err != nil {
			t.Fatal(err)
		}
		c.Get(css).AssertStatus(200)
		c.Get("/accounts/login/?next=/private/").AssertStatus(200)
		// APPEND_SLASH runs first: the slash-less URL of a public or a
		// private route is redirected to its canonical form, which is then
		// checked; an unknown path still goes to the login page.
		c.Get("/accounts/login").AssertRedirect("/accounts/login/")
		c.Get("/private").AssertRedirect("/private/")
		c.Get("/nowhere/else").AssertRedirect("/accounts/login/?next=%2Fnowhere%2Felse")
		c.Get("/accounts/password_reset/").AssertStatus(200)
		c.Get("/accounts/password_change/").AssertStatus(302)

		// An API token signs the request in.
		ada, err := orm.From[auth.User](app.DB()).Filter("username", "ada").Get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		plain, _, err := auth.CreateToken(context.Background(), app.DB(), &ada, "script", 0)
		if err != nil {
			t.Fatal(err)
		}
		api := anodetest.NewClient(t, app.Handler())
		api.Header.Set("Authorization", "Bearer "+plain)
		api.Get("/private/").AssertStatus(200).AssertText("private for ada")

		c.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"correct horse"}, "next": {"/private/"}}).
			AssertRedirect("/private/")
		c.Get("/private/").AssertStatus(200).AssertText("private for ada")
		c.Get("/nowhere").AssertStatus(404)
		c.Post("/accounts/logout/", nil).AssertRedirect("/")
		c.Get("/private/").AssertStatus(302)
	})

	t.Run("off", func(t *testing.T) {
		app := newSite(t, "false")
		c := anodetest.NewClient(t, app.Handler())
		c.Get("/nowhere").AssertStatus(404)
		c.Get("/open/x").AssertStatus(200)
		c.Get("/private/").AssertStatus(200).AssertText("private for anonymous")
	})

	t.Run("bad value", func(t *testing.T) {
		base := anodetest.Config(t)
		cfg := anode.LoadConfig(map[string]string{"ANODE_LOGIN_REQUIRED": "maybe"}, "")
		cfg.SecretKey, cfg.DataDir = base.SecretKey, base.DataDir
		app := anode.New(cfg)
		app.Install(auth.Module())
		if err := app.Start(context.Background()); err == nil {
			t.Error("ANODE_LOGIN_REQUIRED=maybe started")
		}
	})
}
