package auth_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
)

// run executes one command line on a fresh App over the database at dbURL
// (Execute closes the App's database), answering prompts from input.
func run(t *testing.T, dbURL, input string, args ...string) (code int, out string) {
	t.Helper()
	return runEnv(t, dbURL, nil, input, args...)
}

// runEnv is run with the environment variables in env.
func runEnv(t *testing.T, dbURL string, env map[string]string, input string, args ...string) (code int, out string) {
	t.Helper()
	base := anodetest.Config(t)
	cfg := anode.LoadConfig(env, "")
	cfg.SecretKey, cfg.DataDir, cfg.AllowedHosts, cfg.EmailURL = base.SecretKey, base.DataDir, base.AllowedHosts, base.EmailURL
	cfg.DatabaseURL = dbURL
	app := anodetest.NewAppConfig(t, cfg, auth.Module(), shop())
	var stdout, stderr bytes.Buffer
	code = app.ExecuteInput(context.Background(), args, strings.NewReader(input), &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

func userNamed(t *testing.T, app *anode.App, name string) *auth.User {
	t.Helper()
	u, err := orm.From[auth.User](app.DB()).Filter("username", name).Get(context.Background())
	if err != nil {
		t.Fatalf("user %q: %v", name, err)
	}
	return &u
}

func TestCreatesuperuser(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		newApp(t, dbURL) // migrate
		ctx := context.Background()

		// Interactive, through the prompts: a taken name, a bad email, passwords
		// that differ, a weak password refused and then a good one.
		app := newApp(t, dbURL)
		if _, err := auth.CreateUser(ctx, app.DB(), "taken", "", "x"); err != nil {
			t.Fatal(err)
		}
		input := strings.Join([]string{
			"taken", "bad name!", "root",
			"not-an-email", "root@example.com",
			"one long secret", "another long secret",
			"12345678", "12345678", "n",
			"correct horse battery", "correct horse battery",
		}, "\n") + "\n"
		code, out := run(t, dbURL, input, "createsuperuser")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{
			"Username: ", "that username is already taken", "enter a valid username",
			"enter a valid email address", "your passwords didn't match",
			"This password is too common.", "Bypass password validation", "Superuser created successfully.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "correct horse") {
			t.Error("the password was echoed")
		}
		u := userNamed(t, app, "root")
		if !u.IsSuperuser || !u.IsStaff || !u.IsActive || u.Email != "root@example.com" || !u.CheckPassword("correct horse battery") {
			t.Errorf("created %+v", u)
		}

		// A weak password is accepted when the operator confirms it.
		code, out = run(t, dbURL, "weak\n\n12345678\n12345678\ny\n", "createsuperuser")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if !userNamed(t, app, "weak").CheckPassword("12345678") {
			t.Error("the confirmed weak password was not set")
		}

		// Input that ends mid-way fails without creating anything.
		if code, out = run(t, dbURL, "half\n", "createsuperuser"); code != 1 || !strings.Contains(out, "input ended") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		if n, _ := orm.From[auth.User](app.DB()).Filter("username", "half").Count(ctx); n != 0 {
			t.Error("a user was created from half the answers")
		}

		// --noinput: the password from the environment, validated.
		env := map[string]string{"ANODE_SUPERUSER_PASSWORD": "password"}
		if code, out = runEnv(t, dbURL, env, "", "createsuperuser", "--noinput", "--username", "ops"); code != 1 || !strings.Contains(out, "too common") {
			t.Errorf("weak --noinput password: exit %d:\n%s", code, out)
		}
		env["ANODE_SUPERUSER_PASSWORD"] = "a sturdy passphrase"
		if code, out = runEnv(t, dbURL, env, "", "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"); code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if u := userNamed(t, app, "ops"); !u.IsSuperuser || !u.CheckPassword("a sturdy passphrase") {
			t.Errorf("created %+v", u)
		}
		if code, out = runEnv(t, dbURL, env, "", "createsuperuser", "--noinput", "--username", "ops"); code != 1 || !strings.Contains(out, "already taken") {
			t.Errorf("duplicate: exit %d:\n%s", code, out)
		}
		if code, out = run(t, dbURL, "", "createsuperuser", "--noinput"); code != 1 || !strings.Contains(out, "blank") {
			t.Errorf("no username: exit %d:\n%s", code, out)
		}
		env = map[string]string{"ANODE_SUPERUSER_USERNAME": "sso"}
		if code, out = runEnv(t, dbURL, env, "", "createsuperuser", "--no-input"); code != 0 || !strings.Contains(out, "unusable") {
			t.Errorf("no password: exit %d:\n%s", code, out)
		}
		if u := userNamed(t, app, "sso"); u.CheckPassword("") || !strings.HasPrefix(u.Password, "!") {
			t.Errorf("sso's password %q is usable", u.Password)
		}
	})
}

func TestChangepassword(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app := newApp(t, dbURL)
		ctx := context.Background()
		if _, err := auth.CreateUser(ctx, app.DB(), "ada", "ada@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		c := anodetest.NewClient(t, app.Handler())
		login(t, c, "ada", "correct horse").AssertStatus(200)
		c.Get("/me").AssertText("ada")

		// Too similar, then mismatched, then accepted on the third try.
		input := "ada@example.com\nada@example.com\nnew battery staple\nother\nnew battery staple\nnew battery staple\n"
		code, out := run(t, dbURL, input, "changepassword", "ada")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{`Changing password for user "ada"`, "too similar", "didn't match", `Password changed successfully for user "ada".`} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if u := userNamed(t, app, "ada"); !u.CheckPassword("new battery staple") {
			t.Error("the password did not change")
		}
		// The session signed in with the old password has ended.
		c.Get("/me").AssertText("anonymous")

		// Three failures abort and change nothing.
		code, out = run(t, dbURL, "a\nb\nc\nd\n12345678\n12345678\n", "changepassword", "ada")
		if code != 1 || !strings.Contains(out, "aborting after 3 attempts") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		if u := userNamed(t, app, "ada"); !u.CheckPassword("new battery staple") {
			t.Error("a failed changepassword changed the password")
		}
		if code, out = run(t, dbURL, "", "changepassword", "nobody"); code != 1 || !strings.Contains(out, `"nobody" does not exist`) {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}
