package compress_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/internal/compress"
	"github.com/klauspost/compress/zstd"
)

// text returns n bytes of compressible JSON-like text.
func text(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","tags":["a","b"]},`+"\n", i, i)
	}
	return b.Bytes()[:n]
}

// serve runs h behind Middleware(o) for a GET with the given Accept-Encoding.
func serve(t *testing.T, o compress.Options, ae string, h http.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if ae != "" {
		r.Header.Set("Accept-Encoding", ae)
	}
	w := httptest.NewRecorder()
	compress.Middleware(o)(h).ServeHTTP(w, r)
	return w
}

// decode undoes the Content-Encoding enc with the standard library's gzip
// reader or the zstd decoder.
func decode(t testing.TB, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "":
		return body
	case "gzip":
		zr, err := stdgzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("zstd: %v", err)
		}
		defer zr.Close()
		r = zr
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return out
}

func writeBody(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

func hasVary(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return true
		}
	}
	return false
}

func TestSkip(t *testing.T) {
	big := text(8192)
	typed := func(ct string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write(big)
		}
	}
	tests := []struct {
		name     string
		method   string
		reqHdr   http.Header
		h        http.HandlerFunc
		wantVary bool
	}{
		{"HEAD", http.MethodHead, nil, writeBody(big), false},
		{"CONNECT", http.MethodConnect, nil, writeBody(big), false},
		{"Connection upgrade", "GET", http.Header{"Connection": {"keep-alive, Upgrade"}, "Upgrade": {"websocket"}}, writeBody(big), false},
		{"Connection upgrade only", "GET", http.Header{"Connection": {"upgrade"}}, writeBody(big), false},
		{"Upgrade only", "GET", http.Header{"Upgrade": {"h2c"}}, writeBody(big), false},
		{"already encoded", "GET", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			w.Write(big)
		}, false},
		{"content range", "GET", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 0-8191/9000")
			w.Write(big)
		}, false},
		{"206", "GET", nil, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusPartialContent)
			w.Write(big)
		}, false},
		{"event stream", "GET", nil, typed("text/event-stream"), false},
		{"image/png", "GET", nil, typed("image/png"), false},
		{"IMAGE/JPEG", "GET", nil, typed("IMAGE/JPEG"), false},
		{"video/mp4", "GET", nil, typed("video/mp4"), false},
		{"audio/ogg", "GET", nil, typed("audio/ogg"), false},
		{"zip", "GET", nil, typed("application/zip"), false},
		{"gzip", "GET", nil, typed("application/gzip"), false},
		{"x-gzip", "GET", nil, typed("application/x-gzip"), false},
		{"zstd", "GET", nil, typed("application/zstd"), false},
		{"woff2", "GET", nil, typed("font/woff2"), false},
		{"octet-stream", "GET", nil, typed("application/octet-stream"), false},
		{"pdf with params", "GET", nil, typed("application/pdf; x=y"), false},
		{"sniffed binary", "GET", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Write(append([]byte{0, 1, 2, 3}, big...))
		}, false},
		{"below MinSize", "GET", nil, writeBody(big[:1023]), true},
		{"empty", "GET", nil, func(w http.ResponseWriter, r *http.Request) {}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wrapped bool
			h := func(w http.ResponseWriter, r *http.Request) {
				_, wrapped = w.(interface{ Unwrap() http.ResponseWriter })
				tt.h(w, r)
			}
			r := httptest.NewRequest(tt.method, "/", nil)
			for k, v := range tt.reqHdr {
				r.Header[k] = v
			}
			r.Header.Set("Accept-Encoding", "gzip, zstd")
			w := httptest.NewRecorder()
			compress.Middleware(compress.Options{})(http.HandlerFunc(h)).ServeHTTP(w, r)

			if ce := w.Header().Get("Content-Encoding"); ce != "" && ce != "br" {
				t.Fatalf("Content-Encoding = %q, want none", ce)
			}
			if got := hasVary(w.Header()); got != tt.wantVary {
				t.Errorf("Vary Accept-Encoding = %v, want %v", got, tt.wantVary)
			}
			if tt.method != http.MethodGet && wrapped {
				t.Errorf("%s request got a wrapped ResponseWriter", tt.method)
			}
			if tt.reqHdr != nil && wrapped {
				t.Error("upgrade request got a wrapped ResponseWriter")
			}
		})
	}
}

func TestStatusWithoutBody(t *testing.T) {
	for _, code := range []int{http.StatusNoContent, http.StatusNotModified} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			w := serve(t, compress.Options{MinSize: 1}, "gzip", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("ETag", `"v1"`)
				w.WriteHeader(code)
			})
			if w.Code != code {
				t.Fatalf("status = %d, want %d", w.Code, code)
			}
			if ce := w.Header().Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding = %q, want none", ce)
			}
			if et := w.Header().Get("ETag"); et != `"v1"` {
				t.Errorf("ETag = %q, want it untouched", et)
			}
			if w.Body.Len() != 0 {
				t.Errorf("body has %d bytes", w.Body.Len())
			}
		})
	}
}

