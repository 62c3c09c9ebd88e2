package anode

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/anode-go/anode/internal/bytesize"
	"github.com/anode-go/anode/security"
)

// Config is the typed configuration of an App. ConfigFromEnv fills it from ANODE_*
// environment variables; a Config built by hand is equally valid, and its zero value
// means "production with every default" (which still needs a SecretKey to start).
//
// Durations are Go duration strings in the environment ("30s", "2m"); sizes are bytes
// with an optional KB/MB/GB (or KiB/MiB/GiB) suffix; lists are comma-separated.
type Config struct {
	// Debug turns on the debug error page, readable logs, the .env file, serving
	// static files from disk and `serve --reload`. ANODE_DEBUG. Default false.
	Debug bool
	// Addr is the address serve listens on. ANODE_ADDR. Default ":8000".
	Addr string
	// SecretKey signs cookies and tokens. ANODE_SECRET_KEY. Required unless Debug,
	// where a random per-process key is used and a warning logged.
	SecretKey string
	// SecretKeyFallbacks are earlier secret keys, newest first: values they
	// signed (sessions, messages, cursors, reset tokens, app values) still
	// verify, and new ones are signed with SecretKey only. Rotate by moving
	// the old key here; drop it once its values have expired.
	// ANODE_SECRET_KEY_FALLBACKS (comma-separated).
	SecretKeyFallbacks []string
	// AllowedHosts lists the host names the app answers to, with Django's
	// rules: "example.com", ".example.com" (the domain and its subdomains),
	// "*" (any: check --deploy warns). Any other Host is a 400 before any
	// middleware or handler runs (the health endpoints excepted).
	// ANODE_ALLOWED_HOSTS. Empty allows nothing, except in debug, where
	// localhost names are allowed when the list is empty.
	AllowedHosts []string
	// SecurityHeaders are the security headers of every response (docs/security.md);
	// the zero Policy is the secure default. ANODE_CSP ("off" for none),
	// ANODE_HSTS_SECONDS (0 for none), ANODE_HSTS_INCLUDE_SUBDOMAINS,
	// ANODE_HSTS_PRELOAD.
	SecurityHeaders security.HeaderPolicy
	// HTTPSRedirect redirects plain-HTTP requests to HTTPS (301 for GET and
	// HEAD, 308 otherwise), except the health endpoints. ANODE_HTTPS_REDIRECT.
	// Default false.
	HTTPSRedirect bool
	// DatabaseURL selects the database. ANODE_DATABASE_URL.
	DatabaseURL string
	// CacheURL selects the default cache's store (docs/cache.md):
	// memory://?size=64MB, redis://host:6379/0, memcached://h1:11211,h2:11211,
	// dummy://. ANODE_CACHE_URL. Default memory://.
	CacheURL string
	// Caches are more caches by name (lower case), each a URL like
	// CacheURL; App.NamedCache returns them. ANODE_CACHE_<NAME>_URL.
	Caches map[string]string
	// BrokerURL selects the realtime broker. ANODE_BROKER_URL.
	BrokerURL string
	// EmailURL selects the email backend (docs/mail.md): console://,
	// memory://, smtp://user:pass@host:587?tls=starttls or smtps://...
	// ANODE_EMAIL_URL. Default console:// in debug, else smtp://localhost:25.
	EmailURL string
	// DefaultFromEmail is the sender of mail that names none.
	// ANODE_DEFAULT_FROM_EMAIL. Default "webmaster@localhost".
	DefaultFromEmail string
	// DatabaseMaxConns caps the database pool (for SQLite, its reader
	// connections). ANODE_DATABASE_MAX_CONNS. Default: the dialect's.
	DatabaseMaxConns int
	// DatabaseSlowQuery is the duration from which a query is logged as a
	// warning. ANODE_DATABASE_SLOW_QUERY. Default 500ms.
	DatabaseSlowQuery time.Duration
	// DataDir holds files the app writes (the SQLite database by default).
	// ANODE_DATA_DIR. Default "data".
	DataDir string
	// LogLevel is the minimum level logged. ANODE_LOG_LEVEL (debug, info, warn,
	// error). Default info.
	LogLevel slog.Level
	// TrustedProxies are the addresses (IPs or CIDR prefixes) whose X-Forwarded-For,
	// X-Forwarded-Proto, X-Forwarded-Host and X-Request-ID headers are believed.
	// ANODE_TRUSTED_PROXIES. Default none.
	TrustedProxies []netip.Prefix

	// MaxBodyBytes caps request bodies (413 beyond it). ANODE_MAX_BODY_BYTES.
	// Default 10 MiB; routes may override it.
	MaxBodyBytes int64
	// AppendSlash redirects GET and HEAD requests for /path to /path/ when only the
	// latter has a route, like Django's APPEND_SLASH. ANODE_APPEND_SLASH. Default true.
	AppendSlash *bool
	// Compress turns on gzip/zstd response compression. ANODE_COMPRESS. Default true.
	Compress *bool

	// ReadHeaderTimeout bounds reading request headers. ANODE_READ_HEADER_TIMEOUT. Default 5s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request. ANODE_READ_TIMEOUT. Default 60s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response; streaming routes are exempt.
	// ANODE_WRITE_TIMEOUT. Default 60s.
	WriteTimeout time.Duration
	// IdleTimeout bounds keep-alive idleness. ANODE_IDLE_TIMEOUT. Default 120s.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps request headers (431 beyond it). ANODE_MAX_HEADER_BYTES. Default 64 KiB.
	MaxHeaderBytes int
	// ShutdownTimeout is how long in-flight requests may take to finish after
	// SIGTERM. ANODE_SHUTDOWN_TIMEOUT. Default 25s.
	ShutdownTimeout time.Duration
	// ShutdownDelay is how long readiness reports 503 before the listener closes,
	// so load balancers stop sending traffic first. ANODE_SHUTDOWN_DELAY. Default 0.
	ShutdownDelay time.Duration
	// TLSCertFile and TLSKeyFile turn on HTTPS (and HTTP/2). ANODE_TLS_CERT_FILE,
	// ANODE_TLS_KEY_FILE; both or neither.
	TLSCertFile, TLSKeyFile string

	// CSRF turns on cross-site request forgery protection (docs/csrf.md).
	// ANODE_CSRF. Default true; check --deploy warns when it is off.
	CSRF *bool
	// CSRFTrustedOrigins are origins ("https://app.example.com") whose
	// cross-origin unsafe requests pass the Origin check (they still need a
	// token). ANODE_CSRF_TRUSTED_ORIGINS.
	CSRFTrustedOrigins []string

	// env is the environment the Config was read from (process environment plus
	// .env in debug); module settings are read from it too.
	env map[string]string
	// errs are the problems found while reading the environment.
	errs []error
	// warnings are logged when the App starts.
	warnings []string
}

