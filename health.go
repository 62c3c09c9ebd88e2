package anode

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// registerHealth adds GET /healthz (liveness: the process serves requests) and
// GET /readyz (readiness: every check passes and the App is not shutting down).
func (a *App) registerHealth() {
	t := a.router.table
	if !t.patterns["GET /healthz"] {
		a.router.Get("/healthz", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, err := w.Write([]byte("ok\n"))
			return err
		}).Name("healthz").Public()
	}
	if !t.patterns["GET /readyz"] {
		a.router.Get("/readyz", a.serveReady).Name("readyz").Public()
	}
}

func (a *App) serveReady(w http.ResponseWriter, r *http.Request) error {
	status := http.StatusOK
	body := map[string]any{"status": "ready"}
	if !a.ready.Load() {
		status = http.StatusServiceUnavailable
		body["status"] = "shutting down"
	} else if failed := a.runReadyChecks(r.Context()); len(failed) > 0 {
		status = http.StatusServiceUnavailable
		body["status"] = "unavailable"
		checks := map[string]string{}
		for name, err := range failed {
			checks[name] = "failed"
			if a.cfg.Debug {
				checks[name] = err.Error()
			}
		}
		body["checks"] = checks
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(body)
}

// runReadyChecks runs every check concurrently, each bounded to 2 s, and returns
// the failures by name.
func (a *App) runReadyChecks(ctx context.Context) map[string]error {
	if len(a.readyChecks) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := map[string]error{}
	for _, c := range a.readyChecks {
		wg.Go(func() {
			if err := c.check(ctx); err != nil {
				mu.Lock()
				failed[c.name] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}