func TestMinSize(t *testing.T) {
	tests := []struct {
		minSize, size, chunk int
		want                 string
	}{
		{0, 1023, 1023, ""},
		{0, 1024, 1024, "gzip"},
		{0, 1023, 1, ""},
		{0, 1024, 1, "gzip"},
		{0, 5000, 7, "gzip"},
		{100, 99, 10, ""},
		{100, 100, 10, "gzip"},
		{-1, 1, 1, "gzip"},
		{-1, 0, 1, ""},
		{1 << 16, 70000, 3000, "gzip"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("min%d/size%d/chunk%d", tt.minSize, tt.size, tt.chunk), func(t *testing.T) {
			body := text(tt.size)
			w := serve(t, compress.Options{MinSize: tt.minSize}, "gzip", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				for b := body; len(b) > 0; {
					n := min(tt.chunk, len(b))
					if k, err := w.Write(b[:n]); k != n || err != nil {
						t.Errorf("Write = %d, %v; want %d, nil", k, err, n)
					}
					b = b[n:]
				}
			})
			got := w.Header().Get("Content-Encoding")
			if got != tt.want {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.want)
			}
			cl := w.Header().Get("Content-Length")
			if got == "" && cl != strconv.Itoa(tt.size) {
				t.Errorf("Content-Length = %q, want %d", cl, tt.size)
			}
			if got != "" && cl != "" {
				t.Errorf("compressed response has Content-Length %q", cl)
			}
			if out := decode(t, got, w.Body.Bytes()); !bytes.Equal(out, body) {
				t.Errorf("body differs: got %d bytes, want %d", len(out), len(body))
			}
		})
	}
}

func TestCompressedHeaders(t *testing.T) {
	body := text(4096)
	tests := []struct {
		name              string
		etag, vary        []string
		wantETag          string
		wantVary          []string
		contentType, want string
	}{
		{"strong etag", []string{`"abc"`}, nil, `W/"abc"`, []string{"Accept-Encoding"}, "text/html", "text/html"},
		{"weak etag", []string{`W/"abc"`}, nil, `W/"abc"`, []string{"Accept-Encoding"}, "text/html", "text/html"},
		{"no etag", nil, []string{"Origin"}, "", []string{"Origin", "Accept-Encoding"}, "text/html", "text/html"},
		{"vary present", nil, []string{"Origin, accept-encoding"}, "", []string{"Origin, accept-encoding"}, "text/css", "text/css"},
		{"vary star", nil, []string{"*"}, "", []string{"*"}, "image/svg+xml", "image/svg+xml"},
		{"sniffed", nil, nil, "", []string{"Accept-Encoding"}, "", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, compress.Options{}, "zstd", func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h["Etag"] = tt.etag
				h["Vary"] = tt.vary
				if tt.contentType != "" {
					h.Set("Content-Type", tt.contentType)
				}
				h.Set("Content-Length", strconv.Itoa(len(body)))
				h.Set("Accept-Ranges", "bytes")
				w.Write(body)
			})
			h := w.Header()
			if ce := h.Get("Content-Encoding"); ce != "zstd" {
				t.Fatalf("Content-Encoding = %q, want zstd", ce)
			}
			for _, k := range []string{"Content-Length", "Accept-Ranges"} {
				if v, ok := h[k]; ok {
					t.Errorf("%s = %q, want it removed", k, v)
				}
			}
			if got := h.Get("ETag"); got != tt.wantETag {
				t.Errorf("ETag = %q, want %q", got, tt.wantETag)
			}
			if got := h.Values("Vary"); fmt.Sprint(got) != fmt.Sprint(tt.wantVary) {
				t.Errorf("Vary = %q, want %q", got, tt.wantVary)
			}
			if got := h.Get("Content-Type"); got != tt.want {
				t.Errorf("Content-Type = %q, want %q", got, tt.want)
			}
			if out := decode(t, "zstd", w.Body.Bytes()); !bytes.Equal(out, body) {
				t.Error("decoded body differs")
			}
		})
	}
}

// TestServeContentConditional checks that the weakened ETag still earns a
// 304 from http.ServeContent, whose If-None-Match uses weak comparison.
func TestServeContentConditional(t *testing.T) {
	body := text(10000)
	h := compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "data.json", time.Time{}, bytes.NewReader(body))
	}))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	etag := w.Header().Get("ETag")
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || etag != `W/"v1"` {
		t.Fatalf("first response: %d, Content-Encoding %q, ETag %q", w.Code, w.Header().Get("Content-Encoding"), etag)
	}
	if out := decode(t, "gzip", w.Body.Bytes()); !bytes.Equal(out, body) {
		t.Fatal("decoded body differs")
	}

	r.Header.Set("If-None-Match", etag)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNotModified {
		t.Fatalf("conditional response: %d, want 304", w.Code)
	}
}

