package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/auth/internal/customuser"
	"github.com/anode-go/anode/auth/internal/switched"
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

// TestCustomUserMigrationsUpToDate checks the migrations of the test's
// custom user model, as an application's CI would; ANODE_UPDATE_MIGRATIONS=1
// writes them.
func TestCustomUserMigrationsUpToDate(t *testing.T) {
	anodetest.MigrationsUpToDate(t, customuser.Module())
}

// Note belongs to another module and refers to auth.User, as a reusable
// module would: with a custom user model the key refers to its table.
type Note struct {
	ID     int64
	Author orm.FK[auth.User] `anode:"on_delete=cascade,related=notes"`
	Text   string            `anode:"max=100"`
}

// notes is a module over the custom user model: /bio shows the request's
// user as the application's model, /notes needs a permission.
func notes() anode.Module {
	return anode.Module{
		Name:   "notes",
		Models: []any{Note{}},
		// As a reusable module's makemigrations would write it, but
		// depending on auth.0001_initial, which creates the user model
		// whichever it is.
		Migrations: []*migrate.Migration{{
			Name:         "0001_initial",
			Dependencies: []string{"auth.0001_initial"},
			Operations: []migrate.Operation{migrate.CreateModel{Model: orm.ModelSpec{
				Module: "notes", Name: "Note", Table: "notes_note",
				Fields: []orm.FieldSpec{
					{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true},
					{Name: "Author", Column: "author_id", Kind: orm.KindForeignKey, Related: "auth.User", OnDelete: orm.Cascade},
					{Name: "Text", Column: "text", Kind: orm.KindString, MaxLength: 100},
				},
			}}},
		}},
		Routes: func(r *anode.Router) {
			r.Get("/bio", func(w http.ResponseWriter, r *http.Request) error {
				m := auth.UserAs[customuser.User](r.Context())
				if m == nil {
					fmt.Fprint(w, "anonymous")
					return nil
				}
				fmt.Fprintf(w, "%s:%s:%s", m.Username, m.Bio, m.Timezone)
				return nil
			})
			r.Handle("GET /notes", auth.RequirePerm("notes.change_note")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "notes of ", auth.UserFromRequest(r).Username)
			})))
		},
	}
}

func customApp(t *testing.T, dbURL string, env map[string]string) *anode.App {
	t.Helper()
	base := anodetest.Config(t)
	cfg := anode.LoadConfig(env, "")
	cfg.SecretKey, cfg.DataDir, cfg.AllowedHosts, cfg.EmailURL = base.SecretKey, base.DataDir, base.AllowedHosts, base.EmailURL
	cfg.DatabaseURL = dbURL
	return anodetest.NewAppConfig(t, cfg, customuser.Module(), shop(), notes())
}

