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
	"fmt"
	"io/fs"
	"net/http"
	"reflect"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth/migrations"
	"github.com/anode-go/anode/migrate"
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
	users          userStore        // the user model: auth.User or the application's (ModuleFor)
	custom         bool             // users is an application's model
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
// ANODE_LOGIN_ATTEMPTS_PER_IP (100), ANODE_LOGIN_ATTEMPTS_WINDOW (15m),
// ANODE_PASSWORD_RESET_ATTEMPTS (5 per email address),
// ANODE_PASSWORD_RESET_ATTEMPTS_PER_IP (20) and
// ANODE_PASSWORD_RESET_ATTEMPTS_WINDOW (1h), counted in
// App.RateLimitStore; a count under 1 or a window under a second stops
// start-up (see docs/auth.md). ModuleFor installs an application's own
// user model instead of User.
//
// With ANODE_LOGIN_REQUIRED=true, as with Django's LoginRequiredMiddleware,
// every route requires a signed-in user unless it is marked with
// anode.Route.Public: anonymous visitors are redirected to the login URL as
// RequireLogin does. The login, logout and password reset views, static
// files, /healthz, /readyz and the login URL are public.
func Module() anode.Module { return module(&config{}) }

// ModuleFor returns the auth module with the application's own user model
// T, a struct that embeds User, in place of User — Django's
// AUTH_USER_MODEL:
//
//	// package accounts
//	type User struct {
//		auth.User        // username, password, flags, groups, permissions …
//		Bio       string `anode:"max=500"`
//	}
//
//	app.Install(auth.ModuleFor[accounts.User](authmigrations.All, anode.SourceDir("accounts")), …)
//
// T must be named User: it is registered as a model of the auth module,
// so its label is still "auth.User" and its table "auth_user" (unless its
// Meta says otherwise), and other modules' migrations that refer to
// auth.User apply unchanged. ModuleFor panics for another name. Foreign
// keys to auth.User — auth.Token's, and any module's — refer to T (see orm: a foreign key to a
// struct embedded in a model). Everything else works as with Module:
// sessions, Authenticate, Login, permissions, API tokens, password
// change and reset, RequireLogin, RequirePerm and the commands, all on
// T's rows; UserFromContext returns the embedded *User, UserAs[T] the
// whole *T.
//
// The auth module's migrations then describe T, so the application owns
// them: migrations is the list of a migrations package that makemigrations
// writes into dir/migrations (dir is usually anode.SourceDir of the
// package declaring T), empty in a new project. A project moving from
// auth.User copies auth/migrations' files into that package first;
// makemigrations then adds T's own fields as the next migration (see
// docs/auth.md).
func ModuleFor[T any, PT UserModel[T]](migrations []*migrate.Migration, dir string) anode.Module {
	t := reflect.TypeFor[T]()
	if t.Name() != "User" {
		panic(fmt.Sprintf("auth: ModuleFor[%s]: name the user model type User (%s.User): its label stays auth.User and its table auth_user, so the migrations of other modules that refer to auth.User keep working", t, t.PkgPath()))
	}
	c := &config{users: users[T, PT]{}, custom: t != reflect.TypeFor[User]()}
	m := module(c)
	if c.custom {
		var t T
		m.Models[0] = t
		m.Migrations = migrations
		m.Dir = dir
	}
	return m
}

func module(c *config) anode.Module {
	tmpl, _ := fs.Sub(templates, "templates")
	if c.users == nil {
		c.users = defaultUsers
	}
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
			if err := c.throttle.validate(); err != nil {
				return err
			}
			if c.custom {
				installed.Store(app.Registry(), c.users)
			}
			c.throttle.init(app.RateLimitStore(), c.now, app.Logger())
			app.TemplateVar(render.VarUser, func(r *http.Request) any {
				u, _ := current(r.Context())
				if u == nil {
					return nil
				}
				if h := holderFrom(r.Context()); c.custom && h != nil {
					h.mu.Lock()
					obj := h.obj
					h.mu.Unlock()
					if obj != nil {
						return obj // the application's model: .User.Bio as well as .User.Username
					}
				}
				return u
			})
			return nil
		},
	}
}
