package compress_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anode-go/anode/internal/compress"
)

func TestNegotiate(t *testing.T) {
	body := text(4096)
	tests := []struct {
		ae          string
		disableZstd bool
		want        string
	}{
		{"", false, ""},
		{"identity", false, ""},
		{"br, deflate", false, ""},
		{"gzip", false, "gzip"},
		{"GZIP", false, "gzip"},
		{"x-gzip", false, "gzip"},
		{"zstd", false, "zstd"},
		{"gzip, deflate, br, zstd", false, "zstd"},
		{"zstd;q=0, gzip", false, "gzip"},
		{"zstd; q=0.0, gzip", false, "gzip"},
		{"gzip;q=0", false, ""},
		{"gzip;q=0.000, identity", false, ""},
		{"gzip;q=1, zstd;q=0.5", false, "gzip"},
		{"gzip;q=0.5, zstd;q=0.5", false, "zstd"},
		{"gzip ; q=0.8 , zstd ; q=0.9", false, "zstd"},
		{"gzip;Q=0.2", false, "gzip"},
		{"gzip;q=bogus", false, ""},
		{"gzip;q=1.5", false, ""},
		{"gzip;q=0.0001", false, ""},
		{"*", false, "zstd"},
		{"*;q=0", false, ""},
		{"*, zstd;q=0", false, "gzip"},
		{"*;q=0, gzip", false, "gzip"},
		{"*;q=0.1, gzip;q=0.5", false, "gzip"},
		{",, ;, gzip,", false, "gzip"},
		{"zstd", true, ""},
		{"zstd, gzip", true, "gzip"},
		{"*", true, "gzip"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/disableZstd=%v", tt.ae, tt.disableZstd), func(t *testing.T) {
			w := serve(t, compress.Options{DisableZstd: tt.disableZstd}, tt.ae, writeBody(body))
			got := w.Header().Get("Content-Encoding")
			if got != tt.want {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.want)
			}
			if !hasVary(w.Header()) {
				t.Errorf("Vary = %q, want Accept-Encoding", w.Header().Values("Vary"))
			}
			if out := decode(t, got, w.Body.Bytes()); !bytes.Equal(out, body) {
				t.Errorf("decoded body differs: got %d bytes, want %d", len(out), len(body))
			}
		})
	}
}

func TestNegotiateSeveralHeaderLines(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Add("Accept-Encoding", "zstd;q=0")
	r.Header.Add("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	compress.Middleware(compress.Options{})(writeBody(text(4096))).ServeHTTP(w, r)
	if got := w.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
}

func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range []string{"", "gzip", "zstd;q=0.5, gzip;q=0.6", "*;q=0", "gzip;q=", ";;,,;q=1", "x-gzip;q=1.000;foo=bar"} {
		f.Add(s)
	}
	h := compress.Middleware(compress.Options{})(writeBody(text(2000)))
	f.Fuzz(func(t *testing.T, ae string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Accept-Encoding"] = []string{ae}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if out := decode(t, w.Header().Get("Content-Encoding"), w.Body.Bytes()); !bytes.Equal(out, text(2000)) {
			t.Fatalf("Accept-Encoding %q: body differs", ae)
		}
	})
}
