package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/session"
)

type Item struct {
	ID   int64
	Name string `anode:"max=50"`
}

// shop is a test module whose routes drive the auth API.
func shop() anode.Module {
	return anode.Module{
		Name:   "shop",
		Models: []any{Item{}},
		Routes: func(r *anode.Router) {
			r.Post("/login", func(w http.ResponseWriter, r *http.Request) error {
				u, err := auth.Authenticate(r.Context(), anode.FromContext(r.Context()).DB(), r.PostFormValue("username"), r.PostFormValue("password"))
				if errors.Is(err, auth.ErrInvalidCredentials) || errors.Is(err, auth.ErrInactive) {
					return anode.NewError(http.StatusUnauthorized, err.Error(), nil)
				}
				if err != nil {
					return err
				}
				return auth.Login(r, u)
			})
			r.Post("/logout", func(w http.ResponseWriter, r *http.Request) error { return auth.Logout(r) })
			r.Post("/password", func(w http.ResponseWriter, r *http.Request) error {
				u := auth.UserFromRequest(r)
				if u == nil {
					return anode.NewError(http.StatusUnauthorized, "", nil)
				}
				return auth.ChangePassword(r, u, r.PostFormValue("password"))
			})
			r.Get("/me", func(w http.ResponseWriter, r *http.Request) error {
				if u := auth.UserFromRequest(r); u != nil {
					fmt.Fprint(w, u.Username)
				} else {
					fmt.Fprint(w, "anonymous")
				}
				return nil
			})
			r.Get("/visit", func(w http.ResponseWriter, r *http.Request) error {
				return session.Set(session.FromRequest(r), "seen", true)
			})
			r.Handle("GET /secret", auth.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "secret")
			})))
			r.Handle("GET /items", auth.RequirePerm("shop.change_item")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "items")
			})))
		},
	}
}

func newApp(t *testing.T, dbURL string) *anode.App {
	t.Helper()
	cfg := anodetest.Config(t)
	cfg.DatabaseURL = dbURL
	app := anodetest.NewAppConfig(t, cfg, auth.Module(), shop())
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return app
}

func login(t *testing.T, c *anodetest.Client, user, pw string) *anodetest.Response {
	t.Helper()
	return c.Post("/login", url.Values{"username": {user}, "password": {pw}})
}

func sessionCookie(t *testing.T, c *anodetest.Client) *http.Cookie {
	t.Helper()
	ck := c.Cookie("/", "sessionid")
	if ck == nil {
		t.Fatal("no session cookie")
	}
	return ck
}

// withCookie returns a client that presents only the given session cookie:
// a stolen or copied cookie.
func withCookie(t *testing.T, app *anode.App, ck *http.Cookie) *anodetest.Client {
	c := anodetest.NewClient(t, app.Handler())
	c.Header.Set("Cookie", (&http.Cookie{Name: ck.Name, Value: ck.Value}).String())
	return c
}

func TestLoginFlows(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		ctx := context.Background()
		if _, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}

		// Session fixation: the key a visitor had before login stops working.
		a := anodetest.NewClient(t, app.Handler())
		a.Get("/visit").AssertStatus(200)
		before := sessionCookie(t, a)
		login(t, a, "ada", "wrong").AssertStatus(401)
		login(t, a, "nobody", "correct horse").AssertStatus(401)
		login(t, a, "ada", "correct horse").AssertStatus(200)
		after := sessionCookie(t, a)
		if after.Value == before.Value {
			t.Fatal("the session key did not change at login")
		}
		a.Get("/me").AssertText("ada")
		withCookie(t, app, before).Get("/me").AssertText("anonymous")
		withCookie(t, app, after).Get("/me").AssertText("ada")

		u, err := orm.From[auth.User](app.DB()).Filter("username", "ada").Get(ctx)
		if err != nil || !u.LastLogin.Valid {
			t.Fatalf("last_login not set: %+v %v", u.LastLogin, err)
		}

		// RequireLogin.
		a.Get("/secret").AssertStatus(200).AssertText("secret")
		anodetest.NewClient(t, app.Handler()).Get("/secret?x=1").AssertStatus(302).
			AssertRedirect("/accounts/login/?next=%2Fsecret%3Fx%3D1")

		// Logout deletes the session server-side: a copy of the cookie is worthless.
		copied := sessionCookie(t, a)
		a.Post("/logout", nil).AssertStatus(200)
		a.Get("/me").AssertText("anonymous")
		withCookie(t, app, copied).Get("/me").AssertText("anonymous")

		// A password change ends the user's other sessions and keeps this one.
		b := anodetest.NewClient(t, app.Handler())
		login(t, a, "ada", "correct horse").AssertStatus(200)
		login(t, b, "ada", "correct horse").AssertStatus(200)
		b.Get("/me").AssertText("ada")
		a.Post("/password", url.Values{"password": {"battery staple"}}).AssertStatus(200)
		a.Get("/me").AssertText("ada")
		b.Get("/me").AssertText("anonymous")
		login(t, b, "ada", "correct horse").AssertStatus(401)
		login(t, b, "ada", "battery staple").AssertStatus(200)

		// A disabled user cannot log in or use an old session.
		if _, err := orm.From[auth.User](app.DB()).Filter("username", "ada").Update(ctx, orm.Set("IsActive", false)); err != nil {
			t.Fatal(err)
		}
		b.Get("/me").AssertText("anonymous")
		b.Get("/secret").AssertStatus(302)
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "battery staple").AssertStatus(401).AssertContains("inactive")
	})
}

