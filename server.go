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
	srv := a.Server()
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
	return a.shutdownServer(srv, errc)
}

func (a *App) shutdownServer(srv *http.Server, errc chan error) error {
	a.ready.Store(false)
	a.logger.Info("shutting down", "drain_timeout", a.cfg.ShutdownTimeout)
	if a.cfg.ShutdownDelay > 0 {
		time.Sleep(a.cfg.ShutdownDelay)
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, fn := range a.shutdown {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				a.logger.Warn("shutdown hook failed", "error", err)
			}
		})
	}
	err := srv.Shutdown(ctx)
	wg.Wait()
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("anode: serve: %w", serr)
	}
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
