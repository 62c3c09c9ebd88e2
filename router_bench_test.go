package anode_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anode-go/anode"
)

// benchPaths is a 50-route table shaped like a real app: static pages, REST
// resources with IDs, nested resources and a catch-all.
var benchPaths = func() []string {
	var p []string
	for _, res := range []string{"users", "polls", "choices", "votes", "comments", "tags", "teams", "projects"} {
		p = append(p,
			"/api/v1/"+res+"/",
			"/api/v1/"+res+"/{id}/",
			"/api/v1/"+res+"/{id}/history/",
			"/"+res+"/",
			"/"+res+"/{id}/",
			"/"+res+"/{id}/edit/",
		)
	}
	return append(p, "/about/", "/files/{path...}")
}()

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

var benchBody = []byte("ok")

// BenchmarkRouter compares a hit on anode's Router with the same hit on a bare
// http.ServeMux holding the same 50 patterns (anode's final patterns, {$}
// included, so both muxes do the same matching work).
func BenchmarkRouter(b *testing.B) {
	if len(benchPaths) != 50 {
		b.Fatalf("%d routes", len(benchPaths))
	}
	r := anode.NewRouter()
	for _, p := range benchPaths {
		r.Get(p, func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write(benchBody)
			return err
		})
	}
	mux := http.NewServeMux()
	for _, p := range benchPaths {
		pat := "GET " + p
		if p[len(p)-1] == '/' {
			pat += "{$}"
		}
		mux.HandleFunc(pat, func(w http.ResponseWriter, r *http.Request) { w.Write(benchBody) })
	}
	for _, c := range []struct{ name, path string }{
		{"static", "/about/"},
		{"param", "/api/v1/projects/42/history/"},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"servemux", mux}, {"anode", r}} {
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					h.h.ServeHTTP(w, req)
				}
			})
		}
	}
}

// BenchmarkApp measures a full request through the App — request ID, client
// IP, recorder, compression negotiation, JSON access log (to io.Discard),
// router and route — beside the same handler called bare, in the same run.
// The difference is what the framework adds per request; net/http's own
// connection work, identical for both, is outside the measurement.
func BenchmarkApp(b *testing.B) {
	app := anode.New(anode.Config{SecretKey: "bench", AllowedHosts: []string{"example.com"}})
	app.SetLogOutput(io.Discard)
	handler := func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := w.Write(benchBody)
		return err
	}
	app.Install(anode.Module{Name: "bench", Routes: func(r *anode.Router) {
		for i, p := range benchPaths {
			r.Get(p, handler).Name(fmt.Sprint("r", i))
		}
	}})
	bare := http.NewServeMux()
	bare.HandleFunc("GET /about/{$}", func(w http.ResponseWriter, r *http.Request) { handler(w, r) })
	for _, c := range []struct {
		name string
		h    http.Handler
		ae   string
		// fresh gives every request a new header map, as net/http does;
		// the other cases reuse one, which hides the map's growth.
		fresh bool
	}{
		{"bare", bare, "", false},
		{"anode", app.Handler(), "", false},
		{"anode-gzip-accepted", app.Handler(), "gzip", false},
		{"bare-fresh-header", bare, "", true},
		{"anode-fresh-header", app.Handler(), "", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/about/", nil)
			if c.ae != "" {
				req.Header.Set("Accept-Encoding", c.ae)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				if c.fresh {
					w.h = make(http.Header)
				} else {
					clear(w.h)
				}
				c.h.ServeHTTP(w, req)
			}
		})
	}
}
