package orm

import (
	"bytes"
	"context"
	"errors"
	"net/http"
)

// AtomicRequests returns middleware that runs each request in a transaction
// on db, like Django's ATOMIC_REQUESTS: queries the handler runs with the
// request's context use it; it commits when the handler returns with a
// status below 500, and rolls back on a 5xx status or a panic (the panic
// continues, for the server or a recovery middleware to handle).
//
// The response is buffered until the transaction ends, so a client never
// sees success for changes that were not committed: if the commit fails,
// the client gets a 500 instead. Streaming does not fit a transaction —
// http.ResponseController's Flush returns an error — so mount streaming
// and WebSocket handlers outside this middleware. On SQLite every
// transaction holds the single writer, so requests under it run one at a
// time; apply it to the routes that write. On PostgreSQL a failed statement
// aborts the transaction, so run a write that may fail and be answered
// with a 4xx (a unique violation) in its own db.Atomic, a savepoint.
func AtomicRequests(db *DB) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bw := &bufferedWriter{ResponseWriter: w}
			err := db.Atomic(r.Context(), func(ctx context.Context) error {
				next.ServeHTTP(bw, r.WithContext(ctx))
				if bw.status >= 500 {
					return errServerStatus
				}
				return nil
			})
			if err != nil && !errors.Is(err, errServerStatus) {
				// Begin or commit failed: what the handler wrote did not happen.
				for k := range w.Header() {
					delete(w.Header(), k)
				}
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				return
			}
			bw.send()
		})
	}
}

// errServerStatus rolls back the transaction of a request answered with 5xx.
var errServerStatus = errors.New("orm: the handler answered with a server error")

// bufferedWriter holds a response's status and body until the transaction
// ends. Headers go straight to the wrapped writer's map.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (bw *bufferedWriter) WriteHeader(code int) {
	if bw.status == 0 {
		bw.status = code
	}
}

func (bw *bufferedWriter) Write(p []byte) (int, error) {
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	return bw.body.Write(p)
}

// FlushError refuses to flush: the response waits for the transaction.
func (bw *bufferedWriter) FlushError() error {
	return errors.New("orm: AtomicRequests buffers the response until the transaction ends; serve streaming handlers outside it")
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (bw *bufferedWriter) Unwrap() http.ResponseWriter { return bw.ResponseWriter }

func (bw *bufferedWriter) send() {
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	bw.ResponseWriter.WriteHeader(bw.status)
	bw.ResponseWriter.Write(bw.body.Bytes())
}
