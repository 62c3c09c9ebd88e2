package compress

import (
	"net/http"
	"strings"
)

// encoding is a content coding the middleware can produce.
type encoding uint8

const (
	encNone encoding = iota
	encGzip
	encZstd
)

// String returns the coding's Content-Encoding token.
func (e encoding) String() string {
	switch e {
	case encGzip:
		return "gzip"
	case encZstd:
		return "zstd"
	}
	return "identity"
}

// qUnset marks a coding the Accept-Encoding header did not mention.
const qUnset = -1

// negotiate picks the coding for a request from its Accept-Encoding header
// lines. Weights are compared in thousandths, as RFC 9110 writes them; the
// higher weight wins, zstd wins a tie, and weight 0 means "not acceptable".
// Malformed members are ignored rather than guessed at.
func negotiate(lines []string, zstdOK bool) encoding {
	qZstd, qGzip, qXGzip, qStar := qUnset, qUnset, qUnset, qUnset
	for _, line := range lines {
		for member := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(member, ";")
			name = strings.TrimSpace(name)
			q, ok := weight(params)
			if !ok {
				continue
			}
			switch {
			case strings.EqualFold(name, "zstd"):
				qZstd = q
			case strings.EqualFold(name, "gzip"):
				qGzip = q
			case strings.EqualFold(name, "x-gzip"):
				qXGzip = q
			case name == "*":
				qStar = q
			}
		}
	}
	if qGzip == qUnset {
		qGzip = qXGzip
	}
	if qStar == qUnset {
		qStar = 0
	}
	if qZstd == qUnset {
		qZstd = qStar
	}
	if qGzip == qUnset {
		qGzip = qStar
	}
	if !zstdOK {
		qZstd = 0
	}
	switch {
	case qZstd > 0 && qZstd >= qGzip:
		return encZstd
	case qGzip > 0:
		return encGzip
	}
	return encNone
}

// weight parses the parameters after a coding's ";" and returns its weight
// in thousandths (1000 when there is no q parameter). ok is false when a q
// parameter is present but not a valid qvalue.
func weight(params string) (q int, ok bool) {
	q = 1000
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, ok = qvalue(strings.TrimSpace(v))
			if !ok {
				return 0, false
			}
		}
	}
	return q, true
}

// qvalue parses RFC 9110's qvalue: "0" or "1", optionally followed by "."
// and up to three digits, never more than 1.
func qvalue(s string) (int, bool) {
	if s == "" || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return q, true
	}
	frac := s[1:]
	if frac[0] != '.' || len(frac) > 4 {
		return 0, false
	}
	scale := 100
	for i := 1; i < len(frac); i++ {
		d := frac[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		q += int(d-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// passThrough reports whether r must reach the handler with the original
// ResponseWriter: HEAD has no body to compress, and CONNECT and upgrade
// requests hand the connection over to another protocol.
func passThrough(r *http.Request) bool {
	if r.Method == http.MethodHead || r.Method == http.MethodConnect {
		return true
	}
	if r.Header.Get("Upgrade") != "" {
		return true
	}
	return hasToken(r.Header["Connection"], "upgrade")
}

// hasToken reports whether any comma-separated element of lines equals
// token, ignoring case.
func hasToken(lines []string, token string) bool {
	for _, line := range lines {
		for t := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// compressibleType reports whether a response of media type ct is worth
// compressing: not already compressed, and not an event stream, whose
// events must reach the client one at a time. An empty ct is compressible;
// the caller sniffs when it can.
func compressibleType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	major, minor, _ := strings.Cut(mt, "/")
	switch {
	case strings.EqualFold(major, "image"):
		return strings.EqualFold(minor, "svg+xml")
	case strings.EqualFold(major, "video"), strings.EqualFold(major, "audio"):
		return false
	}
	for _, t := range incompressibleTypes {
		if strings.EqualFold(mt, t) {
			return false
		}
	}
	return true
}

// incompressibleTypes lists whole media types that are already compressed,
// or are streams, beyond the image, audio and video families.
var incompressibleTypes = [...]string{
	"text/event-stream",
	"application/zip",
	"application/gzip",
	"application/x-gzip",
	"application/zstd",
	"application/octet-stream",
	"application/pdf",
	"font/woff2",
}
