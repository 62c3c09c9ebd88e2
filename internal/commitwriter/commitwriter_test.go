package commitwriter_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anode-go/anode/internal/commitwriter"
)

type counter struct{ n int }

func (c *counter) Commit() { c.n++ }

// TestWriter checks which operations commit: a final status, a write and a
// flush do; an informational (1xx) status does not.
func TestWriter(t *testing.T) {
	cases := []struct {
		name string
		do   func(w http.ResponseWriter)
		want int
	}{
		{"1xx", func(w http.ResponseWriter) { w.WriteHeader(http.StatusEarlyHints) }, 0},
		{"status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }, 1},
		{"write", func(w http.ResponseWriter) { w.Write([]byte("x")) }, 1},
		{"flush", func(w http.ResponseWriter) { http.NewResponseController(w).Flush() }, 1},
	}
	for _, c := range cases {
		cn := &counter{}
		rec := httptest.NewRecorder()
		c.do(&commitwriter.Writer{ResponseWriter: rec, C: cn})
		if cn.n != c.want {
			t.Errorf("%s: %d commits, want %d", c.name, cn.n, c.want)
		}
	}
}
