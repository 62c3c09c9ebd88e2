// Package postgres is the ORM's PostgreSQL dialect, over pgx's native
// connection pool (pgxpool).
//
// Importing the package registers the "postgres" and "postgresql" URL
// schemes with the ORM, the way database/sql drivers register themselves:
//
//	import _ "github.com/anode-go/anode/orm/postgres"
//
// # URLs
//
// The URL goes to pgxpool.ParseConfig, so every libpq parameter works
// (sslmode, search_path, connect_timeout, application_name, ...) as do pgx's
// own (pool_max_conns, default_query_exec_mode, ...):
//
//	postgres://app:secret@db:5432/app?sslmode=verify-full&search_path=tenant1&pool_max_conns=20
//
// orm.OpenOptions.MaxConns, when positive, overrides pool_max_conns. Without
// a connect_timeout, connecting gives up after 10 seconds. Statements are
// prepared once per connection and cached (pgx's default
// QueryExecModeCacheStatement); behind a transaction-mode PgBouncer, add
// default_query_exec_mode=exec or simple_protocol to the URL.
//
// # Values
//
// time.Time is stored as TIMESTAMPTZ with microsecond precision and always
// read back in UTC. time.Duration is stored as BIGINT nanoseconds, never as
// interval. []byte is BYTEA; a nil slice in a non-pointer field is stored as
// an empty BYTEA rather than NULL. A nil pointer is NULL.
//
// # Errors
//
// Every method returns constraint violations (SQLSTATE class 23) as
// *orm.IntegrityError carrying the constraint, table and columns the server
// reported; other errors pass through unchanged, so errors.As still finds
// *pgconn.PgError and errors.Is finds context errors.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/anode-go/anode/orm"
)

func init() {
	orm.RegisterDialect("postgres", open)
	orm.RegisterDialect("postgresql", open)
}

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout: pgx would otherwise wait on the operating system, which
// can take minutes for a host that drops packets.
const defaultConnectTimeout = 10 * time.Second

// Open opens a connection pool for a postgres:// or postgresql:// URL and
// checks, with one ping, that the server answers. It is what the ORM calls
// for those schemes; call it directly to wire a database explicitly. Errors
// never show a password from the URL.
func Open(ctx context.Context, rawURL string, o orm.OpenOptions) (orm.Database, orm.Dialect, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the URL, password included.
		return nil, nil, errors.New("postgres: database URL does not parse (want postgres://user:password@host:5432/dbname?sslmode=...)")
	}
	return open(ctx, u, o)
}

// open is the orm.Opener for the postgres and postgresql schemes.
func open(ctx context.Context, u *url.URL, o orm.OpenOptions) (orm.Database, orm.Dialect, error) {
	shown := redact(u)
	scheme := strings.ToLower(u.Scheme)
	if scheme != "postgres" && scheme != "postgresql" {
		return nil, nil, fmt.Errorf("postgres: database URL %s: scheme %q, want postgres:// or postgresql://", shown, u.Scheme)
	}
	cu := *u
	cu.Scheme = scheme // pgx recognises URLs by a lowercase prefix only
	cfg, err := pgxpool.ParseConfig(cu.String())
	if err != nil {
		return nil, nil, newOpenError(u, fmt.Sprintf("postgres: database URL %s", shown), err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(min(o.MaxConns, math.MaxInt32))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 && !u.Query().Has("connect_timeout") && os.Getenv("PGCONNECT_TIMEOUT") == "" {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	after := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		registerTypes(c.TypeMap())
		if after != nil {
			return after(ctx, c)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, newOpenError(u, fmt.Sprintf("postgres: open %s", shown), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, newOpenError(u, fmt.Sprintf("postgres: cannot reach %s", shown), err)
	}
	return newDatabase(pool, orm.NewQueryLog(o)), Dialect{}, nil
}

// openError is an Open failure whose text has every password from the URL
// masked, while Unwrap still reaches pgx's error for errors.Is and errors.As.
type openError struct {
	msg string
	err error
}

func newOpenError(u *url.URL, prefix string, err error) error {
	text := err.Error()
	// pgx quotes the whole URL again ("cannot parse `...`: reason"); prefix
	// has already shown it.
	if rest, ok := strings.CutPrefix(text, "cannot parse `"); ok {
		if _, reason, ok := strings.Cut(rest, "`: "); ok {
			text = reason
		}
	}
	msg := prefix + ": " + text
	for _, s := range secrets(u) {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return &openError{msg: msg, err: err}
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() error { return e.err }

// isPasswordParam reports whether a URL query parameter carries a secret.
// Case is ignored: libpq would not read passWORD, but it is still a password
// a message must not show.
func isPasswordParam(key string) bool {
	return strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")
}

// redact returns u for messages, with passwords in the user info and the
// query masked.
func redact(u *url.URL) string {
	c := *u
	q := c.Query()
	masked := false
	for k, vs := range q {
		if isPasswordParam(k) {
			for i := range vs {
				vs[i] = "xxxxx"
			}
			masked = true
		}
	}
	if masked {
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}

// secrets lists the passwords in u, raw and escaped, as they could appear in
// a driver's message.
func secrets(u *url.URL) []string {
	var raw []string
	if p, ok := u.User.Password(); ok && p != "" {
		raw = append(raw, p)
	}
	for k, vs := range u.Query() {
		if isPasswordParam(k) {
			for _, v := range vs {
				if v != "" {
					raw = append(raw, v)
				}
			}
		}
	}
	var out []string
	for _, s := range raw {
		out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
	}
	// Longest first, so a password is masked whole before any shorter
	// spelling of it.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
