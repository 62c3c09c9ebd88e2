package anode

import (
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/anode-go/anode/session"
	"github.com/anode-go/anode/session/migrations"
)

// sessionConfig is the sessions' configuration (ANODE_SESSION_*), read by
// New.
type sessionConfig struct {
	store, redisURL, cookieName string
	cacheName                   string
	secure                      bool
	idle, absolute              time.Duration
	closeStore                  func() error // the redis store's client, closed by App.Close
}

// configureSessions reads the ANODE_SESSION_* variables; a bad value is a
// configuration error naming the variable.
func (a *App) configureSessions() {
	c := &a.sessCfg
	settings := []Setting{
		Var(&c.store, "ANODE_SESSION_STORE", "", "where sessions are kept: db, cookie, cache or redis (default: db when the app has a database, else cookie)"),
		Var(&c.cacheName, "ANODE_SESSION_CACHE", DefaultCache, "the cache of the cache session store (a name of ANODE_CACHE_<NAME>_URL, or default)"),
		Var(&c.redisURL, "ANODE_SESSION_REDIS_URL", "", "the Redis server of the redis session store (default ANODE_CACHE_URL when it is a redis:// URL)"),
		Var(&c.cookieName, "ANODE_SESSION_COOKIE_NAME", "sessionid", "the session cookie's name"),
		Var(&c.secure, "ANODE_SESSION_COOKIE_SECURE", false, "set the session cookie's Secure flag on every response (it is always set on HTTPS requests)"),
		Var(&c.idle, "ANODE_SESSION_IDLE_TIMEOUT", 14*24*time.Hour, "end a session unused for this long"),
		Var(&c.absolute, "ANODE_SESSION_ABSOLUTE_TIMEOUT", 30*24*time.Hour, "end a session this long after it was created"),
	}
	for _, s := range settings {
		if err := s.apply(&a.cfg); err != nil {
			a.cfg.errs = append(a.cfg.errs, err)
		}
	}
	switch c.store {
	case "", "db", "cookie":
	case "cache":
		if _, ok := a.cfg.Caches[c.cacheName]; !ok && c.cacheName != DefaultCache {
			a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_SESSION_CACHE", Value: c.cacheName, Reason: "no such cache: set ANODE_CACHE_" + strings.ToUpper(c.cacheName) + "_URL, or use default"})
		}
	case "redis":
		if c.redisURL == "" {
			c.redisURL = a.cfg.CacheURL
		}
		if _, err := redis.ParseURL(c.redisURL); err != nil {
			// Neither the value nor go-redis's message (which may quote
			// it) is shown: the URL may hold a password.
			a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_SESSION_REDIS_URL", Reason: "the redis session store needs a redis://[user:password@]host:port/db URL here or in ANODE_CACHE_URL (the value is not shown: it may hold a password)"})
		}
	default:
		a.cfg.errs = append(a.cfg.errs, &ConfigError{Var: "ANODE_SESSION_STORE", Value: c.store, Reason: "want db, cookie, cache or redis"})
	}
}

// SessionsModule returns the contrib module "sessions": the database
// session store's model (session.Row, table anode_session), its
// migrations and the clearsessions command. The App installs it by itself
// when sessions are kept in the database; installing it explicitly (for
// example to order it among other modules) is also fine.
func SessionsModule() Module {
	return Module{
		Name:       session.ModuleName,
		Models:     []any{session.Row{}},
		Migrations: migrations.All,
		Commands: func(app *App) []*cobra.Command {
			return []*cobra.Command{app.clearsessionsCommand()}
		},
	}
}

// installSessions installs the sessions module when the database store is
// chosen, or by default when the app has a database. Start calls it before
// opening the database.
func (a *App) installSessions() {
	if a.module(session.ModuleName) != nil {
		return
	}
	switch a.sessCfg.store {
	case "db":
	case "":
		if a.cfg.DatabaseURL == "" && len(a.registry.Models()) == 0 {
			return // no database: the cookie store needs none
		}
	default:
		return
	}
	a.Install(SessionsModule())
}

// newSessions builds the session manager (finalize). Like messages, the App
// keeps no middleware for sessions: a request's Session is made when
// session.FromRequest first asks for it (requestState.Value), and the
// response writer saves it before the headers go out.
func (a *App) newSessions() *session.Manager {
	c := a.sessCfg
	var store session.Store
	switch {
	case c.store == "redis":
		rs, err := session.OpenRedisStore(c.redisURL, "")
		if err == nil {
			store = rs
			a.sessCfg.closeStore = rs.Close // App.Close
		}
	case c.store == "cache":
		// Through the cache framework, strict: a cache failure is an
		// error, never a silently empty session.
		store = session.NewCacheStore(a.NamedCache(c.cacheName))
	case a.db != nil && a.module(session.ModuleName) != nil && c.store != "cookie":
		store = session.NewDBStore(a.db)
	case c.store == "db":
		a.logger.Error("sessions: ANODE_SESSION_STORE=db but the app has no database open; using the cookie store")
	}
	if store == nil {
		key, fallbacks := a.signingKeys("anode.session.cookie")
		cs := session.NewCookieStore(key, fallbacks...)
		store = cs
	}
	return session.NewManager(session.Options{
		Store:           store,
		CookieName:      c.cookieName,
		Secure:          c.secure,
		IdleTimeout:     c.idle,
		AbsoluteTimeout: c.absolute,
		Logger:          a.logger,
	})
}

// Sessions returns the App's session manager (for
// Manager.EndUserSessions), or nil before the App is finalized.
func (a *App) Sessions() *session.Manager { return a.sessions }

func (a *App) clearsessionsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "clearsessions",
		Short: "Delete expired sessions from the database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.db == nil {
				return fmt.Errorf("clearsessions: the app has no database")
			}
			n, err := session.NewDBStore(a.db).ClearExpired(cmd.Context())
			if err != nil {
				return fmt.Errorf("clearsessions: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deleted %d expired sessions.\n", n)
			return nil
		},
	}
}

// session returns the request's session, making it on first use; the
// response writer commits it before the headers go out.
func (st *requestState) session() *session.Session {
	if s := st.sess.Load(); s != nil {
		return s
	}
	if st.app.sessions == nil {
		return nil
	}
	s := st.app.sessions.NewSession(st, st.req, &st.rw)
	if st.sess.CompareAndSwap(nil, s) {
		return s
	}
	return st.sess.Load()
}

// sessionChecks are the deploy checks for sessions (check --deploy), like
// Django's SESSION_COOKIE_SECURE warning.
func (a *App) sessionChecks() []Finding {
	if a.sessCfg.secure || a.cfg.TLSCertFile != "" {
		return nil
	}
	return []Finding{{ID: "anode.W020", Level: CheckWarning,
		Message: "the session cookie is sent without Secure on plain-HTTP requests (ANODE_SESSION_COOKIE_SECURE is false)",
		Hint:    "behind a TLS-terminating proxy, set ANODE_SESSION_COOKIE_SECURE=true so the cookie never travels over plain HTTP"}}
}
