package compress

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// state is where a response is in its life.
type state uint8

const (
	// stateBuffering: the status (if any) and up to MinSize body bytes are
	// held back until the size decision.
	stateBuffering state = iota
	// statePlain: headers are sent; the body goes out unchanged.
	statePlain
	// stateCompress: headers are sent; the body goes through enc.
	stateCompress
	// stateHijacked: the handler took over the connection.
	stateHijacked
	// stateDone: the handler returned; the writer must not be used.
	stateDone
)

// errDone is returned by a writer used after its handler returned, which
// net/http forbids; failing beats writing into a finished response.
var errDone = errors.New("compress: ResponseWriter used after the handler returned")

// responseWriter is the http.ResponseWriter the wrapped handler sees.
// Like any ResponseWriter it is not safe for concurrent use.
type responseWriter struct {
	rw     http.ResponseWriter
	c      *codecs
	enc    encoding // negotiated; encNone if the client takes neither
	state  state
	status int // final status recorded by WriteHeader; 0 until then
	buf    *[]byte
	w      encoder    // in stateCompress
	vary   *[1]string // storage for an added Vary value, or nil
}

var _ interface {
	http.ResponseWriter
	http.Flusher
	http.Hijacker
	FlushError() error
	Unwrap() http.ResponseWriter
} = (*responseWriter)(nil)

// Header returns the underlying writer's header map.
func (w *responseWriter) Header() http.Header { return w.rw.Header() }

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// WriteHeader records the status. Informational statuses other than 101 go
// out at once, as with net/http; the final status waits for the size
// decision, except when it rules compression out. Later calls are ignored,
// as net/http ignores them, and once the headers are out they reach the
// underlying writer, which reports them as superfluous.
func (w *responseWriter) WriteHeader(code int) {
	if w.state != stateBuffering {
		if w.state != stateDone {
			w.rw.WriteHeader(code)
		}
		return
	}
	switch {
	case code < 100 || code > 999:
		// net/http rejects these; let it do so at the handler's call site.
		w.rw.WriteHeader(code)
	case code < 200 && code != http.StatusSwitchingProtocols:
		w.rw.WriteHeader(code)
	case w.status != 0:
		// Superfluous: the first final status wins.
	default:
		w.status = code
		if !bodyAllowed(code) || code == http.StatusSwitchingProtocols {
			w.decide(nil, false) // no error: nothing is buffered yet
		}
	}
}

// Write buffers p until MinSize bytes are known, then sends everything so
// far through the chosen path. Write without WriteHeader implies 200.
func (w *responseWriter) Write(p []byte) (int, error) {
	switch w.state {
	case statePlain:
		return w.rw.Write(p)
	case stateCompress:
		return w.w.Write(p)
	case stateHijacked:
		return 0, http.ErrHijacked
	case stateDone:
		return 0, errDone
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if len(p) == 0 {
		return 0, nil
	}
	if w.enc != encNone && w.buffered()+len(p) < w.c.minSize {
		if w.buf == nil {
			w.buf = w.c.bufs.Get().(*[]byte)
		}
		*w.buf = append(*w.buf, p...)
		return len(p), nil
	}
	if err := w.decide(p, true); err != nil {
		return 0, err
	}
	return w.Write(p)
}

// Flush implements http.Flusher; errors are dropped, as its signature
// demands. http.ResponseController calls FlushError instead.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError sends everything written so far to the client. Before the size
// decision, that decides against compression: the handler is streaming, and
// the rest of the response is sent unchanged. During compression, the
// encoder is flushed first, so the client can decode every byte written.
func (w *responseWriter) FlushError() error {
	switch w.state {
	case stateBuffering:
		if w.status == 0 {
			w.WriteHeader(http.StatusOK)
		}
		if err := w.decide(nil, false); err != nil {
			return err
		}
	case stateCompress:
		if err := w.w.Flush(); err != nil {
			return err
		}
	case stateHijacked:
		return http.ErrHijacked
	case stateDone:
		return errDone
	}
	return http.NewResponseController(w.rw).Flush()
}

// Hijack implements http.Hijacker. Anything already written is sent first,
// as net/http does, so it precedes whatever the handler writes to the
// connection.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch w.state {
	case stateBuffering:
		if w.status != 0 {
			if err := w.decide(nil, false); err != nil {
				return nil, nil, err
			}
		}
	case stateCompress:
		if err := w.w.Flush(); err != nil {
			return nil, nil, err
		}
	case stateHijacked:
		return nil, nil, http.ErrHijacked
	case stateDone:
		return nil, nil, errDone
	}
	conn, brw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil {
		w.state = stateHijacked
	}
	return conn, brw, err
}

