package anode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/anode-go/anode/security"
)

// errorRenderer is the one place errors become responses.
type errorRenderer struct {
	debug  bool
	logger *slog.Logger
}

// defaultRenderer serves HandlerFuncs used outside an App.
var defaultRenderer = &errorRenderer{logger: slog.Default()}

// RenderError writes the response for err: its status and public message as an
// HTML page or JSON (by the Accept header), with the request ID. In debug the page
// also shows the error chain, the stack of a panic and a request summary; in
// production those go only to the log. Middleware and handlers that are not
// HandlerFuncs call it to answer with an error the way the App does.
func RenderError(w http.ResponseWriter, r *http.Request, err error) {
	renderer := defaultRenderer
	if st := stateFrom(r.Context()); st != nil && st.app != nil {
		renderer = st.app.errors
	}
	renderer.render(w, r, err)
}

func (er *errorRenderer) render(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	var pe *PanicError
	if errors.As(err, &pe) {
		status, msg = http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
	}
	st := stateFrom(r.Context())
	id := ""
	if st != nil {
		id = st.id
	}
	attrs := []any{slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", err.Error())}
	if pe != nil {
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	if status >= 500 {
		er.logger.ErrorContext(r.Context(), "request failed", attrs...)
	} else {
		er.logger.DebugContext(r.Context(), "client error", attrs...)
	}
	if responseStarted(w, st) {
		return // the handler already began its response; the log line is all we can do
	}
	h := w.Header()
	for _, k := range []string{"Content-Encoding", "Content-Length", "Content-Disposition", "ETag", "Last-Modified", "Cache-Control"} {
		h.Del(k)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r) {
		body := map[string]any{"status": status, "message": msg, "request_id": id}
		if er.debug {
			body["chain"] = errorChain(err)
			if d := debugDetails(err); d != nil {
				body["details"] = d
			}
			if pe != nil {
				body["stack"] = string(pe.Stack)
			}
		}
		b, _ := json.Marshal(map[string]any{"error": body})
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(b)
		w.Write([]byte("\n"))
		return
	}
	data := errorPageData{Status: status, Title: http.StatusText(status), Message: msg, RequestID: id, Nonce: security.Nonce(r)}
	tmpl := prodErrorPage
	if er.debug {
		tmpl = debugErrorPage
		data.Chain = errorChain(err)
		if pe != nil {
			data.Stack = string(pe.Stack)
		}
		data.Method, data.URL, data.Proto, data.Remote = r.Method, r.URL.String(), r.Proto, r.RemoteAddr
		data.Pattern = r.Pattern
		data.ClientIP = ClientIP(r).String()
		data.Headers = redactedHeaders(r.Header)
		data.Details = debugDetails(err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		er.logger.Error("error page failed", "error", err)
		buf.Reset()
		fmt.Fprintf(&buf, "%d %s\n", status, http.StatusText(status))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// wantsJSON reports whether the client prefers JSON: an Accept header naming JSON
// and not HTML, or no Accept preference and a JSON request body.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "text/html") {
		return false
	}
	if strings.Contains(accept, "json") {
		return true
	}
	return (accept == "" || accept == "*/*") && strings.Contains(r.Header.Get("Content-Type"), "json")
}

// errorChain lists the messages of err and every error it wraps.
func errorChain(err error) []string {
	var out []string
	for seen := 0; err != nil && seen < 32; seen++ {
		line := fmt.Sprintf("%T: %v", err, err)
		out = append(out, line)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				out = append(out, errorChain(e)...)
			}
			err = nil
		default:
			err = nil
		}
	}
	return out
}

var secretHeaders = map[string]bool{"Cookie": true, "Authorization": true, "Proxy-Authorization": true, "X-Csrf-Token": true, "X-Api-Key": true}

func redactedHeaders(h http.Header) [][2]string {
	var out [][2]string
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		if secretHeaders[k] {
			v = "********"
		}
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

type errorPageData struct {
	Status                     int
	Title, Message, RequestID  string
	Nonce                      string // the CSP nonce of the page's inline style
	Chain                      []string
	Stack                      string
	Method, URL, Proto, Remote string
	Pattern, ClientIP          string
	Headers                    [][2]string
	Details                    [][2]string // from the error (a template's file, line, source, data)
}

var prodErrorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Status}} {{.Title}}</title>
<style nonce="{{.Nonce}}">body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}small{color:#666}</style>
</head><body><main><h1>{{.Status}} {{.Title}}</h1>
{{if ne .Message .Title}}<p>{{.Message}}</p>{{end}}
{{if .RequestID}}<p><small>Request ID: {{.RequestID}}</small></p>{{end}}
</main></body></html>
`))

var debugErrorPage = template.Must(template.New("debug").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Status}} {{.Title}} — Anode debug</title>
<style nonce="{{.Nonce}}">body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}header{background:#fde8e8;padding:1.5rem 2rem;border-bottom:1px solid #f5c2c2}
h1{margin:0;font-size:1.4rem}section{padding:0.5rem 2rem}pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:13px}
table{border-collapse:collapse}td,th{text-align:left;padding:2px 12px 2px 0;vertical-align:top;font-family:monospace}footer{padding:1rem 2rem;color:#666}</style>
</head><body>
<header><h1>{{.Status}} {{.Title}}</h1><p>{{.Message}}</p></header>
<section><h2>Error chain</h2><ol>{{range .Chain}}<li><code>{{.}}</code></li>{{end}}</ol></section>
{{if .Details}}<section><h2>Details</h2><table>{{range .Details}}<tr><th>{{index . 0}}</th><td><pre>{{index . 1}}</pre></td></tr>{{end}}</table></section>{{end}}
{{if .Stack}}<section><h2>Stack</h2><pre>{{.Stack}}</pre></section>{{end}}
<section><h2>Request</h2><table>
<tr><th>Method</th><td>{{.Method}}</td></tr><tr><th>URL</th><td>{{.URL}}</td></tr>
<tr><th>Route</th><td>{{.Pattern}}</td></tr><tr><th>Protocol</th><td>{{.Proto}}</td></tr>
<tr><th>Peer</th><td>{{.Remote}}</td></tr><tr><th>Client IP</th><td>{{.ClientIP}}</td></tr>
<tr><th>Request ID</th><td>{{.RequestID}}</td></tr></table>
<h3>Headers</h3><table>{{range .Headers}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table></section>
<footer>You see this page because ANODE_DEBUG is true. In production the client gets a plain page with the request ID and the details go to the log.</footer>
</body></html>
`))

// responseStarted reports whether the response written through w has
// begun. It asks the nearest writer in w's Unwrap chain that knows: a
// route timeout's (under its lock: its handler runs in a goroutine of its
// own, and after a timeout the App's writer belongs to the request's
// goroutine) or the App's; else the App's writer of st.
func responseStarted(w http.ResponseWriter, st *requestState) bool {
	for w != nil {
		switch x := w.(type) {
		case *timeoutWriter:
			return x.startedOrTimedOut()
		case *responseWriter:
			return x.started()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	return st != nil && st.rw.started()
}
