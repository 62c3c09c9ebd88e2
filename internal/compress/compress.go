// Package compress implements HTTP response compression (gzip and zstd) as
// net/http middleware.
//
// [Middleware] wraps any [http.Handler]. It picks an encoding from the
// request's Accept-Encoding header, holds back the first [Options.MinSize]
// bytes of the body to decide whether compressing is worth it, and then
// either streams the body through a pooled encoder or sends it unchanged.
//
// # Negotiation
//
// The coding with the highest q-value wins; zstd wins a tie with gzip, and
// x-gzip counts as gzip. A coding listed with q=0 is never used, and "*"
// stands for every coding not listed by name. The weight of "identity" is
// not compared with theirs: a client that accepts gzip at all gets gzip. A
// request that accepts neither coding, including "identity" or no
// Accept-Encoding at all, gets the body unchanged, and its response is not
// wrapped at all (the common case for load generators and some API clients
// costs nothing). Every response that could have been compressed carries
// "Vary: Accept-Encoding", whatever was sent, so caches keep the variants
// apart; when nothing acceptable was offered the header is added to every
// response, since the content type is not known yet.
//
// # What is left alone
//
// HEAD and CONNECT requests and requests that ask to upgrade the connection
// (WebSockets) reach the handler with the original ResponseWriter. Responses
// are sent unchanged when they already have a Content-Encoding or a
// Content-Range, when their status forbids a body (1xx, 204, 304) or is 206,
// when their Content-Type is already compressed (images other than SVG,
// audio, video, zip, gzip, zstd, WOFF2, PDF, application/octet-stream) or is
// text/event-stream, when the whole body is shorter than MinSize, and when
// the handler flushes before MinSize bytes have been written.
//
// # Headers of a compressed response
//
// Content-Encoding is set; Content-Length and Accept-Ranges are removed,
// because both describe the uncompressed bytes; a strong ETag is made weak
// (W/"..."). A strong ETag promises byte-for-byte identity, which the
// compressed bytes do not have with the identity representation (and need
// not have with each other across encoder versions or levels). The weak tag
// still satisfies If-None-Match, which uses the weak comparison, so
// conditional GETs keep producing 304s, and it correctly fails the strong
// comparison of If-Match and If-Range. A missing Content-Type is sniffed from
// the uncompressed bytes, as net/http would, before compressing.
//
// # Flushing, hijacking and deadlines
//
// The ResponseWriter handed to the handler has an Unwrap method, so
// [http.ResponseController] reaches the connection for deadlines and full
// duplex, and it implements [http.Flusher] and [http.Hijacker] itself. A
// flush before the size decision sends what was buffered uncompressed and
// the rest of the body streams uncompressed too; a flush after compression
// started flushes the encoder and then the connection, so every byte written
// so far reaches the client.
package compress

import (
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// defaultMinSize is the MinSize used when Options.MinSize is zero: below
// about a kilobyte the encoding overhead and CPU cost outweigh the savings.
const defaultMinSize = 1024

// zstdWindow bounds the zstd window. Each pooled encoder keeps a history
// buffer proportional to it (window plus one 128 KiB block); the default
// 8 MiB would pin that much memory per concurrently compressed response,
// while few dynamic responses benefit from matches further back than this.
const zstdWindow = 256 << 10

// Options configures Middleware. The zero value is valid: MinSize 1024, the
// default gzip level, zstd enabled.
type Options struct {
	// MinSize is the smallest body, in bytes, that is compressed; shorter
	// bodies are sent unchanged with their Content-Length. Zero selects 1024
	// and a negative value compresses every non-empty body.
	MinSize int

	// Level is the gzip compression level, from gzip.StatelessCompression
	// (-3) to gzip.BestCompression (9). Zero selects the default level, so
	// gzip.NoCompression cannot be chosen; to turn compression off, leave
	// the middleware out.
	Level int

	// DisableZstd stops zstd from being offered, leaving gzip as the only
	// coding, for example when a cache in front cannot store zstd variants.
	DisableZstd bool

	// VarySlot, if set, returns per-request storage for the Vary header
	// value the middleware adds when the response has none, sparing an
	// allocation per request. The slot must not be shared between requests.
	VarySlot func(*http.Request) *[1]string
}

// Middleware returns middleware that compresses the responses of the handler
// it wraps with gzip or zstd, as negotiated with each request's
// Accept-Encoding header. See the package documentation for when responses
// are left alone and how their headers change.
//
// Middleware panics if o.Level is not a valid gzip level: that is a
// programmer error found at start-up. The returned middleware and the
// handlers it produces are safe for concurrent use; encoders are pooled and
// shared between them.
func Middleware(o Options) func(http.Handler) http.Handler {
	c := newCodecs(o)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if passThrough(r) {
				next.ServeHTTP(w, r)
				return
			}
			enc := negotiate(r.Header["Accept-Encoding"], c.zstd)
			if enc == encNone {
				// The client accepts no encoding we offer: nothing will be
				// compressed, so skip the wrapper and its buffering. Vary
				// still tells caches that another client could get a
				// compressed response.
				addVary(w.Header(), c.slot(r))
				next.ServeHTTP(w, r)
				return
			}
			cw := &responseWriter{rw: w, c: c, enc: enc, vary: c.slot(r)}
			next.ServeHTTP(cw, r)
			// Not deferred: after a panic the response is abandoned, and
			// writing a trailer or returning a half-used encoder to a pool
			// would only add confusion. The garbage collector takes both.
			cw.finish()
		})
	}
}