// ConfigError reports an invalid configuration value. Its message names the
// variable and the accepted values.
type ConfigError struct {
	Var    string // the environment variable, e.g. "ANODE_ADDR"
	Value  string // the rejected value ("" when missing)
	Reason string // what is wrong and what is accepted
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("anode: %s: %s", e.Var, e.Reason)
	}
	return fmt.Sprintf("anode: %s=%q: %s", e.Var, e.Value, e.Reason)
}

// ConfigFromEnv reads the configuration from ANODE_* environment variables and, when
// the result is in debug mode, from a .env file in the working directory (real
// environment variables win over the file). It never fails: problems are kept and
// returned by Config.Err, and App.Run refuses to start while there are any.
func ConfigFromEnv() Config {
	env := environ(os.Environ())
	c := LoadConfig(env, ".env")
	return c
}

// LoadConfig is ConfigFromEnv over an explicit environment (a map of variable to
// value) and .env path ("" for none). Tests use it to build configurations without
// touching the process environment.
func LoadConfig(env map[string]string, dotenv string) Config {
	var c Config
	if dotenv != "" {
		if file, err := readDotenv(dotenv); err == nil {
			merged := make(map[string]string, len(env)+len(file))
			for k, v := range file {
				merged[k] = v
			}
			for k, v := range env {
				merged[k] = v
			}
			if debug, _ := strconv.ParseBool(merged["ANODE_DEBUG"]); debug {
				env = merged
			} else if _, set := file["ANODE_DEBUG"]; set || len(file) > 0 {
				c.warnings = append(c.warnings, fmt.Sprintf("%s ignored: it is read only in debug (ANODE_DEBUG=true)", dotenv))
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			c.errs = append(c.errs, fmt.Errorf("anode: reading %s: %w", dotenv, err))
		}
	}
	c.env = env
	p := envParser{env: env, errs: &c.errs}
	c.Debug = p.bool("ANODE_DEBUG", false)
	c.Addr = p.str("ANODE_ADDR", ":8000")
	c.SecretKey = p.str("ANODE_SECRET_KEY", "")
	c.SecretKeyFallbacks = p.list("ANODE_SECRET_KEY_FALLBACKS")
	c.AllowedHosts = p.list("ANODE_ALLOWED_HOSTS")
	c.SecurityHeaders.CSP = p.str("ANODE_CSP", "")
	c.SecurityHeaders.HSTS = p.hsts()
	c.HTTPSRedirect = p.bool("ANODE_HTTPS_REDIRECT", false)
	c.DatabaseURL = p.str("ANODE_DATABASE_URL", "")
	c.CacheURL = p.str("ANODE_CACHE_URL", "")
	c.Caches = namedCacheURLs(env)
	c.BrokerURL = p.str("ANODE_BROKER_URL", "")
	c.EmailURL = p.str("ANODE_EMAIL_URL", "")
	c.DefaultFromEmail = p.str("ANODE_DEFAULT_FROM_EMAIL", "")
	c.DatabaseMaxConns = p.int("ANODE_DATABASE_MAX_CONNS", 0)
	c.DatabaseSlowQuery = p.duration("ANODE_DATABASE_SLOW_QUERY", 0)
	c.DataDir = p.str("ANODE_DATA_DIR", "data")
	c.LogLevel = p.level("ANODE_LOG_LEVEL")
	c.TrustedProxies = p.prefixes("ANODE_TRUSTED_PROXIES")
	c.MaxBodyBytes = p.size("ANODE_MAX_BODY_BYTES", defaultMaxBody)
	appendSlash, compress := p.bool("ANODE_APPEND_SLASH", true), p.bool("ANODE_COMPRESS", true)
	c.AppendSlash, c.Compress = &appendSlash, &compress
	c.ReadHeaderTimeout = p.duration("ANODE_READ_HEADER_TIMEOUT", 5*time.Second)
	c.ReadTimeout = p.duration("ANODE_READ_TIMEOUT", 60*time.Second)
	c.WriteTimeout = p.duration("ANODE_WRITE_TIMEOUT", 60*time.Second)
	c.IdleTimeout = p.duration("ANODE_IDLE_TIMEOUT", 120*time.Second)
	c.MaxHeaderBytes = int(p.size("ANODE_MAX_HEADER_BYTES", 64<<10))
	c.ShutdownTimeout = p.duration("ANODE_SHUTDOWN_TIMEOUT", 25*time.Second)
	c.ShutdownDelay = p.duration("ANODE_SHUTDOWN_DELAY", 0)
	c.TLSCertFile = p.str("ANODE_TLS_CERT_FILE", "")
	c.TLSKeyFile = p.str("ANODE_TLS_KEY_FILE", "")
	csrf := p.bool("ANODE_CSRF", true)
	c.CSRF, c.CSRFTrustedOrigins = &csrf, p.list("ANODE_CSRF_TRUSTED_ORIGINS")
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		c.errs = append(c.errs, &ConfigError{Var: "ANODE_TLS_CERT_FILE", Reason: "ANODE_TLS_CERT_FILE and ANODE_TLS_KEY_FILE must be set together"})
	}
	return c
}

