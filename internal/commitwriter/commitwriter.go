// Package commitwriter provides a ResponseWriter that runs a commit step
// just before the response's headers go out: a cookie-backed state (flash
// messages, a session) must be saved then or never.
package commitwriter

import "net/http"

// Committer saves state that travels in the response headers. Commit is
// called before every header-writing operation, so it must do nothing
// after its first call.
type Committer interface {
	Commit()
}

// Writer wraps a ResponseWriter and calls C.Commit before the headers are
// written: on WriteHeader with a final (non-1xx) status, on Write and on
// Flush. Its zero value is not usable; set both fields.
type Writer struct {
	http.ResponseWriter
	C Committer
}

var _ interface {
	http.Flusher
	Unwrap() http.ResponseWriter
} = (*Writer)(nil)

// WriteHeader commits, unless code is informational (1xx responses come
// before the real headers), then writes the header.
func (w *Writer) WriteHeader(code int) {
	if code < 100 || code >= 200 {
		w.C.Commit()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write commits, then writes p.
func (w *Writer) Write(p []byte) (int, error) {
	w.C.Commit()
	return w.ResponseWriter.Write(p)
}

// Flush commits, then sends buffered data to the client.
func (w *Writer) Flush() {
	w.C.Commit()
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