// codecs holds one middleware's settings and encoder pools.
type codecs struct {
	minSize  int
	zstd     bool
	gzip     sync.Pool // *gzip.Writer at the configured level
	zstdEnc  sync.Pool // *zstd.Encoder; nil if construction failed
	bufs     sync.Pool // *[]byte with capacity minSize
	varySlot func(*http.Request) *[1]string
}

// slot returns the request's Vary slot, or nil without one.
func (c *codecs) slot(r *http.Request) *[1]string {
	if c.varySlot == nil {
		return nil
	}
	return c.varySlot(r)
}

var zstdOptions = []zstd.EOption{
	zstd.WithEncoderLevel(zstd.SpeedFastest),
	zstd.WithEncoderConcurrency(1),
	zstd.WithLowerEncoderMem(true),
	zstd.WithWindowSize(zstdWindow),
}

func newCodecs(o Options) *codecs {
	level := o.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if level < gzip.StatelessCompression || level > gzip.BestCompression {
		panic(fmt.Sprintf("compress: Options.Level %d passed to Middleware is not a gzip level (want %d..%d)",
			o.Level, gzip.StatelessCompression, gzip.BestCompression))
	}
	c := &codecs{minSize: o.MinSize, zstd: !o.DisableZstd, varySlot: o.VarySlot}
	switch {
	case c.minSize == 0:
		c.minSize = defaultMinSize
	case c.minSize < 0:
		c.minSize = 1
	}
	c.gzip.New = func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, level) // level checked above
		return zw
	}
	c.zstdEnc.New = func() any {
		enc, err := zstd.NewWriter(nil, zstdOptions...)
		if err != nil {
			return (*zstd.Encoder)(nil)
		}
		return enc
	}
	size := c.minSize
	c.bufs.New = func() any {
		b := make([]byte, 0, size)
		return &b
	}
	return c
}

// encoder is the subset of *gzip.Writer and *zstd.Encoder the writer uses.
type encoder interface {
	io.WriteCloser
	Flush() error
}

// getEncoder returns a pooled encoder for e writing to w, or nil if none
// could be made (in which case the response is sent uncompressed).
func (c *codecs) getEncoder(e encoding, w io.Writer) encoder {
	switch e {
	case encGzip:
		zw := c.gzip.Get().(*gzip.Writer)
		zw.Reset(w)
		return zw
	case encZstd:
		enc, _ := c.zstdEnc.Get().(*zstd.Encoder)
		if enc == nil {
			return nil
		}
		enc.Reset(w)
		return enc
	}
	return nil
}

// putEncoder returns enc to its pool, first pointing it away from the
// response so the pool does not keep the connection's writer alive.
func (c *codecs) putEncoder(enc encoder) {
	switch enc := enc.(type) {
	case *gzip.Writer:
		enc.Reset(io.Discard)
		c.gzip.Put(enc)
	case *zstd.Encoder:
		enc.Reset(nil)
		c.zstdEnc.Put(enc)
	}
}