// Err returns the problems found while reading the configuration, joined, or nil.
func (c *Config) Err() error { return errors.Join(c.errs...) }

// Lookup returns the raw value of an environment variable as the Config saw it
// (including a debug .env file). Module settings use it.
func (c *Config) Lookup(name string) (string, bool) {
	if c.env == nil {
		return os.LookupEnv(name)
	}
	v, ok := c.env[name]
	return v, ok
}

const defaultMaxBody = 10 << 20

// normalize fills defaults a hand-built Config left zero and validates it. It is
// called once by New.
func (c *Config) normalize() {
	if c.Addr == "" {
		c.Addr = ":8000"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = defaultMaxBody
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.ReadTimeout, 60*time.Second)
	def(&c.WriteTimeout, 60*time.Second)
	def(&c.IdleTimeout, 120*time.Second)
	def(&c.ShutdownTimeout, 25*time.Second)
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = 64 << 10
	}
	if c.AppendSlash == nil {
		t := true
		c.AppendSlash = &t
	}
	if c.Compress == nil {
		t := true
		c.Compress = &t
	}
	if c.CSRF == nil {
		t := true
		c.CSRF = &t
	}
	if c.SecretKey == "" {
		if c.Debug {
			b := make([]byte, 32)
			rand.Read(b)
			c.SecretKey = hex.EncodeToString(b)
			c.warnings = append(c.warnings, "ANODE_SECRET_KEY is not set: using a random key for this process (sessions and signed values will not survive a restart)")
		} else {
			c.errs = append(c.errs, &ConfigError{Var: "ANODE_SECRET_KEY", Reason: "required when ANODE_DEBUG is not true (use at least 32 random bytes, e.g. `openssl rand -hex 32`)"})
		}
	}
	if c.Debug && len(c.AllowedHosts) == 0 {
		c.AllowedHosts = []string{"localhost", "127.0.0.1", "[::1]"}
	}
	c.normalizeMail()
}

