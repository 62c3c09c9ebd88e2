package compress_test

import (
	"bufio"
	"bytes"
	stdgzip "compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/internal/compress"
	"github.com/klauspost/compress/zstd"
)

// deadline bounds waits that only a broken middleware would make long; it
// is a failure guard, not a synchronisation device.
const deadline = 10 * time.Second

// get requests url from srv with the given Accept-Encoding.
func get(t *testing.T, srv *httptest.Server, ae string, trace *httptrace.ClientTrace) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set explicitly, so the transport neither adds gzip nor decodes.
	req.Header.Set("Accept-Encoding", ae)
	if trace != nil {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// streamReader decodes body incrementally, as a browser would.
func streamReader(t *testing.T, enc string, body io.Reader) io.Reader {
	t.Helper()
	switch enc {
	case "gzip":
		zr, err := stdgzip.NewReader(body)
		if err != nil {
			t.Fatal(err)
		}
		return zr
	case "zstd":
		zr, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(zr.Close)
		return zr
	}
	return body
}

// readFull reads len(want) bytes from r, failing the test if they do not
// arrive within deadline or differ from want.
func readFull(t *testing.T, r io.Reader, want []byte, what string) {
	t.Helper()
	got := make([]byte, len(want))
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(r, got)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("reading %s: %v", what, err)
		}
	case <-time.After(deadline):
		t.Fatalf("%s did not reach the client", what)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs", what)
	}
}

func TestFlushStreams(t *testing.T) {
	controller := func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }
	flusher := func(w http.ResponseWriter) error { w.(http.Flusher).Flush(); return nil }
	tests := []struct {
		name   string
		ae, ct string
		first  int
		flush  func(http.ResponseWriter) error
		wantCE string
	}{
		{"controller before threshold", "gzip", "text/plain", 100, controller, ""},
		{"Flusher before threshold", "zstd", "text/plain", 100, flusher, ""},
		{"nothing written yet", "gzip", "text/plain", 0, controller, ""},
		{"identity", "", "text/plain", 4096, controller, ""},
		{"event stream", "gzip", "text/event-stream", 4096, flusher, ""},
		{"controller after gzip started", "gzip", "text/plain", 4096, controller, "gzip"},
		{"Flusher after gzip started", "gzip", "text/plain", 4096, flusher, "gzip"},
		{"controller after zstd started", "zstd", "text/plain", 4096, controller, "zstd"},
		{"Flusher after zstd started", "zstd", "text/plain", 4096, flusher, "zstd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, second := text(tt.first), []byte("second part, written after the client saw the first")
			release := make(chan struct{})
			srv := httptest.NewServer(compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				w.Write(first)
				if err := tt.flush(w); err != nil {
					t.Errorf("flush: %v", err)
				}
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				w.Write(second)
			})))
			defer srv.Close()
			unblock := sync.OnceFunc(func() { close(release) })
			defer unblock() // runs first, so srv.Close need not wait

			resp := get(t, srv, tt.ae, nil)
			if ce := resp.Header.Get("Content-Encoding"); ce != tt.wantCE {
				t.Fatalf("Content-Encoding = %q, want %q", ce, tt.wantCE)
			}
			body := streamReader(t, tt.wantCE, resp.Body)
			readFull(t, body, first, "first chunk")
			unblock()
			rest, err := io.ReadAll(body)
			if err != nil {
				t.Fatalf("reading the rest: %v", err)
			}
			if !bytes.Equal(rest, second) {
				t.Fatalf("rest = %q, want %q", rest, second)
			}
		})
	}
}

func TestHijack(t *testing.T) {
	const raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
	tests := []struct {
		name   string
		hijack func(http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
	}{
		{"ResponseController", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}},
		{"Hijacker", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return w.(http.Hijacker).Hijack()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				conn, brw, err := tt.hijack(w)
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				defer conn.Close()
				brw.WriteString(raw)
				if err := brw.Flush(); err != nil {
					t.Errorf("writing raw response: %v", err)
				}
				if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrHijacked) {
					t.Errorf("Write after hijack: %v, want ErrHijacked", err)
				}
			})))
			defer srv.Close()

			resp := get(t, srv, "gzip, zstd", nil)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || string(body) != "hello" || resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("got %d %q (Content-Encoding %q), want the raw response", resp.StatusCode, body, resp.Header.Get("Content-Encoding"))
			}
		})
	}
}

// TestResponseController checks that deadlines and full duplex reach the
// connection through Unwrap, and that the response is still compressed.
func TestResponseController(t *testing.T) {
	body := text(4096)
	srv := httptest.NewServer(compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetReadDeadline: %v", err)
		}
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex: %v", err)
		}
		w.Write(body)
	})))
	defer srv.Close()

	resp := get(t, srv, "gzip", nil)
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", ce)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out := decode(t, "gzip", raw); !bytes.Equal(out, body) {
		t.Fatal("decoded body differs")
	}
}

// TestInformational checks that a 103 Early Hints goes out at once and the
// final response is still compressed.
func TestInformational(t *testing.T) {
	body := text(4096)
	srv := httptest.NewServer(compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</site.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		w.Header().Set("Content-Type", "text/html")
		w.Write(body)
	})))
	defer srv.Close()

	var got1xx []int
	resp := get(t, srv, "zstd", &httptrace.ClientTrace{
		Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
			got1xx = append(got1xx, code)
			return nil
		},
	})
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got1xx) != 1 || got1xx[0] != http.StatusEarlyHints {
		t.Errorf("informational responses = %v, want [103]", got1xx)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "zstd" {
		t.Fatalf("got %d, Content-Encoding %q; want 200 zstd", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if out := decode(t, "zstd", raw); !bytes.Equal(out, body) {
		t.Fatal("decoded body differs")
	}
}

// TestReaderFrom checks that io.Copy into the wrapped writer compresses:
// net/http's writer implements io.ReaderFrom, and reaching it would bypass
// the encoder.
func TestReaderFrom(t *testing.T) {
	body := text(100000)
	srv := httptest.NewServer(compress.Middleware(compress.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.Copy(w, bytes.NewReader(body))
	})))
	defer srv.Close()

	resp := get(t, srv, "gzip", nil)
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding = %q", ce)
	}
	if out := decode(t, "gzip", raw); !bytes.Equal(out, body) {
		t.Fatal("decoded body differs")
	}
}
