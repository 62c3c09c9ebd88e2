package compress_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/anode-go/anode/internal/compress"
)

func ExampleMiddleware() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, strings.Repeat("all quiet\n", 200))
	})
	h := compress.Middleware(compress.Options{})(mux)

	for _, ae := range []string{"gzip, deflate, br, zstd", "gzip", "identity"} {
		r := httptest.NewRequest(http.MethodGet, "/report", nil)
		r.Header.Set("Accept-Encoding", ae)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%-24q -> %q, Vary: %s\n", ae, w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
	}
	// Output:
	// "gzip, deflate, br, zstd" -> "zstd", Vary: Accept-Encoding
	// "gzip"                   -> "gzip", Vary: Accept-Encoding
	// "identity"               -> "", Vary: Accept-Encoding
}