// TestCookieStorePasswordChange: with signed-cookie sessions nothing is server-side,
// so a password change ends other sessions through the password hash the
// session keeps.
func TestCookieStorePasswordChange(t *testing.T) {
	base := anodetest.Config(t)
	cfg := anode.LoadConfig(map[string]string{
		"ANODE_SECRET_KEY": base.SecretKey, "ANODE_DATA_DIR": base.DataDir, "ANODE_DATABASE_URL": anodetest.SQLiteURL(t),
		"ANODE_ALLOWED_HOSTS": "testserver,127.0.0.1", "ANODE_SESSION_STORE": "cookie",
	}, "")
	app := anodetest.NewAppConfig(t, cfg, auth.Module(), shop())
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := app.Sessions().Store().(*session.CookieStore); !ok {
		t.Fatalf("store %T, want the cookie store", app.Sessions().Store())
	}
	if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "", "correct horse"); err != nil {
		t.Fatal(err)
	}
	a, b := anodetest.NewClient(t, app.Handler()), anodetest.NewClient(t, app.Handler())
	login(t, a, "ada", "correct horse").AssertStatus(200)
	login(t, b, "ada", "correct horse").AssertStatus(200)
	a.Post("/password", url.Values{"password": {"battery staple"}}).AssertStatus(200)
	a.Get("/me").AssertText("ada")
	b.Get("/me").AssertText("anonymous")
}

// TestDjangoHashUpgraded: hashes in Django's pbkdf2_sha256 format verify
// and are replaced by argon2id at the first login. The keys were computed
// with Python's hashlib.pbkdf2_hmac, the function Django's
// PBKDF2PasswordHasher calls, and are written as Django writes them; the
// second uses Django 5.1's default iteration count and a non-ASCII password.
func TestDjangoHashUpgraded(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		ctx := context.Background()
		for i, tc := range []struct{ pw, hash string }{
			{"correct horse", "pbkdf2_sha256$1000$anodeSalt1234567890abc$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70="},
			{"lètmein", "pbkdf2_sha256$870000$Kq3xZ8vR2mT9wLp4NcY7bH$sgfxlvPQxLpK+LjCI/8r35tBkfKHqGst5gZEMP5itls="},
		} {
			u := auth.User{Username: fmt.Sprint("imported", i), Password: tc.hash, IsActive: true}
			if err := orm.Create(ctx, app.DB(), &u); err != nil {
				t.Fatal(err)
			}
			login(t, anodetest.NewClient(t, app.Handler()), u.Username, tc.pw+"x").AssertStatus(401)
			if got, _ := orm.From[auth.User](app.DB()).Filter("id", u.ID).Get(ctx); got.Password != tc.hash {
				t.Fatalf("a failed login changed the hash: %q", got.Password)
			}
			login(t, anodetest.NewClient(t, app.Handler()), u.Username, tc.pw).AssertStatus(200)
			got, err := orm.From[auth.User](app.DB()).Filter("id", u.ID).Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Password, "$argon2id$") {
				t.Fatalf("password not re-hashed: %q", got.Password)
			}
			if !got.CheckPassword(tc.pw) {
				t.Fatal("the re-hashed password does not verify")
			}
		}
	})
}

