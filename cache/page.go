package cache

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PageOptions configures the Page middleware. The zero value is valid.
type PageOptions struct {
	// TTL is how long a page is kept. Default: the response's
	// Cache-Control max-age when it has one, else the Cache's TTL.
	TTL time.Duration
	// KeyPrefix separates the pages of several Page middlewares in one
	// cache (Django's key_prefix). Default "page".
	KeyPrefix string
	// VaryOnCookie caches responses that vary on the Cookie header (a
	// session was used), keyed by the request's whole Cookie header, so
	// each visitor gets their own copy. By default such responses are not
	// cached: a per-visitor page is rarely worth a cache entry and must
	// never be served to another visitor.
	VaryOnCookie bool
	// MaxBytes is the largest body cached. Default 1 MiB.
	MaxBytes int
}

// Page caches whole responses in c (Django's cache_page, and with App.Use
// its per-site cache middleware pair). Only GET and HEAD requests without
// an Authorization header are served from the cache; a response is stored
// when it is a 200 that sets no cookie, is not marked private, no-store or
// no-cache, has no "Vary: *", is not streamed (flushed) and fits
// MaxBytes. The key is the scheme, host and full URL, plus the request's
// values of the headers the response's Vary names (Accept-Language,
// Accept-Encoding, ...); a response that varies on Cookie is cached only
// with PageOptions.VaryOnCookie.
//
// Cached responses carry a weak ETag, and a hit whose ETag the client
// already has is a 304. When the cache fails, every request runs the
// handler (the cache is lenient).
func Page(c *Cache, o PageOptions) func(http.Handler) http.Handler {
	if o.KeyPrefix == "" {
		o.KeyPrefix = "page"
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 1 << 20
	}
	c = c.Lenient()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.Header.Get("Authorization") != "" {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			url := requestURL(r)
			headersKey := o.KeyPrefix + ":h:" + url
			if vary, ok, _ := Get[[]string](ctx, c, headersKey); ok {
				if b, ok, _ := c.Bytes(ctx, pageKey(o.KeyPrefix, url, vary, r)); ok {
					if cp, err := decodePage(b); err == nil {
						cp.serve(w, r)
						return
					}
				}
			}
			rec := &pageRecorder{ResponseWriter: w, limit: o.MaxBytes, o: &o}
			next.ServeHTTP(rec, r)
			if ttl, vary, ok := rec.cacheable(); ok {
				store(ctx, c, o.KeyPrefix, headersKey, url, vary, ttl, rec, r)
			}
		})
	}
}

func store(ctx context.Context, c *Cache, prefix, headersKey, url string, vary []string, ttl time.Duration, rec *pageRecorder, r *http.Request) {
	if ttl == 0 {
		ttl = DefaultTTL
	}
	body := rec.buf.Bytes()
	h := rec.header.Clone()
	if h.Get("ETag") == "" {
		h.Set("ETag", ETag(body))
	}
	Set(ctx, c, headersKey, vary, ttl)
	c.SetBytes(ctx, pageKey(prefix, url, vary, r), encodePage(rec.status, h, body), ttl)
}

// requestURL is the page's address: scheme, host and request URI.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// pageKey hashes the method, the URL and the request's values of the vary headers.
func pageKey(prefix, url string, vary []string, r *http.Request) string {
	h := sha256.New()
	h.Write([]byte(r.Method)) // a HEAD response has no body to serve a GET
	h.Write([]byte{0})
	h.Write([]byte(url))
	for _, name := range vary {
		h.Write([]byte{0})
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write([]byte(strings.Join(r.Header.Values(name), ",")))
	}
	return prefix + ":p:" + hex.EncodeToString(h.Sum(nil)[:20])
}

// varyHeaders returns the canonical, sorted header names of h's Vary, and
// false for "Vary: *".
func varyHeaders(h http.Header) ([]string, bool) {
	var out []string
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "*" {
				return nil, false
			}
			if name != "" {
				out = append(out, textproto.CanonicalMIMEHeaderKey(name))
			}
		}
	}
	sort.Strings(out)
	return out, true
}

