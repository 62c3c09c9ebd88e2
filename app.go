package anode

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/anode-go/anode/internal/compress"
	"github.com/anode-go/anode/internal/static"
	"github.com/anode-go/anode/messages"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/realtime"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// App is an Anode application: its configuration, logger, router, installed
// modules, commands and server lifecycle. Build one with New, install modules,
// then call Run (the binary becomes its own manage.py) or use it as an
// http.Handler. Configure it before serving; serving is safe for concurrent use.
type App struct {
	cfg     Config
	logger  *slog.Logger
	router  *Router
	errors  *errorRenderer
	modules []*Module
	static  *static.Server
	tmpl    templateState
	mws     []Middleware

	registry *orm.Registry
	msgs     *messages.Manager // flash messages (messages.go)
	sessions *session.Manager  // sessions (sessions.go)
	sessCfg  sessionConfig
	sec      securityState  // security headers, allowed hosts (security.go)
	csrf     *security.CSRF // nil when ANODE_CSRF=false (csrf.go)
	csrfCfg  csrfConfig
	mail     mailState     // App.Mailer (mail.go)
	limits   limitState    // App.RateLimitStore (ratelimit.go)
	caches   cacheState    // App.Cache (cache.go)
	rt       realtimeState // App.Realtime (realtime.go)
	db       *orm.DB

	// serving is set by the serve command: Start then applies pending
	// migrations (in debug, or when serveMigrate) before the Init hooks.
	serving, serveMigrate bool

	readyChecks []readyCheck
	shutdown    []func(context.Context) error
	checks      []Check
	ready       atomic.Bool

	idPrefix string
	idSeq    atomic.Uint64

	finalizeOnce sync.Once
	handler      http.Handler // compression, then serveInner
	inner        http.Handler // App.Use and module middleware, then the router
	startOnce    sync.Once
	startErr     error
	logOutput    *logWriter
}

type readyCheck struct {
	name  string
	check func(context.Context) error
}

// New returns an App for cfg. Problems in cfg (see Config.Err) are reported by
// Run and Start; New itself never fails.
func New(cfg Config) *App {
	cfg.normalize()
	a := &App{cfg: cfg, logOutput: &logWriter{out: os.Stderr}}
	a.logger = newLogger(a.logOutput, cfg)
	a.errors = &errorRenderer{debug: cfg.Debug, logger: a.logger}
	a.router = NewRouter()
	a.router.table.app = a
	a.registry = orm.NewRegistry()
	a.configureSessions()
	a.configureSecurity()
	a.openCaches()
	a.configureRateLimit()
	a.configureCSRF()
	var b [5]byte
	rand.Read(b[:])
	a.idPrefix = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])) + "-"
	return a
}

func newLogger(w *logWriter, cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.Debug {
		return slog.New(flushingHandler{slog.NewTextHandler(w, opts), w})
	}
	return slog.New(flushingHandler{slog.NewJSONHandler(w, opts), w})
}

// SetLogOutput sends the App's logs to w (default os.Stderr), keeping the format
// and level from the Config. Loggers already handed out (App.Logger) follow.
func (a *App) SetLogOutput(w io.Writer) {
	a.logOutput.setOutput(w)
}

// Config returns the App's configuration (with defaults filled in).
func (a *App) Config() Config { return a.cfg }

// Logger returns the App's structured logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// Router returns the App's root router.
func (a *App) Router() *Router { return a.router }

// RouteFor returns the route that serves r, or nil when none does (a 404 or
// 405, or a redirect the router makes itself, such as APPEND_SLASH's).
// Middleware, which runs before routing, uses it to read the route's
// options, as auth's login-required mode reads Route.Public. It matches r
// against the routing table once more, so call it only when needed.
func (a *App) RouteFor(r *http.Request) *Route {
	h, _ := a.router.mux.Handler(r)
	rt, _ := h.(*Route)
	return rt
}

// Modules returns the installed modules in order.
func (a *App) Modules() []*Module { return a.modules }

// Use adds middleware around the whole router (every request, matched or not),
// inside the built-in request ID, logging, recovery and compression layers. Call
// it before serving: once the App has started, Use panics. Modules add theirs
// through Module.Middleware.
func (a *App) Use(mw ...Middleware) {
	if a.handler != nil {
		panic(fmt.Sprintf("anode: App.Use called at %s after the app started; add middleware before Start, Run or Handler", callSite()))
	}
	a.mws = append(a.mws, mw...)
}

// Install adds modules in order: it reads their settings and registers their
// routes. Installing two modules with the same name panics.
func (a *App) Install(mods ...Module) {
	for i := range mods {
		m := mods[i]
		if m.Name == "" {
			panic(fmt.Sprintf("anode: Install at %s: module %d has no Name", callSite(), i))
		}
		for _, prev := range a.modules {
			if prev.Name == m.Name {
				panic(fmt.Sprintf("anode: Install at %s: module %q is already installed", callSite(), m.Name))
			}
		}
		for _, s := range m.Settings {
			if err := s.apply(&a.cfg); err != nil {
				a.cfg.errs = append(a.cfg.errs, err)
			}
		}
		if err := a.registry.Register(m.Name, m.Models...); err != nil {
			a.cfg.errs = append(a.cfg.errs, err)
		}
		a.modules = append(a.modules, &m)
		a.mws = append(a.mws, m.Middleware...)
		if m.Routes != nil {
			m.Routes(a.router)
		}
	}
}

// URL returns the path of the named route with args filling its wildcards in
// order: app.URL("poll-detail", 7) is "/polls/7/" for "GET /polls/{id}/". An
// unknown name or a wrong number of arguments is a *URLError.
func (a *App) URL(name string, args ...any) (string, error) {
	return a.router.table.reverse(name, args)
}

// StaticURL returns the public URL of a static file, content-hashed outside
// debug: "css/site.css" gives "/static/css/site.3f2a9c1e.css".
func (a *App) StaticURL(name string) (string, error) {
	a.finalize()
	if a.static == nil {
		return "", fmt.Errorf("anode: static %q: %w", name, static.ErrNotFound)
	}
	return a.static.URL(name)
}

// AddReadyCheck registers a readiness check, run by /readyz; a module's Init
// typically adds one (a database ping). The name appears in the response.
func (a *App) AddReadyCheck(name string, check func(ctx context.Context) error) {
	a.readyChecks = append(a.readyChecks, readyCheck{name, check})
}

// OnShutdown registers fn to run when graceful shutdown starts, concurrently
// with the draining of ordinary requests: close long-lived connections
// (WebSockets, SSE) there. Its context ends at the drain deadline.
func (a *App) OnShutdown(fn func(ctx context.Context) error) {
	a.shutdown = append(a.shutdown, fn)
}

// Start validates the configuration and runs every module's Init hook, once.
// Run calls it before any command; tests call it through anodetest.
func (a *App) Start(ctx context.Context) error {
	a.startOnce.Do(func() {
		if err := a.cfg.Err(); err != nil {
			a.startErr = err
			return
		}
		for _, w := range a.cfg.warnings {
			a.logger.Warn(w)
		}
		a.installSessions()
		if err := a.openDatabase(ctx); err != nil {
			a.startErr = err
			return
		}
		if a.serving {
			if err := a.migrateOnServe(ctx, a.serveMigrate); err != nil {
				a.startErr = err
				return
			}
		}
		for _, m := range a.modules {
			if m.Init == nil {
				continue
			}
			if err := m.Init(ctx, a); err != nil {
				a.startErr = fmt.Errorf("anode: module %q init: %w", m.Name, err)
				return
			}
		}
		// An Init hook may read settings of its own (App.Realtime reads
		// ANODE_BROKER_URL on its first call): their errors stop start-up
		// as the App's own do.
		if err := a.cfg.Err(); err != nil {
			a.startErr = err
			return
		}
		a.finalize()
	})
	return a.startErr
}

// Handler returns the App as an http.Handler with the full middleware stack. It
// finishes route setup on first use; register routes before calling it.
func (a *App) Handler() http.Handler {
	a.finalize()
	return a
}

// finalize builds the static file server, the health and not-found routes and
// the middleware chain. It runs once.
func (a *App) finalize() {
	a.finalizeOnce.Do(func() {
		a.initStatic()
		a.initTemplates()
		a.registerHealth()
		t := a.router.table
		t.addSlashRedirects()
		if !t.patterns["/"] {
			t.mux.Handle("/", http.HandlerFunc(t.miss))
		}
		a.msgs = a.newMessages()
		a.sessions = a.newSessions()
		var h http.Handler = a.router
		for i := len(a.mws) - 1; i >= 0; i-- {
			h = a.mws[i](h)
		}
		a.inner = h
		h = http.HandlerFunc(a.serveInner)
		if *a.cfg.Compress {
			h = compress.Middleware(compress.Options{VarySlot: func(r *http.Request) *[1]string {
				if st := stateFrom(r.Context()); st != nil {
					return &st.varyHeader
				}
				return nil
			}})(h)
		}
		a.handler = h
		a.ready.Store(true)
	})
}

