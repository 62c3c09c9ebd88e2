package anode

import (
	"bufio"
	"net"
	"net/http"
)

// responseWriter records the status and size of a response for the access log and
// the error renderer. Flush and Hijack pass through, and Unwrap exposes the
// wrapped writer so http.ResponseController reaches the connection.
type responseWriter struct {
	http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool
	state    *requestState // whose messages are saved before the headers go out
}

// commitLazyState saves the request's messages and session, if it used
// any, and puts the CSP nonce, if one was asked for, in the policy before the response's headers are written.
func (w *responseWriter) commitLazyState() {
	if w.state != nil {
		if m := w.state.msgs.Load(); m != nil {
			m.Commit()
		}
		if c := w.state.csrf.Load(); c != nil {
			c.Commit() // before the session, which it may have written
		}
		if s := w.state.sess.Load(); s != nil {
			s.Commit()
		}
		w.state.sec.Commit()
	}
}

var _ interface {
	http.Flusher
	http.Hijacker
	Unwrap() http.ResponseWriter
} = (*responseWriter)(nil)

func (w *responseWriter) WriteHeader(code int) {
	if code >= 200 {
		w.commitLazyState()
	}
	if w.status == 0 && code >= 200 || code == http.StatusSwitchingProtocols {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.commitLazyState()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush sends buffered data to the client.
func (w *responseWriter) Flush() {
	w.commitLazyState()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack takes over the connection (WebSockets).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
		if w.status == 0 {
			w.status = http.StatusSwitchingProtocols
		}
	}
	return c, rw, err
}

// Unwrap returns the wrapped ResponseWriter.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// started reports whether the response has begun (headers sent or hijacked).
func (w *responseWriter) started() bool { return w.status != 0 || w.hijacked }
