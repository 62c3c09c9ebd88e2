package static

import (
	"bytes"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cache-Control values; see "Caching" in the package documentation.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

var _ http.Handler = (*Server)(nil)

// ServeHTTP serves the static file named by r.URL.Path, which must start
// with the prefix; ServeHTTP strips it, so mount the Server at the prefix
// itself ("/static/") without [net/http.StripPrefix]. Methods other than GET
// and HEAD get 405 with an Allow header; paths outside the prefix, unknown
// or hidden files, directories and malformed paths get 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.fail(w, r, http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	if !ok || !validName(name) {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	if s.debug {
		s.serveLive(w, r, name)
		return
	}

	cache := cacheImmutable
	a := s.byHashed[name]
	if a == nil {
		cache = cacheRevalidate
		if a = s.byName[name]; a == nil {
			s.fail(w, r, http.StatusNotFound)
			return
		}
	}
	h := w.Header()
	h.Set("Cache-Control", cache)
	rep := &a.identity
	if len(a.variants) > 0 {
		h.Add("Vary", "Accept-Encoding")
		if i := negotiate(r.Header.Get("Accept-Encoding"), a.variants); i >= 0 {
			rep = &a.variants[i].representation
			h.Set("Content-Encoding", a.variants[i].coding)
		}
	}
	serve(w, r, a.ctype, rep.etag, time.Time{}, rep.data)
}

// serve sends data with the given validators through http.ServeContent,
// which handles HEAD, Range and conditional requests.
func serve(w http.ResponseWriter, r *http.Request, ctype, etag string, modtime time.Time, data []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", modtime, bytes.NewReader(data))
}

// validName reports whether name, a request path with the prefix removed,
// may name a static file. Besides what fs.ValidPath refuses ("..", ".",
// empty segments, leading or trailing slashes, invalid UTF-8) it refuses
// backslashes, which are separators on Windows, NUL bytes and hidden
// segments such as ".git" or ".env".
func validName(name string) bool {
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\\\x00") {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg[0] == '.' { // fs.ValidPath rules out empty segments
			return false
		}
	}
	return true
}

// negotiate returns the index of the variant to send for the Accept-Encoding
// header, or -1 for the identity encoding. It takes the coding with the
// highest q-value above zero, earlier variants winning ties, and ignores
// identity's own q-value: precompressed bytes are smaller.
func negotiate(header string, variants []variant) int {
	if header == "" {
		return -1
	}
	best, bestQ := -1, 0.0
	for i, v := range variants {
		if q := acceptQ(header, v.coding); q > bestQ {
			best, bestQ = i, q
		}
	}
	return best
}

// acceptQ returns the q-value header gives coding, directly or through "*",
// or 0 if it is not acceptable.
func acceptQ(header, coding string) float64 {
	q, star := -1.0, -1.0
	for item := range strings.SplitSeq(header, ",") {
		c, params, _ := strings.Cut(item, ";")
		c = strings.TrimSpace(c)
		if strings.EqualFold(c, "x-gzip") {
			c = "gzip"
		}
		switch {
		case strings.EqualFold(c, coding):
			q = max(q, qValue(params))
		case c == "*":
			star = qValue(params)
		}
	}
	switch {
	case q >= 0:
		return q
	case star >= 0:
		return star
	}
	return 0
}

// qValue returns the weight in the parameters of an Accept-Encoding item,
// 1 when absent and 0 when malformed.
func qValue(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
