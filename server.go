package anode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server returns the *http.Server serve uses: the App as handler and the
// Config's timeouts and header limit. Exposed so tests and custom launchers can
// reuse the same settings.
func (a *App) Server() *http.Server {
	return &http.Server{
		Addr:              a.cfg.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    a.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx is done, then shuts down gracefully: /readyz
// turns 503, after Config.ShutdownDelay the listener closes, in-flight requests
// get Config.ShutdownTimeout to finish while the OnShutdown hooks close
// long-lived connections. It returns nil after a clean shutdown, or an error if
// serving failed or requests were still running at the deadline. With
// TLSCertFile and TLSKeyFile set it serves HTTPS with HTTP/2.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	if !a.cfg.Debug {
		defer a.logOutput.buffer()()
	}
	srv := a.Server()
	fresh := trackFresh(srv)
	errc := make(chan error, 1)
	go func() {
		var err error
		if a.cfg.TLSCertFile != "" {
			err = srv.ServeTLS(ln, a.cfg.TLSCertFile, a.cfg.TLSKeyFile)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	scheme := "http"
	if a.cfg.TLSCertFile != "" {
		scheme = "https"
	}
	a.logger.Info("serving", "url", fmt.Sprintf("%s://%s/", scheme, displayAddr(ln.Addr())), "debug", a.cfg.Debug)
	select {
	case err := <-errc:
		return fmt.Errorf("anode: serve: %w", err)
	case <-ctx.Done():
	}
	return a.shutdownServer(srv, ln, fresh, errc)
}

// shutdownServer drains srv. It closes the listener itself, before calling
// Shutdown, and first lets connections accepted a moment earlier deliver their
// request: net/http's Shutdown would close such a connection without an answer
// once its request arrived.
func (a *App) shutdownServer(srv *http.Server, ln net.Listener, fresh *freshConns, errc chan error) error {
	a.ready.Store(false)
	a.logger.Info("shutting down", "drain_timeout", a.cfg.ShutdownTimeout)
	if a.cfg.ShutdownDelay > 0 {
		time.Sleep(a.cfg.ShutdownDelay)
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	ln.Close()
	var wg sync.WaitGroup
	for _, fn := range a.shutdown {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				a.logger.Warn("shutdown hook failed", "error", err)
			}
		})
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
		wg.Wait()
		return fmt.Errorf("anode: serve: %w", serr)
	}
	wait, waitCancel := context.WithTimeout(ctx, a.cfg.ReadHeaderTimeout)
	fresh.wait(wait)
	waitCancel()
	err := srv.Shutdown(ctx)
	wg.Wait()
	if err != nil {
		srv.Close()
		return fmt.Errorf("anode: shutdown: requests still running after %s: %w", a.cfg.ShutdownTimeout, err)
	}
	a.logger.Info("stopped")
	return nil
}

// displayAddr turns ":8000" or "[::]:8000" into "localhost:8000" for the log.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// freshConns counts connections accepted whose first request has not been
// read yet (http.StateNew).
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func trackFresh(srv *http.Server) *freshConns {
	f := &freshConns{conns: map[net.Conn]struct{}{}}
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		f.mu.Lock()
		if st == http.StateNew {
			f.conns[c] = struct{}{}
		} else {
			delete(f.conns, c)
		}
		f.mu.Unlock()
	}
	return f
}

// wait returns when no fresh connection is left or ctx ends. A connection
// leaves the set a moment before net/http checks whether the server is shutting
// down, so after the last one leaves wait grants a short grace.
func (f *freshConns) wait(ctx context.Context) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for waited := false; ; waited = true {
		f.mu.Lock()
		n := len(f.conns)
		f.mu.Unlock()
		if n == 0 {
			if waited {
				time.Sleep(20 * time.Millisecond)
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
