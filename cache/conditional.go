package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"time"
)

// ETag returns a weak entity tag for body: W/"<hash>". Weak because the
// compression layer may change the bytes on the wire while the content
// stays the same.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// etagMatch reports whether an If-None-Match value lists tag, by weak
// comparison (W/ prefixes ignored), or is "*".
func etagMatch(header, tag string) bool {
	if tag == "" {
		return false
	}
	tag = strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// NotModified reports whether the client's copy of the response is fresh:
// If-None-Match lists etag (weak comparison), or, without If-None-Match,
// If-Modified-Since is not before lastModified. It only applies to GET
// and HEAD.
func NotModified(r *http.Request, etag string, lastModified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastModified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !lastModified.Truncate(time.Second).After(t)
	}
	return false
}

// CheckNotModified is Django's condition decorator for one handler: it
// sets the ETag and Last-Modified headers (those given), and when the
// client's copy is fresh (see NotModified) writes 304 Not Modified and
// returns true, so the handler can skip building the page:
//
//	if cache.CheckNotModified(w, r, q.Version(), q.Updated) {
//		return nil
//	}
//
// A bare etag is quoted; pass W/"..." for a weak one.
func CheckNotModified(w http.ResponseWriter, r *http.Request, etag string, lastModified time.Time) bool {
	h := w.Header()
	if etag != "" {
		if !strings.HasPrefix(etag, `"`) && !strings.HasPrefix(etag, `W/"`) {
			etag = `"` + etag + `"`
		}
		h.Set("ETag", etag)
	}
	if !lastModified.IsZero() {
		h.Set("Last-Modified", lastModified.UTC().Format(http.TimeFormat))
	}
	if !NotModified(r, etag, lastModified) {
		return false
	}
	writeNotModified(w)
	return true
}

// writeNotModified sends 304, keeping only the headers RFC 9110 allows.
func writeNotModified(w http.ResponseWriter) {
	h := w.Header()
	for k := range h {
		switch k {
		case "Cache-Control", "Content-Location", "Date", "Etag", "Expires", "Last-Modified", "Vary", "X-Request-Id":
		default:
			delete(h, k)
		}
	}
	w.WriteHeader(http.StatusNotModified)
}

// ConditionalGet answers conditional GET and HEAD requests (Django's
// ConditionalGetMiddleware): it gives a 200 response without an ETag a
// weak one computed from its body, and sends 304 Not Modified instead of
// the body when If-None-Match or If-Modified-Since shows the client's copy
// is fresh. The body is buffered up to 1 MiB; a larger or flushed
// (streamed) response passes through untouched.
func ConditionalGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferingWriter{ResponseWriter: w, limit: 1 << 20}
		next.ServeHTTP(bw, r)
		if bw.passing {
			return
		}
		h := w.Header()
		if bw.status == 0 {
			bw.status = http.StatusOK
		}
		if bw.status == http.StatusOK {
			if h.Get("ETag") == "" {
				if _, noStore := cacheControl(h, "no-store"); !noStore {
					h.Set("ETag", ETag(bw.buf.Bytes()))
				}
			}
			lm, _ := http.ParseTime(h.Get("Last-Modified"))
			if NotModified(r, h.Get("ETag"), lm) {
				writeNotModified(w)
				return
			}
		}
		bw.ResponseWriter.WriteHeader(bw.status)
		if r.Method != http.MethodHead {
			bw.ResponseWriter.Write(bw.buf.Bytes())
		}
	})
}

// bufferingWriter holds the status and body until the handler returns, or
// passes everything through once the body passes limit or is flushed.
type bufferingWriter struct {
	http.ResponseWriter
	status  int
	buf     bytes.Buffer
	limit   int
	passing bool
}

func (b *bufferingWriter) WriteHeader(status int) {
	if b.passing || b.status != 0 {
		return
	}
	if status >= 100 && status < 200 {
		b.ResponseWriter.WriteHeader(status)
		return
	}
	b.status = status
}

func (b *bufferingWriter) Write(p []byte) (int, error) {
	if b.passing {
		return b.ResponseWriter.Write(p)
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.buf.Len()+len(p) > b.limit {
		b.pass()
		return b.ResponseWriter.Write(p)
	}
	return b.buf.Write(p)
}

// pass sends what was held and switches to passing through.
func (b *bufferingWriter) pass() {
	if b.passing {
		return
	}
	b.passing = true
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.ResponseWriter.WriteHeader(b.status)
	if b.buf.Len() > 0 {
		b.ResponseWriter.Write(b.buf.Bytes())
	}
	b.buf = bytes.Buffer{}
}

// Flush streams: the response is no longer held.
func (b *bufferingWriter) Flush() {
	b.pass()
	http.NewResponseController(b.ResponseWriter).Flush()
}

// Hijack passes the connection through (WebSockets).
func (b *bufferingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	b.passing = true
	return http.NewResponseController(b.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (b *bufferingWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }
