package anode

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// logRequest writes the access-log line for a finished request: method, path,
// route pattern, status, bytes, duration, client IP and request ID. Health
// checks log at debug level.
//
// In production (JSON logs) the line is encoded here into a pooled buffer, in
// exactly the shape slog's JSON handler writes: slog's general-purpose encoding
// was the largest single cost Anode added to a request (see
// docs/benchmarks.md). In debug the line goes through slog's text handler.
func (a *App) logRequest(r *http.Request, st *requestState, start time.Time) {
	level := slog.LevelInfo
	if r.Pattern == "GET /healthz" || r.Pattern == "GET /readyz" {
		level = slog.LevelDebug
	}
	if !a.logger.Enabled(r.Context(), level) {
		return
	}
	status := st.rw.status
	if status == 0 {
		status = http.StatusOK
	}
	// One monotonic reading for the duration; the wall time of the line
	// follows from the start's (a second wall-clock read per request was
	// measurable under load).
	elapsed := time.Since(start)
	now := start.Add(elapsed)
	if a.cfg.Debug {
		a.logger.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", r.Pattern),
			slog.Int("status", status),
			slog.Int64("bytes", st.rw.bytes),
			slog.Duration("duration", elapsed),
			slog.String("client_ip", ClientIP(r).String()),
			slog.String("request_id", st.id),
		)
		return
	}
	bp := logBufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"time":"`...)
	b = appendLogTime(b, now)
	b = append(b, `","level":"`...)
	b = append(b, level.String()...)
	b = append(b, `","msg":"request","method":`...)
	b = appendJSONString(b, r.Method) // a token, but a Handler may be called directly
	b = append(b, `,"path":`...)
	b = appendJSONString(b, r.URL.Path)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, r.Pattern)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, st.rw.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(elapsed), 10)
	b = append(b, `,"client_ip":`...)
	if st.ipKnown {
		b = append(b, '"')
		if st.clientIP.IsValid() {
			b = st.clientIP.AppendTo(b)
		}
		b = append(b, '"')
	} else {
		b = appendJSONString(b, peerHost(r.RemoteAddr))
	}
	b = append(b, `,"request_id":`...)
	b = append(b, '"') // generated, or checked by validRequestID: nothing to escape
	b = append(b, st.id...)
	b = append(b, '"')
	b = append(b, "}\n"...)
	a.logOutput.Write(b)
	*bp = b
	logBufPool.Put(bp)
}

// logSecond caches the formatted parts of one second of wall-clock time:
// every access-log line in that second shares them, and only the fraction
// is formatted per line.
type logSecond struct {
	unix   int64
	prefix []byte // "2006-01-02T15:04:05"
	zone   []byte // "Z" or "-07:00"
}

var logClock atomic.Pointer[logSecond]

// appendLogTime appends t in time.RFC3339Nano form, exactly as
// t.AppendFormat(b, time.RFC3339Nano) does, formatting the date, the time of
// day and the zone once per second.
func appendLogTime(b []byte, t time.Time) []byte {
	sec := t.Unix()
	c := logClock.Load()
	if c == nil || c.unix != sec || t.Location() != time.Local {
		full := t.Truncate(time.Second).AppendFormat(nil, time.RFC3339)
		c = &logSecond{unix: sec, prefix: full[:19], zone: full[19:]}
		if t.Location() != time.Local {
			return appendLogFraction(append(b, c.prefix...), t, c.zone)
		}
		logClock.Store(c)
	}
	return appendLogFraction(append(b, c.prefix...), t, c.zone)
}

// appendLogFraction appends ".fffffffff" without trailing zeros (nothing for
// a whole second), then the zone.
func appendLogFraction(b []byte, t time.Time, zone []byte) []byte {
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, zone...)
}

var logBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes appendJSONString copies unchanged: printable
// ASCII other than the quote and the backslash.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// peerHost is the host part of a RemoteAddr ("192.0.2.1:1234", "[::1]:80").
func peerHost(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
}