// buffered returns the number of body bytes held back.
func (w *responseWriter) buffered() int {
	if w.buf == nil {
		return 0
	}
	return len(*w.buf)
}

// decide ends buffering: it settles the headers, sends them with the status,
// and then sends the buffered bytes. next is the write that triggered the
// decision, if any, and is only looked at; allowed says whether the body is
// long enough to compress.
func (w *responseWriter) decide(next []byte, allowed bool) error {
	h := w.rw.Header()
	w.state = statePlain
	if w.eligible(h, next) {
		addVary(h, w.vary)
		if allowed && w.enc != encNone {
			if enc := w.c.getEncoder(w.enc, w.rw); enc != nil {
				w.w = enc
				w.state = stateCompress
				h.Set("Content-Encoding", w.enc.String())
				h.Del("Content-Length")
				h.Del("Accept-Ranges")
				weakenETag(h)
			}
		}
	}
	w.rw.WriteHeader(w.status)
	if w.buffered() == 0 {
		return nil
	}
	var err error
	if w.state == stateCompress {
		_, err = w.w.Write(*w.buf)
	} else {
		_, err = w.rw.Write(*w.buf)
	}
	w.releaseBuf()
	return err
}

// eligible reports whether the response could be compressed, judging by
// its status and headers. A missing Content-Type is sniffed, as net/http
// would, from the first bytes of the body: the buffer, then next.
func (w *responseWriter) eligible(h http.Header, next []byte) bool {
	if !bodyAllowed(w.status) || w.status == http.StatusSwitchingProtocols ||
		w.status == http.StatusPartialContent {
		return false
	}
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	ct, haveType := h["Content-Type"]
	if haveType {
		// A nil slice is net/http's way of saying "do not sniff".
		return len(ct) == 0 || compressibleType(ct[0])
	}
	sniff := next
	if n := w.buffered(); n > 0 {
		sniff = *w.buf
		if n < sniffLen && len(next) > 0 {
			var b [sniffLen]byte
			k := copy(b[:], sniff)
			k += copy(b[k:], next)
			sniff = b[:k]
		}
	}
	if len(sniff) == 0 {
		return true
	}
	t := http.DetectContentType(sniff)
	h.Set("Content-Type", t)
	return compressibleType(t)
}

// sniffLen is how much http.DetectContentType looks at.
const sniffLen = 512

// finish completes the response after the handler returns and releases
// the writer's pooled resources.
func (w *responseWriter) finish() {
	switch w.state {
	case stateBuffering:
		if w.status == 0 {
			w.status = http.StatusOK
		}
		h := w.rw.Header()
		if bodyAllowed(w.status) && h.Get("Content-Length") == "" && h.Get("Transfer-Encoding") == "" {
			h.Set("Content-Length", strconv.Itoa(w.buffered()))
		}
		_ = w.decide(nil, false) // the handler is gone; nobody to tell
	case stateCompress:
		_ = w.w.Close()
	}
	if w.w != nil {
		w.c.putEncoder(w.w)
		w.w = nil
	}
	w.releaseBuf()
	w.state = stateDone
}

func (w *responseWriter) releaseBuf() {
	if w.buf != nil {
		*w.buf = (*w.buf)[:0]
		w.c.bufs.Put(w.buf)
		w.buf = nil
	}
}

// bodyAllowed reports whether a response with status may have a body
// (RFC 9110, section 6.4.1).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// addVary adds Accept-Encoding to the Vary header unless it is covered,
// using slot (if not nil) for the value when the header is empty.
func addVary(h http.Header, slot *[1]string) {
	vary := h["Vary"]
	if len(vary) == 0 && slot != nil {
		slot[0] = "Accept-Encoding"
		h["Vary"] = slot[:]
		return
	}
	for _, line := range vary {
		for t := range strings.SplitSeq(line, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.EqualFold(t, "Accept-Encoding") {
				return
			}
		}
	}
	h["Vary"] = append(vary, "Accept-Encoding")
}

// weakenETag marks a strong ETag weak; see the package documentation.
func weakenETag(h http.Header) {
	if et := h.Get("Etag"); strings.HasPrefix(et, `"`) {
		h.Set("Etag", "W/"+et)
	}
}