// environ turns os.Environ-style pairs into a map.
func environ(pairs []string) map[string]string {
	m := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// envParser reads typed values, recording a ConfigError per bad variable.
type envParser struct {
	env  map[string]string
	errs *[]error
}

func (p envParser) fail(name, value, reason string) {
	*p.errs = append(*p.errs, &ConfigError{Var: name, Value: value, Reason: reason})
}

func (p envParser) str(name, def string) string {
	if v, ok := p.env[name]; ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (p envParser) bool(name string, def bool) bool {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	switch strings.ToLower(v) {
	case "1", "t", "true", "yes", "on":
		return true
	case "0", "f", "false", "no", "off":
		return false
	}
	p.fail(name, v, "want true or false (also 1/0, yes/no, on/off)")
	return def
}

func (p envParser) int(name string, def int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		p.fail(name, v, "want a positive whole number")
		return def
	}
	return n
}

func (p envParser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		p.fail(name, v, `want a non-negative Go duration such as "500ms", "30s" or "2m"`)
		return def
	}
	return d
}

func (p envParser) size(name string, def int64) int64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := bytesize.Parse(v, 1<<62)
	if err != nil {
		p.fail(name, v, `want a positive size in bytes, optionally with a unit: "512KB", "10MB", "1GiB"`)
		return def
	}
	return n
}

func (p envParser) list(name string) []string {
	v := p.str(name, "")
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// hsts builds Strict-Transport-Security from ANODE_HSTS_SECONDS (0: off),
// ANODE_HSTS_INCLUDE_SUBDOMAINS and ANODE_HSTS_PRELOAD; "" (the default)
// when none is set.
func (p envParser) hsts() string {
	secs, sub, pre := p.str("ANODE_HSTS_SECONDS", ""), p.str("ANODE_HSTS_INCLUDE_SUBDOMAINS", ""), p.str("ANODE_HSTS_PRELOAD", "")
	if secs == "" && sub == "" && pre == "" {
		return ""
	}
	n := int64(31536000)
	if secs != "" {
		v, err := strconv.ParseInt(secs, 10, 64)
		if err != nil || v < 0 {
			p.fail("ANODE_HSTS_SECONDS", secs, "want a whole number of seconds, 0 to send no Strict-Transport-Security")
			return ""
		}
		n = v
	}
	if n == 0 {
		return security.Off
	}
	v := "max-age=" + strconv.FormatInt(n, 10)
	if p.bool("ANODE_HSTS_INCLUDE_SUBDOMAINS", true) {
		v += "; includeSubDomains"
	}
	if p.bool("ANODE_HSTS_PRELOAD", false) {
		v += "; preload"
	}
	return v
}

func (p envParser) level(name string) slog.Level {
	v := p.str(name, "info")
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, v, "want one of debug, info, warn, error")
		return slog.LevelInfo
	}
	return l
}

func (p envParser) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range p.list(name) {
		pfx, err := parsePrefix(s)
		if err != nil {
			p.fail(name, s, "want IP addresses or CIDR prefixes, comma-separated (e.g. 10.0.0.0/8,127.0.0.1)")
			continue
		}
		out = append(out, pfx)
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