// TestConcurrentMigrateCreatesPermissionsOnce starts two instances on one
// fresh database at once, as a fleet does: both migrate without an error
// and every permission exists once.
func TestConcurrentMigrateCreatesPermissionsOnce(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		cfg := anodetest.Config(t)
		cfg.DatabaseURL = dbURL
		apps := []*anode.App{anodetest.NewAppConfig(t, cfg, auth.Module(), shop()), anodetest.NewAppConfig(t, cfg, auth.Module(), shop())}
		errs := make(chan error, len(apps))
		for _, app := range apps {
			go func() { errs <- app.Migrate(context.Background()) }()
		}
		for range apps {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent migrate: %v", err)
			}
		}
		if n, err := orm.From[auth.Permission](apps[0].DB()).Count(context.Background()); err != nil || n != 6*4 {
			t.Fatalf("%d permissions (%v), want 24", n, err)
		}
	})
}

func TestPermissions(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		ctx := context.Background()
		db := app.DB()
		perms, err := orm.From[auth.Permission](db).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, p := range perms {
			names[p.String()] = true
		}
		for _, want := range []string{"shop.add_item", "shop.change_item", "shop.delete_item", "shop.view_item", "auth.view_user", "auth.change_group"} {
			if !names[want] {
				t.Errorf("permission %s not created (have %v)", want, names)
			}
		}
		if len(perms) != 6*4 { // Item, User, Group, Permission, Token, sessions.Row; no through models
			t.Errorf("%d permissions, want 24: %v", len(perms), names)
		}
		// A second migrate run creates nothing twice.
		if err := app.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[auth.Permission](db).Count(ctx); n != int64(len(perms)) {
			t.Errorf("after a second migrate: %d permissions, want %d", n, len(perms))
		}

		change, err := orm.From[auth.Permission](db).Filter("codename", "change_item").Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		editors := auth.Group{Name: "editors"}
		if err := orm.Create(ctx, db, &editors); err != nil {
			t.Fatal(err)
		}
		if err := orm.ManyOf[auth.Permission](db, &editors, "Permissions").Add(ctx, change); err != nil {
			t.Fatal(err)
		}
		ed, _ := auth.CreateUser(ctx, db, "ed", "", "correct horse")
		plain, _ := auth.CreateUser(ctx, db, "plain", "", "correct horse")
		root, _ := auth.CreateSuperuser(ctx, db, "root", "", "correct horse")
		if err := orm.ManyOf[auth.Group](db, ed, "Groups").Add(ctx, editors); err != nil {
			t.Fatal(err)
		}
		view, _ := orm.From[auth.Permission](db).Filter("codename", "view_item").Get(ctx)
		if err := orm.ManyOf[auth.Permission](db, plain, "UserPermissions").Add(ctx, view); err != nil {
			t.Fatal(err)
		}
		check := func(u *auth.User, perm string, want bool) {
			t.Helper()
			if got, err := u.HasPerm(ctx, db, perm); got != want || err != nil {
				t.Errorf("%s HasPerm(%s) = %v, %v; want %v", u.Username, perm, got, err, want)
			}
		}
		check(ed, "shop.change_item", true)
		check(ed, "shop.delete_item", false)
		check(plain, "shop.view_item", true)
		check(plain, "shop.change_item", false)
		check(root, "shop.delete_item", true)
		check(root, "anything.at_all", true)
		var nobody *auth.User
		check(nobody, "shop.view_item", false)
		if ok, _ := ed.HasModulePerms(ctx, db, "shop"); !ok {
			t.Error("ed HasModulePerms(shop) = false")
		}
		if ok, _ := ed.HasModulePerms(ctx, db, "auth"); ok {
			t.Error("ed HasModulePerms(auth) = true")
		}
		root.IsActive = false
		check(root, "shop.delete_item", false)

		// Object-level hook.
		own := owned{owner: ed.ID}
		if ok, _ := ed.HasObjectPerm(ctx, db, "shop.delete_item", own); !ok {
			t.Error("the object hook did not grant its owner")
		}
		if ok, _ := plain.HasObjectPerm(ctx, db, "shop.delete_item", own); ok {
			t.Error("the object hook granted a stranger")
		}
		if ok, _ := plain.HasObjectPerm(ctx, db, "shop.view_item", Item{}); !ok {
			t.Error("model-level permission not applied to an object without the hook")
		}

		// RequirePerm: anonymous → login, without → 403, with → 200.
		anodetest.NewClient(t, app.Handler()).Get("/items").AssertStatus(302)
		c := anodetest.NewClient(t, app.Handler())
		login(t, c, "plain", "correct horse").AssertStatus(200)
		c.Get("/items").AssertStatus(403)
		c = anodetest.NewClient(t, app.Handler())
		login(t, c, "ed", "correct horse").AssertStatus(200)
		c.Get("/items").AssertStatus(200).AssertText("items")
	})
}