func TestWriteHeader(t *testing.T) {
	big := text(4096)
	tests := []struct {
		name     string
		h        http.HandlerFunc
		wantCode int
		wantBody []byte
	}{
		{"implicit 200", func(w http.ResponseWriter, r *http.Request) { w.Write(big) }, 200, big},
		{"first wins", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(big)
			w.WriteHeader(http.StatusBadGateway)
		}, 201, big},
		{"status only", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }, 202, nil},
		{"empty writes", func(w http.ResponseWriter, r *http.Request) { w.Write(nil); w.Write([]byte{}) }, 200, nil},
		{"flush first", func(w http.ResponseWriter, r *http.Request) { w.(http.Flusher).Flush(); w.Write(big) }, 200, big},
		{"404 compressed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.Write(big)
		}, 404, big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, compress.Options{}, "gzip", tt.h)
			if w.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", w.Code, tt.wantCode)
			}
			out := decode(t, w.Header().Get("Content-Encoding"), w.Body.Bytes())
			if !bytes.Equal(out, tt.wantBody) {
				t.Errorf("body = %d bytes, want %d", len(out), len(tt.wantBody))
			}
		})
	}
}

// TestUseAfterReturn checks that a writer kept past its handler fails
// instead of writing into a finished response.
func TestUseAfterReturn(t *testing.T) {
	var kept http.ResponseWriter
	serve(t, compress.Options{}, "gzip", func(w http.ResponseWriter, r *http.Request) { kept = w })
	if _, err := kept.Write([]byte("late")); err == nil {
		t.Error("Write after return succeeded")
	}
	if err := http.NewResponseController(kept).Flush(); err == nil {
		t.Error("Flush after return succeeded")
	}
	kept.WriteHeader(http.StatusTeapot) // must not panic
}

func TestLevels(t *testing.T) {
	body := text(100000)
	for _, level := range []int{-3, -2, -1, 0, 1, 5, 9} {
		t.Run(strconv.Itoa(level), func(t *testing.T) {
			w := serve(t, compress.Options{Level: level}, "gzip", writeBody(body))
			if ce := w.Header().Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Content-Encoding = %q", ce)
			}
			if out := decode(t, "gzip", w.Body.Bytes()); !bytes.Equal(out, body) {
				t.Fatal("decoded body differs")
			}
		})
	}
	for _, level := range []int{-4, 10} {
		t.Run(strconv.Itoa(level), func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "compress: ") || !strings.Contains(msg, strconv.Itoa(level)) {
					t.Errorf("panic = %q, want one naming the level", msg)
				}
			}()
			compress.Middleware(compress.Options{Level: level})
		})
	}
}

// TestConcurrent shares one middleware between goroutines so -race can
// check the pools and a mix-up of pooled encoders would garble bodies.
func TestConcurrent(t *testing.T) {
	h := compress.Middleware(compress.Options{MinSize: 64})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Write(text(n))
	}))
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			for j := range 20 {
				n := 64 + (i*7919+j*104729)%50000
				enc := [...]string{"gzip", "zstd", ""}[(i+j)%3]
				r := httptest.NewRequest(http.MethodGet, "/?n="+strconv.Itoa(n), nil)
				r.Header.Set("Accept-Encoding", enc)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if ce := w.Header().Get("Content-Encoding"); ce != enc {
					t.Errorf("n=%d: Content-Encoding = %q, want %q", n, ce, enc)
					return
				}
				if out := decode(t, enc, w.Body.Bytes()); !bytes.Equal(out, text(n)) {
					t.Errorf("n=%d %s: body differs", n, enc)
					return
				}
			}
		})
	}
	wg.Wait()
}

// discardWriter is a minimal ResponseWriter, so the benchmark measures the
// middleware rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkMiddleware(b *testing.B) {
	body := text(4096)
	for _, enc := range []string{"gzip", "zstd", "identity"} {
		b.Run(enc, func(b *testing.B) {
			h := compress.Middleware(compress.Options{})(writeBody(body))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Accept-Encoding", enc)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}

// The Vary value added for a client that accepts no encoding lives in the
// slot the caller provides, and an existing Vary header is extended, never
// written into the slot.
func TestVarySlot(t *testing.T) {
	var slot [1]string
	h := compress.Middleware(compress.Options{VarySlot: func(*http.Request) *[1]string { return &slot }})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hi"))
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header()["Vary"]; len(got) != 1 || got[0] != "Accept-Encoding" || &got[0] != &slot[0] {
		t.Fatalf("Vary = %q (slot %q), want Accept-Encoding stored in the slot", got, slot[0])
	}
	slot[0] = ""
	w = httptest.NewRecorder()
	w.Header().Set("Vary", "Cookie")
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Values("Vary"); len(got) != 2 || got[0] != "Cookie" || got[1] != "Accept-Encoding" || slot[0] != "" {
		t.Fatalf("Vary = %q (slot %q), want Cookie, Accept-Encoding and the slot unused", got, slot[0])
	}
}
