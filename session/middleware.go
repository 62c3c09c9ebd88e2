package session

import (
	"context"
	"github.com/anode-go/anode/internal/commitwriter"
	"net/http"
	"sync"
)

// lazyState is the request's context under Manager.Middleware: it makes
// the Session on the first lookup, so untouched requests cost one object.
type lazyState struct {
	context.Context
	m  *Manager
	r  *http.Request
	w  commitwriter.Writer
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

// Commit saves the session, if one was made.
func (st *lazyState) Commit() {
	st.mu.Lock()
	s := st.s
	st.mu.Unlock()
	s.Commit()
}
