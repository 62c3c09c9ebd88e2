package anode

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Timeout returns middleware that bounds each request to d: the request's
// context is cancelled after d, and if the handler has not started its response
// by then the client gets 503 (through the App's error renderer) and later writes
// by the handler are discarded with http.ErrHandlerTimeout. A handler that has
// already started streaming is left to finish, with its context cancelled.
// Route.Timeout sets the same per route.
func Timeout(d time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serveWithTimeout(next, w, r, d)
		})
	}
}

func serveWithTimeout(h http.Handler, w http.ResponseWriter, r *http.Request, d time.Duration) {
	ctx, cancel := context.WithTimeout(r.Context(), d)
	defer cancel()
	r = r.WithContext(ctx)
	tw := &timeoutWriter{w: w, h: w.Header().Clone()}
	done := make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				panicked <- &PanicError{Value: p, Stack: stack()}
				return
			}
			close(done)
		}()
		h.ServeHTTP(tw, r)
	}()
	select {
	case p := <-panicked:
		panic(p)
	case <-done:
		return
	case <-ctx.Done():
		tw.mu.Lock()
		if tw.started {
			// A streaming response is under way: let the handler see the
			// cancelled context and finish on its own.
			tw.mu.Unlock()
			select {
			case p := <-panicked:
				panic(p)
			case <-done:
			}
			return
		}
		tw.timedOut = true
		tw.mu.Unlock()
		RenderError(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "The request took too long.", Cause: ctx.Err()})
	}
}

// timeoutWriter serialises the handler's writes with the timeout decision.
type timeoutWriter struct {
	w        http.ResponseWriter
	h        http.Header // the handler's headers, copied to w when it starts
	mu       sync.Mutex
	started  bool
	timedOut bool
}

func (tw *timeoutWriter) Header() http.Header { return tw.h }

// start copies the handler's headers to the real writer; tw.mu is held.
func (tw *timeoutWriter) start() {
	if tw.started {
		return
	}
	tw.started = true
	dst := tw.w.Header()
	clear(dst)
	for k, v := range tw.h {
		dst[k] = v
	}
}

func (tw *timeoutWriter) WriteHeader(code int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.timedOut {
		return
	}
	tw.start()
	tw.w.WriteHeader(code)
}

func (tw *timeoutWriter) Write(p []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.timedOut {
		return 0, http.ErrHandlerTimeout
	}
	tw.start()
	return tw.w.Write(p)
}

// Flush sends buffered data unless the request already timed out.
func (tw *timeoutWriter) Flush() {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.timedOut {
		return
	}
	tw.start()
	http.NewResponseController(tw.w).Flush()
}

// Unwrap returns the wrapped writer for http.ResponseController.
func (tw *timeoutWriter) Unwrap() http.ResponseWriter { return tw.w }

// startedOrTimedOut reports whether the handler's response began, or can no
// longer begin because the route timed out: either way an error page from
// the handler would go nowhere.
func (tw *timeoutWriter) startedOrTimedOut() bool {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return tw.started || tw.timedOut
}