// pageRecorder passes the response through and keeps a copy.
type pageRecorder struct {
	http.ResponseWriter
	o       *PageOptions
	status  int
	header  http.Header // snapshot when the headers went out
	buf     bytes.Buffer
	limit   int
	skip    bool // flushed, hijacked or too large
	written bool
}

func (p *pageRecorder) WriteHeader(status int) {
	if p.written {
		return
	}
	if status >= 100 && status < 200 {
		p.ResponseWriter.WriteHeader(status)
		return
	}
	p.written, p.status = true, status
	p.ResponseWriter.WriteHeader(status)
	// After the inner writer: the App commits the session (Set-Cookie,
	// Vary: Cookie) as the headers go out, and that must be seen.
	p.header = p.ResponseWriter.Header().Clone()
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if !p.written {
		p.WriteHeader(http.StatusOK)
	}
	if !p.skip && p.status == http.StatusOK {
		if p.buf.Len()+len(b) > p.limit {
			p.skip = true
			p.buf = bytes.Buffer{}
		} else {
			p.buf.Write(b)
		}
	}
	return p.ResponseWriter.Write(b)
}

func (p *pageRecorder) Flush() {
	p.skip = true
	http.NewResponseController(p.ResponseWriter).Flush()
}

func (p *pageRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	p.skip = true
	return http.NewResponseController(p.ResponseWriter).Hijack()
}

func (p *pageRecorder) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// cacheable decides whether the recorded response may be stored, for how
// long, and under which vary headers.
func (p *pageRecorder) cacheable() (time.Duration, []string, bool) {
	if p.skip || p.status != http.StatusOK || p.header == nil {
		return 0, nil, false
	}
	h := p.header
	if len(h.Values("Set-Cookie")) > 0 {
		return 0, nil, false
	}
	for _, d := range []string{"private", "no-store", "no-cache"} {
		if _, ok := cacheControl(h, d); ok {
			return 0, nil, false
		}
	}
	vary, ok := varyHeaders(h)
	if !ok {
		return 0, nil, false
	}
	for _, v := range vary {
		if v == "Cookie" && !p.o.VaryOnCookie {
			return 0, nil, false
		}
	}
	ttl := p.o.TTL
	if ttl == 0 {
		if v, ok := cacheControl(h, "max-age"); ok {
			secs, err := strconv.Atoi(v)
			if err != nil || secs <= 0 {
				return 0, nil, false
			}
			ttl = time.Duration(secs) * time.Second
		}
	}
	return ttl, vary, true
}

// cachedPage is a stored response.
type cachedPage struct {
	status int
	header http.Header
	body   []byte
}

// serve writes the cached response, or 304 when the client's copy is fresh.
func (cp *cachedPage) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range cp.header {
		if k == "Date" || k == "X-Request-Id" {
			continue
		}
		h[k] = v
	}
	lm, _ := http.ParseTime(cp.header.Get("Last-Modified"))
	if NotModified(r, cp.header.Get("ETag"), lm) {
		writeNotModified(w)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(cp.body)))
	w.WriteHeader(cp.status)
	if r.Method != http.MethodHead {
		w.Write(cp.body)
	}
}

// The stored form: a version byte, the status, the header block as
// "Name: value\r\n" lines ending with an empty line, then the body.
const pageFormat = 1

func encodePage(status int, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteByte(pageFormat)
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(status)))
	h.Del("Set-Cookie")
	h.Del("X-Request-Id")
	h.Del("Content-Length")
	h.Write(&b)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

var errBadPage = errors.New("cache: malformed cached page")

func decodePage(b []byte) (*cachedPage, error) {
	if len(b) < 3 || b[0] != pageFormat {
		return nil, errBadPage
	}
	status := int(binary.BigEndian.Uint16(b[1:3]))
	br := bytes.NewReader(b[3:])
	r := bufio.NewReader(br)
	mh, err := textproto.NewReader(r).ReadMIMEHeader()
	if err != nil {
		return nil, errBadPage
	}
	rest := b[len(b)-br.Len()-r.Buffered():]
	return &cachedPage{status: status, header: http.Header(mh), body: rest}, nil
}
