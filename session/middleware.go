package session

import (
	"context"
	"net/http"
	"sync"
)

// lazyState is the request's context under Manager.Middleware: it makes
// the Session on the first lookup, so untouched requests cost one object.
type lazyState struct {
	context.Context
	m  *Manager
	r  *http.Request
	w  writer
	mu sync.Mutex
	s  *Session
}

func (st *lazyState) Value(key any) any {
	if key == (ctxKey{}) {
		return st.session()
	}
	return st.Context.Value(key)
}

func (st *lazyState) session() *Session {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.s == nil {
		st.s = st.m.NewSession(st, st.r, st.w.ResponseWriter)
	}
	return st.s
}

// commit saves the session, if one was made.
func (st *lazyState) commit() {
	st.mu.Lock()
	s := st.s
	st.mu.Unlock()
	s.Commit()
}

// writer saves the session before the response's headers go out.
type writer struct {
	http.ResponseWriter
	st *lazyState
}

var _ interface {
	http.Flusher
	Unwrap() http.ResponseWriter
} = (*writer)(nil)

func (w *writer) WriteHeader(code int) {
	if code < 100 || code >= 200 { // informational responses come before the real headers
		w.st.commit()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(p []byte) (int, error) {
	w.st.commit()
	return w.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client, saving the session first.
func (w *writer) Flush() {
	w.st.commit()
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