type owned struct{ owner int64 }

func (o owned) HasObjectPerm(ctx context.Context, db *orm.DB, u *auth.User, perm string) (bool, error) {
	return u.ID == o.owner, nil
}

func TestSafeRedirect(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://testserver/accounts/login/", nil)
	allowed := []string{"testserver", ".example.com", "*"}
	for next, want := range map[string]bool{
		"/polls/?page=2":               true,
		"http://testserver/x":          true,
		"https://www.example.com/":     true,
		"https://example.com/":         true,
		"":                             false,
		"//evil.com/":                  false,
		"///evil.com/":                 false,
		"/\\evil.com":                  false,
		"\\\\evil.com":                 false,
		"https://evil.com/":            false,
		"https://evilexample.com/":     false,
		"http://testserver@evil.com/":  false,
		"javascript:alert(1)":          false,
		"https:evil.com":               false,
		"/\tevil":                      false,
		"ftp://testserver/":            false,
		"polls/":                       false,
		"https://testserver.evil.com/": false,
	} {
		if got := auth.SafeRedirect(r, next, allowed); got != want {
			t.Errorf("SafeRedirect(%q) = %v, want %v", next, got, want)
		}
	}
}

func TestViews(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		if _, err := auth.CreateUser(context.Background(), app.DB(), "ada", "", "correct horse"); err != nil {
			t.Fatal(err)
		}
		c := anodetest.NewClient(t, app.Handler())
		c.Get("/visit").AssertStatus(200)
		planted := sessionCookie(t, c)
		c.Get("/accounts/login/?next=/secret").AssertStatus(200).AssertContains(`name="next" value="/secret"`)
		c.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"nope"}}).
			AssertStatus(200).AssertContains("correct username and password").
			AssertContains(`class="errorlist nonfield"`).AssertContains(`value="ada"`)
		// The form package validates first: a missing password is a field
		// error, and nothing is authenticated.
		c.Post("/accounts/login/", url.Values{"username": {"ada"}}).
			AssertStatus(200).AssertContains(`id="id_password_errors"`).AssertContains("This field is required")
		c.Get("/me").AssertText("anonymous")
		c.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"correct horse"}, "next": {"/secret"}}).
			AssertRedirect("/secret")
		c.Get("/me").AssertText("ada")
		// Session fixation through the view: the key from before the login
		// is dead.
		if sessionCookie(t, c).Value == planted.Value {
			t.Fatal("the login view kept the session key")
		}
		withCookie(t, app, planted).Get("/me").AssertText("anonymous")
		c.Get("/accounts/logout/").AssertStatus(405)
		c.Get("/me").AssertText("ada")
		signedIn := sessionCookie(t, c)
		c.Post("/accounts/logout/", url.Values{"next": {"https://evil.example/"}}).AssertRedirect("/")
		c.Get("/me").AssertText("anonymous")
		withCookie(t, app, signedIn).Get("/me").AssertText("anonymous") // ended server-side
		// No open redirect: an off-site next goes to ANODE_LOGIN_REDIRECT_URL.
		for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
			c.Post("/accounts/login/", url.Values{"username": {"ada"}, "password": {"correct horse"}, "next": {next}}).
				AssertRedirect("/")
		}
	})
}

// TestSessionKeysHashedInDatabase: the sessions table holds SHA-256s of
// the keys, so a leaked copy cannot be replayed as session cookies.
func TestSessionKeysHashedInDatabase(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		ctx := context.Background()
		if _, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		c := anodetest.NewClient(t, app.Handler())
		login(t, c, "ada", "correct horse").AssertStatus(200)
		c.Get("/me").AssertText("ada")
		ck := sessionCookie(t, c)
		rows, err := orm.From[session.Row](app.DB()).All(ctx)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d session rows, %v", len(rows), err)
		}
		if rows[0].SessionKey == ck.Value {
			t.Fatal("the session key is stored in clear")
		}
		leaked := &http.Cookie{Name: ck.Name, Value: rows[0].SessionKey}
		withCookie(t, app, leaked).Get("/me").AssertText("anonymous")
	})
}
