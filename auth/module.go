// Package auth is Anode's authentication and authorisation module: users,
// groups and permissions stored by the ORM, log-in and log-out over
// sessions, the current user of a request, and middleware that requires a
// signed-in user or a permission. Passwords are hashed by auth/password.
//
// # Installing
//
//	app.Install(auth.Module(), polls.Module)
//	app.Run() // migrate creates auth_user, auth_group, auth_permission …
//
// The module's middleware makes the request's user available, loaded from
// the session only when something asks (UserFromRequest, a template's
// .User, RequireLogin): one query per request at most, none for requests
// that never ask. After every complete migrate run it creates the add_,
// change_, delete_ and view_ permissions of every installed model.
//
// See docs/auth.md.
package auth

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth/migrations"
	"github.com/anode-go/anode/render"
)

// ModuleName is the auth module's name, the prefix of its tables.
const ModuleName = "auth"

//go:embed templates
var templates embed.FS

// config is one installed auth module's settings and App.
type config struct {
	app            *anode.App
	loginURL       string
	loginRedirect  string
	logoutRedirect string
	loginRequired  bool
	resetTimeout   time.Duration
	resetBaseURL   string
	clock          func() time.Time // nil: time.Now; tests move it
	throttle       throttle         // login and password reset throttling (throttle.go)
}

// Module returns the auth module: the User, Group, Permission and Token models and
// their migrations, the middleware that makes the request's user available,
// the .User template value, the post-migrate step that creates permissions,
// the views under /accounts/, and the createsuperuser and changepassword
// commands. Settings: ANODE_LOGIN_URL (default /accounts/login/),
// ANODE_LOGIN_REDIRECT_URL (/), ANODE_LOGOUT_REDIRECT_URL (/),
// ANODE_PASSWORD_RESET_TIMEOUT (72h), ANODE_PASSWORD_RESET_BASE_URL (empty:
// the request's scheme and host), ANODE_LOGIN_REQUIRED (false), and the
// throttling of failed logins and reset requests: ANODE_LOGIN_THROTTLE
// (true), ANODE_LOGIN_ATTEMPTS (5 per username and client address),
// ANODE_LOGIN_ATTEMPTS_PER_IP (100) and ANODE_LOGIN_ATTEMPTS_WINDOW (15m),
// counted in App.RateLimitStore (see docs/auth.md).
//
// With ANODE_LOGIN_REQUIRED=true, as with Django's LoginRequiredMiddleware,
// every route requires a signed-in user unless it is marked with
// anode.Route.Public: anonymous visitors are redirected to the login URL as
// RequireLogin does. The login, logout and password reset views, static
// files, /healthz, /readyz and the login URL are public.
func Module() anode.Module { return module(&config{}) }

func module(c *config) anode.Module {
	tmpl, _ := fs.Sub(templates, "templates")
	return anode.Module{
		Name:       ModuleName,
		Models:     []any{User{}, Group{}, Permission{}, Token{}},
		Migrations: migrations.All,
		Settings: append([]anode.Setting{
			anode.Var(&c.loginURL, "ANODE_LOGIN_URL", "/accounts/login/", "where RequireLogin sends visitors who are not signed in"),
			anode.Var(&c.loginRedirect, "ANODE_LOGIN_REDIRECT_URL", "/", "where the login view goes after signing in when no safe next is given"),
			anode.Var(&c.logoutRedirect, "ANODE_LOGOUT_REDIRECT_URL", "/", "where the logout view goes after signing out"),
			anode.Var(&c.loginRequired, "ANODE_LOGIN_REQUIRED", false, "require a signed-in user on every route not marked Public"),
			anode.Var(&c.resetTimeout, "ANODE_PASSWORD_RESET_TIMEOUT", 72*time.Hour, "how long a password reset link works"),
			anode.Var(&c.resetBaseURL, "ANODE_PASSWORD_RESET_BASE_URL", "", "scheme and host of password reset links (https://example.com); empty: the request's, if its host is in ANODE_ALLOWED_HOSTS"),
		}, c.throttle.settings()...),
		Middleware:   []anode.Middleware{c.middleware},
		Routes:       c.routes,
		Templates:    tmpl,
		TemplatesDir: anode.SourceDir("templates"),
		PostMigrate:  createPermissions,
		Commands:     commands,
		Init: func(ctx context.Context, app *anode.App) error {
			c.app = app
			c.throttle.init(app.RateLimitStore(), c.now, app.Logger())
			app.TemplateVar(render.VarUser, func(r *http.Request) any {
				if u := UserFromRequest(r); u != nil {
					return u
				}
				return nil
			})
			return nil
		},
	}
}
