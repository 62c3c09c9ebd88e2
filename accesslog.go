package anode

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	now := time.Now()
	if a.cfg.Debug {
		a.logger.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", r.Pattern),
			slog.Int("status", status),
			slog.Int64("bytes", st.rw.bytes),
			slog.Duration("duration", now.Sub(start)),
			slog.String("client_ip", ClientIP(r).String()),
			slog.String("request_id", st.id),
		)
		return
	}
	bp := logBufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"time":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, level.String()...)
	b = append(b, `","msg":"request","method":`...)
	b = appendJSONString(b, r.Method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, r.URL.Path)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, r.Pattern)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, st.rw.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(now.Sub(start)), 10)
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
	b = appendJSONString(b, st.id)
	b = append(b, "}\n"...)
	a.logOutput.Write(b)
	*bp = b
	logBufPool.Put(bp)
}

var logBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
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
