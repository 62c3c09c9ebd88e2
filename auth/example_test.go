package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
	_ "github.com/anode-go/anode/orm/sqlite" // the database driver
	"github.com/anode-go/anode/security"
)

// exampleApp returns a migrated App with the auth module and mod on a new
// SQLite database, and a function that removes it.
func exampleApp(mod anode.Module) (*anode.App, func()) { return exampleAppWith(auth.Module(), mod) }

// exampleAppWith is exampleApp with authMod as the auth module.
func exampleAppWith(authMod, mod anode.Module) (*anode.App, func()) {
	dir, err := os.MkdirTemp("", "anode-example")
	if err != nil {
		panic(err)
	}
	app := anode.New(anode.Config{
		SecretKey:    "example-secret-key-example-secret-key",
		DataDir:      dir,
		DatabaseURL:  "sqlite:///" + filepath.Join(dir, "db.sqlite3"),
		AllowedHosts: []string{"example.com"},
	})
	app.SetLogOutput(io.Discard)
	app.Install(authMod, mod)
	if err := app.Start(context.Background()); err != nil {
		panic(err)
	}
	if err := app.Migrate(context.Background()); err != nil {
		panic(err)
	}
	return app, func() { app.Close(); os.RemoveAll(dir) }
}

// A view of its own that signs users in: Authenticate checks the password
// (the same time is spent on unknown usernames), Login starts the session
// under a new key, and later requests see the user.
func ExampleLogin() {
	app, done := exampleApp(anode.Module{Name: "shop", Routes: func(r *anode.Router) {
		r.Post("/signin", func(w http.ResponseWriter, r *http.Request) error {
			db := anode.FromContext(r.Context()).DB()
			u, err := auth.Authenticate(r.Context(), db, r.PostFormValue("username"), r.PostFormValue("password"))
			if errors.Is(err, auth.ErrInvalidCredentials) || errors.Is(err, auth.ErrInactive) {
				return anode.NewError(http.StatusUnauthorized, "Wrong username or password.", err)
			}
			if err != nil {
				return err
			}
			return auth.Login(r, u)
		}).Public()
		r.Get("/signin", func(w http.ResponseWriter, r *http.Request) error {
			_, err := fmt.Fprint(w, security.Token(r)) // a real page renders {{.CSRFField}}
			return err
		}).Public()
		r.Get("/me", func(w http.ResponseWriter, r *http.Request) error {
			u := auth.UserFromRequest(r)
			if u == nil {
				_, err := fmt.Fprintln(w, "anonymous")
				return err
			}
			_, err := fmt.Fprintln(w, "signed in as", u.Username)
			return err
		})
	}})
	defer done()
	if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
		panic(err)
	}
	h := app.Handler()
	serve := func(method, path, body, cookie, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		req.Header.Set("X-CSRF-Token", token) // what the form page gave
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	cookie := func(rec *httptest.ResponseRecorder, name string) string {
		for _, c := range rec.Result().Cookies() {
			if c.Name == name {
				return c.Name + "=" + c.Value
			}
		}
		return ""
	}
	page := serve("GET", "/signin", "", "", "") // the form: a CSRF cookie and token
	csrf, token := cookie(page, "csrftoken"), page.Body.String()
	form := url.Values{"username": {"ada"}, "password": {"wrong"}}.Encode()
	fmt.Println(serve("POST", "/signin", form, csrf, token).Code)
	form = url.Values{"username": {"ada"}, "password": {"correct horse"}}.Encode()
	rec := serve("POST", "/signin", form, csrf, token)
	fmt.Println(rec.Code)
	fmt.Print(serve("GET", "/me", "", cookie(rec, "sessionid"), "").Body)
	fmt.Print(serve("GET", "/me", "", "", "").Body)
	// Output:
	// 401
	// 200
	// signed in as ada
	// anonymous
}

// Permissions come from the user, from the user's groups, or from being a
// superuser; migrate created add_, change_, delete_ and view_ for every
// model.
func ExampleUser_HasPerm() {
	type Question struct {
		ID   int64
		Text string `anode:"max=200"`
	}
	app, done := exampleApp(anode.Module{Name: "polls", Models: []any{Question{}}})
	defer done()
	ctx := context.Background()
	db := app.DB()

	editors := &auth.Group{Name: "editors"}
	if err := orm.Create(ctx, db, editors); err != nil {
		panic(err)
	}
	change, err := orm.From[auth.Permission](db).Filter("codename", "change_question").Get(ctx)
	if err != nil {
		panic(err)
	}
	if err := orm.ManyOf[auth.Permission](db, editors, "Permissions").Add(ctx, change); err != nil {
		panic(err)
	}
	ada, _ := auth.CreateUser(ctx, db, "ada", "", "correct horse")
	bob, _ := auth.CreateUser(ctx, db, "bob", "", "battery staple")
	if err := orm.ManyOf[auth.Group](db, ada, "Groups").Add(ctx, *editors); err != nil {
		panic(err)
	}

	for _, u := range []*auth.User{ada, bob} {
		ok, err := u.HasPerm(ctx, db, "polls.change_question")
		if err != nil {
			panic(err)
		}
		fmt.Println(u.Username, ok)
	}
	// Output:
	// ada true
	// bob false
}