func TestCustomUserModel(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		env := map[string]string{"ANODE_SUPERUSER_PASSWORD": "correct horse battery"}

		// migrate and createsuperuser --noinput, as a deployment runs them.
		for _, args := range [][]string{
			{"migrate"},
			{"createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com"},
		} {
			var out bytes.Buffer
			if code := customApp(t, dbURL, env).ExecuteInput(ctx, args, strings.NewReader(""), &out, &out); code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, out.String())
			}
		}

		app := customApp(t, dbURL, env)
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		db := app.DB()
		if m, ok := app.Registry().ByLabel("auth.User"); !ok || m.Type != reflect.TypeFor[customuser.User]() {
			t.Fatalf("auth.User is %v, not the custom model", m)
		}
		m, err := orm.ModelOf[customuser.User](app.Registry())
		if err != nil || m.Table != "auth_user" {
			t.Fatalf("the custom model: %v, %v", m, err)
		}
		root, err := orm.From[customuser.User](db).Filter("username", "root").Get(ctx)
		if err != nil || !root.IsSuperuser || !root.IsStaff || root.Timezone != "UTC" {
			t.Fatalf("createsuperuser made %+v, %v", root, err)
		}
		// Permissions were created for the custom model and the others.
		for _, p := range []string{"auth.change_user", "notes.change_note"} {
			mod, code, _ := strings.Cut(p, ".")
			n, err := orm.From[auth.Permission](db).Filter("codename", code).Filter("model__startswith", mod+".").Count(ctx)
			if err != nil || n != 1 {
				t.Fatalf("permission %s: %d, %v", p, n, err)
			}
		}

		// The application creates its users with its own fields.
		ada := &customuser.User{Bio: "mathematician", Timezone: "Europe/London"}
		ada.Username, ada.Email, ada.IsActive = "ada", "ada@example.com", true
		ada.DateJoined = time.Now().UTC()
		if err := ada.SetPassword("correct horse"); err != nil {
			t.Fatal(err)
		}
		if err := orm.Create(ctx, db, ada); err != nil {
			t.Fatal(err)
		}
		// CreateUser makes a row of the custom model too.
		bob, err := auth.CreateUser(ctx, db, "bob", "bob@example.com", "another horse")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.From[customuser.User](db).Filter("id", bob.ID).Count(ctx); n != 1 {
			t.Fatal("CreateUser did not write the custom model's table")
		}

		// Login through the session; the request's user is the custom model.
		c := anodetest.NewClient(t, app.Handler())
		c.Get("/visit").AssertStatus(200)
		before := sessionCookie(t, c)
		login(t, c, "ada", "wrong").AssertStatus(401)
		login(t, c, "ada", "correct horse").AssertStatus(200)
		if sessionCookie(t, c).Value == before.Value {
			t.Fatal("the session key did not change at login")
		}
		c.Get("/me").AssertText("ada")
		c.Get("/bio").AssertText("ada:mathematician:Europe/London")
		anodetest.NewClient(t, app.Handler()).Get("/bio").AssertText("anonymous")
		loaded, _ := orm.From[customuser.User](db).Filter("id", ada.ID).Get(ctx)
		if !loaded.LastLogin.Valid {
			t.Fatal("last_login not set on the custom model's row")
		}

		// Permissions through a group, and RequirePerm.
		c.Get("/notes").AssertStatus(403)
		perm, err := orm.From[auth.Permission](db).Filter("model", "notes.Note").Filter("codename", "change_note").Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		editors := &auth.Group{Name: "editors"}
		if err := orm.Create(ctx, db, editors); err != nil {
			t.Fatal(err)
		}
		if err := orm.ManyOf[auth.Permission](db, editors, "Permissions").Add(ctx, perm); err != nil {
			t.Fatal(err)
		}
		if err := orm.ManyOf[auth.Group](db, ada, "Groups").Add(ctx, *editors); err != nil {
			t.Fatal(err)
		}
		c.Get("/notes").AssertStatus(200).AssertText("notes of ada")
		if ok, err := bob.HasPerm(ctx, db, "notes.change_note"); ok || err != nil {
			t.Fatalf("bob holds notes.change_note: %v, %v", ok, err)
		}
		rootClient := anodetest.NewClient(t, app.Handler())
		login(t, rootClient, "root", "correct horse battery").AssertStatus(200)
		rootClient.Get("/notes").AssertStatus(200)

		// A foreign key to auth.User refers to the custom model's row.
		note := &Note{Author: orm.FK[auth.User]{ID: ada.ID}, Text: "on engines"}
		if err := orm.Create(ctx, db, note); err != nil {
			t.Fatal(err)
		}
		author, err := note.Author.Get(ctx, db)
		if err != nil || author.Username != "ada" {
			t.Fatalf("note author %+v, %v", author, err)
		}
		mine, err := orm.From[Note](db).Filter("author__bio", "mathematician").Count(ctx)
		if err != nil || mine != 1 {
			t.Fatalf("notes by bio: %d, %v", mine, err)
		}

		// API tokens.
		plain, _, err := auth.CreateToken(ctx, db, &ada.User, "cli", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		api := anodetest.NewClient(t, app.Handler())
		api.Header.Set("Authorization", "Bearer "+plain)
		api.Get("/bio").AssertText("ada:mathematician:Europe/London")

		// A password change ends the other sessions; a disabled user is
		// anonymous on an old session.
		other := anodetest.NewClient(t, app.Handler())
		login(t, other, "ada", "correct horse").AssertStatus(200)
		c.Post("/password", map[string][]string{"password": {"a new horse"}}).AssertStatus(200)
		c.Get("/bio").AssertText("ada:mathematician:Europe/London")
		other.Get("/me").AssertText("anonymous")
		if _, err := orm.From[customuser.User](db).Filter("id", ada.ID).Update(ctx, orm.Set("IsActive", false)); err != nil {
			t.Fatal(err)
		}
		c.Get("/me").AssertText("anonymous")
		api.Get("/me").AssertText("anonymous")
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "a new horse").AssertStatus(401)

		// Password reset reaches the custom model's users.
		link := requestReset(t, app, "ada@example.com")
		if link != "" {
			t.Fatal("an inactive user was sent a reset link")
		}
		if _, err := orm.From[customuser.User](db).Filter("id", ada.ID).Update(ctx, orm.Set("IsActive", true)); err != nil {
			t.Fatal(err)
		}
		link = requestReset(t, app, "ada@example.com")
		setPassword(t, anodetest.NewClient(t, app.Handler()), link, "reset horse battery", "reset horse battery").
			AssertRedirect("/accounts/reset/done/")
		login(t, anodetest.NewClient(t, app.Handler()), "ada", "reset horse battery").AssertStatus(200)

		// changepassword works on the custom model.
		var out bytes.Buffer
		if code := customApp(t, dbURL, env).ExecuteInput(ctx, []string{"changepassword", "bob"},
			strings.NewReader("bob's new secret\nbob's new secret\n"), &out, &out); code != 0 {
			t.Fatalf("changepassword: exit %d\n%s", code, out.String())
		}
		if _, err := auth.Authenticate(ctx, db, "bob", "bob's new secret"); err != nil {
			t.Fatalf("bob after changepassword: %v", err)
		}
	})
}

type Member struct{ auth.User }

func TestModuleForNeedsTheNameUser(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "name the user model type User") {
			t.Fatalf("panic %v", p)
		}
	}()
	auth.ModuleFor[Member](nil, "")
}

// TestSwitchToCustomUserModel is the documented upgrade path: a database
// made with auth.Module() moves to a custom model whose migrations begin
// with copies of auth/migrations; migrate adds only the new field, and
// existing users keep their accounts and passwords.
func TestSwitchToCustomUserModel(t *testing.T) {
	anodetest.MigrationsUpToDate(t, switched.Module())
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		before := newApp(t, dbURL) // auth.Module(), migrated
		if _, err := auth.CreateUser(ctx, before.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		cfg := anodetest.Config(t)
		cfg.DatabaseURL = dbURL
		after := anodetest.NewAppConfig(t, cfg, switched.Module(), shop())
		if err := after.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := orm.From[switched.User](after.DB()).Filter("username", "ada").Update(ctx, orm.Set("Bio", "mathematician")); err != nil || n != 1 {
			t.Fatalf("bio: %d, %v", n, err)
		}
		c := anodetest.NewClient(t, after.Handler())
		login(t, c, "ada", "correct horse").AssertStatus(200)
		c.Get("/me").AssertText("ada")
		u, err := orm.From[switched.User](after.DB()).Filter("username", "ada").Get(ctx)
		if err != nil || u.Bio != "mathematician" || !u.LastLogin.Valid {
			t.Fatalf("after the switch: %+v, %v", u, err)
		}
	})
}
