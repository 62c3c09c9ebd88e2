package orm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func TestQryAtomicRequests(t *testing.T) {
	forEachDB(t, []any{QryTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		var inTx bool
		mux := http.NewServeMux()
		create := func(w http.ResponseWriter, r *http.Request) *QryTag {
			tag := &QryTag{Slug: r.PathValue("slug"), Name: "n", Uses: len(r.PathValue("slug"))}
			// In a savepoint, so that on PostgreSQL a failed insert does not
			// abort the request's transaction.
			if err := db.Atomic(r.Context(), func(ctx context.Context) error { return orm.Create(ctx, db, tag) }); err != nil {
				http.Error(w, err.Error(), http.StatusConflict)
				return nil
			}
			// A nested Atomic is a savepoint only inside a transaction.
			inTx = db.Atomic(r.Context(), func(ctx context.Context) error { return nil }) == nil
			return tag
		}
		mux.HandleFunc("POST /ok/{slug}", func(w http.ResponseWriter, r *http.Request) {
			if tag := create(w, r); tag != nil {
				w.Header().Set("X-ID", strconv.FormatInt(tag.ID, 10))
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte("created"))
			}
		})
		mux.HandleFunc("POST /fail/{slug}", func(w http.ResponseWriter, r *http.Request) {
			create(w, r)
			http.Error(w, "boom", http.StatusServiceUnavailable)
		})
		mux.HandleFunc("POST /panic/{slug}", func(w http.ResponseWriter, r *http.Request) {
			create(w, r)
			panic("handler bug")
		})
		mux.HandleFunc("POST /aborted/{slug}", func(w http.ResponseWriter, r *http.Request) {
			orm.Create(r.Context(), db, &QryTag{Slug: r.PathValue("slug"), Name: "a"})
			orm.Create(r.Context(), db, &QryTag{Slug: r.PathValue("slug"), Name: "b"}) // unique violation, no savepoint
			w.Write([]byte("looks fine"))
		})
		mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
			if err := http.NewResponseController(w).Flush(); err == nil {
				t.Error("Flush inside AtomicRequests must fail")
			}
			w.Write([]byte("no stream"))
		})
		h := orm.AtomicRequests(db)(mux)
		do := func(method, path string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
			return rec
		}
		count := func(slug string) int64 {
			n, err := orm.From[QryTag](db).Filter("slug", slug).Count(ctx)
			must(t, err)
			return n
		}

		rec := do("POST", "/ok/kept")
		if rec.Code != http.StatusCreated || rec.Body.String() != "created" || rec.Header().Get("X-ID") == "" || count("kept") != 1 || !inTx {
			t.Fatalf("2xx: %d %q, header %q, rows %d, in a transaction %v", rec.Code, rec.Body.String(), rec.Header().Get("X-ID"), count("kept"), inTx)
		}
		rec = do("POST", "/fail/dropped")
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "boom") || count("dropped") != 0 {
			t.Fatalf("5xx must roll back: %d %q, rows %d", rec.Code, rec.Body.String(), count("dropped"))
		}
		func() {
			defer func() {
				if p := recover(); p != "handler bug" {
					t.Fatalf("the panic must continue, got %v", p)
				}
			}()
			do("POST", "/panic/panicked")
		}()
		if count("panicked") != 0 {
			t.Fatal("a panic must roll back")
		}
		// A 4xx commits (the handler chose to answer it), like Django.
		rec = do("POST", "/ok/kept")
		if rec.Code != http.StatusConflict || count("kept") != 1 {
			t.Fatalf("4xx: %d, rows %d", rec.Code, count("kept"))
		}
		// PostgreSQL aborts a transaction at its first error, so the commit
		// fails and the client must not see the handler's 200; SQLite
		// keeps the transaction and commits the first insert.
		rec = do("POST", "/aborted/twice")
		if db.Dialect().Name() == "postgres" {
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "looks fine") || count("twice") != 0 {
				t.Fatalf("failed commit: %d %q, rows %d", rec.Code, rec.Body.String(), count("twice"))
			}
		} else if rec.Code != http.StatusOK || count("twice") != 1 {
			t.Fatalf("SQLite commit: %d, rows %d", rec.Code, count("twice"))
		}
		if rec := do("GET", "/stream"); rec.Body.String() != "no stream" {
			t.Fatalf("stream body %q", rec.Body.String())
		}
		var unwrapped bool
		orm.AtomicRequests(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := w.(interface{ Unwrap() http.ResponseWriter })
			unwrapped = ok && u.Unwrap() != nil
		})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		if !unwrapped {
			t.Error("the wrapped writer must implement Unwrap")
		}
	})
}