// ServeHTTP serves a request through the App: it assigns the request ID and
// client IP, compresses the response, recovers panics, writes the access log
// line and dispatches to the middleware and router.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.finalize()
	st := &requestState{Context: r.Context(), app: a}
	st.rw.ResponseWriter, st.rw.state = w, st
	st.id = ""
	st.secure, st.host = r.TLS != nil, r.Host
	if len(a.cfg.TrustedProxies) > 0 {
		// Only a trusted proxy's headers are read; without any, the peer is the
		// client and its address is parsed only if something asks (ClientIP).
		peer := remoteAddr(r)
		st.clientIP, st.ipKnown = peer, true
		if a.trusted(peer) {
			st.clientIP = a.forwardedFor(r, peer)
			forwardedProto(r, st)
			if id := r.Header.Get("X-Request-ID"); validRequestID(id) {
				st.id = id
			}
		}
	}
	if st.id == "" {
		st.id = a.newRequestID(st)
	}
	st.idHeader[0] = st.id
	h := w.Header()
	h["X-Request-Id"] = st.idHeader[:] // canonical key; no allocation
	st.sec.Start(h, a.sec.headers, st.secure)
	r = r.WithContext(st)
	st.req = r
	start := time.Now()
	defer a.logRequest(r, st, start)
	a.handler.ServeHTTP(w, r)
}

// serveInner runs inside the compression layer, so the recording writer sees
// exactly what handlers write and a panic is rendered while the compressor is
// still open.
func (a *App) serveInner(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	st.rw.ResponseWriter = w
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			pe, ok := p.(*PanicError) // re-raised from a Timeout goroutine
			if !ok {
				pe = &PanicError{Value: p, Stack: stack()}
			}
			a.errors.render(&st.rw, r, pe)
		}
	}()
	if !a.guard(&st.rw, r, st) {
		return
	}
	a.inner.ServeHTTP(&st.rw, r)
	st.rw.commitLazyState() // the handler wrote nothing: net/http sends the headers after this
}

// newRequestID builds the next request ID in st's own buffer, so the ID
// costs no allocation of its own: the string lives as long as the state.
func (a *App) newRequestID(st *requestState) string {
	b := append(st.idBuf[:0], a.idPrefix...)
	b = strconv.AppendUint(b, a.idSeq.Add(1), 36)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// validRequestID accepts IDs a proxy may send: 1-128 printable, unspaced chars.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, _ := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap()
	}
	return ap.Addr().Unmap()
}

func (a *App) trusted(ip netip.Addr) bool {
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right, skipping trusted proxies;
// the first untrusted address is the client. Malformed entries stop the walk at
// the last trusted hop, so a client cannot forge its way past a proxy.
func (a *App) forwardedFor(r *http.Request, peer netip.Addr) netip.Addr {
	values := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(values) - 1; i >= 0; i-- {
		parts := strings.Split(values[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			ip, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client
			}
			client = ip.Unmap()
			if !a.trusted(client) {
				return client
			}
		}
	}
	return client
}

func (a *App) initStatic() {
	var sources []static.Source
	for _, m := range a.modules {
		if m.Static != nil {
			sources = append(sources, static.Source{Name: m.Name, FS: m.Static, Dir: m.StaticDir})
		}
	}
	// Built in, last so that any module may override them: the realtime
	// JavaScript client (/static/anode.js).
	sources = append(sources, static.Source{Name: "anode", FS: realtime.ClientFS()})
	s, err := static.New(static.Options{Prefix: "/static/", Debug: a.cfg.Debug, Error: func(w http.ResponseWriter, r *http.Request, status int) {
		RenderError(w, r, &Error{Status: status})
	}}, sources...)
	if err != nil {
		a.cfg.errs = append(a.cfg.errs, err)
		if a.startErr == nil {
			a.startErr = err
		}
		return
	}
	a.static = s
	a.router.register("/static/", s, s, true).Name("static").Public()
}
