package anode_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/anode-go/anode"
)

// A module registers its routes; the App reverses them by name.
func ExampleApp_URL() {
	app := anode.New(anode.Config{SecretKey: "example", AllowedHosts: []string{"example.com"}})
	app.Install(anode.Module{Name: "polls", Routes: func(r *anode.Router) {
		r.Group("/polls", func(r *anode.Router) {
			r.Get("/{id}/", func(w http.ResponseWriter, r *http.Request) error {
				_, err := fmt.Fprintf(w, "poll %s", r.PathValue("id"))
				return err
			}).Name("poll-detail")
		})
	}})
	u, _ := app.URL("poll-detail", 7)
	fmt.Println(u)
	_, err := app.URL("poll-detail")
	fmt.Println(err)
	// Output:
	// /polls/7/
	// anode: url "poll-detail": pattern "GET /polls/{id}/{$}" takes 1 argument(s) (id), got 0
}

// Handlers return errors; the App renders them as HTML or JSON.
func ExampleNewError() {
	app := anode.New(anode.Config{SecretKey: "example", AllowedHosts: []string{"example.com"}})
	app.SetLogOutput(io.Discard)
	app.Install(anode.Module{Name: "polls", Routes: func(r *anode.Router) {
		r.Get("/polls/{id}/", func(w http.ResponseWriter, r *http.Request) error {
			return anode.NewError(http.StatusNotFound, "No poll with that number.", nil)
		})
	}})
	req := httptest.NewRequest("GET", "/polls/9/", nil)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 404 application/json
}

// Groups share a prefix and middleware; routes can set their own limits.
func ExampleRouter_Group() {
	app := anode.New(anode.Config{SecretKey: "example", AllowedHosts: []string{"example.com"}})
	app.SetLogOutput(io.Discard)
	requireToken := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				anode.RenderError(w, r, anode.NewError(http.StatusUnauthorized, "Token required.", nil))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	app.Install(anode.Module{Name: "api", Routes: func(r *anode.Router) {
		r.Group("/api", func(api *anode.Router) {
			api.Use(requireToken)
			api.Post("/uploads/", func(w http.ResponseWriter, r *http.Request) error {
				n, err := io.Copy(io.Discard, r.Body)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(w, "stored %d bytes", n)
				return err
			}).MaxBody(100 << 20).Timeout(time.Minute)
		})
	}})
	// Without a Bearer token, the POST is checked for CSRF first: no token, 403.
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("POST", "/api/uploads/", nil))
	fmt.Println(rec.Code)
	// An API client's Bearer token (and no cookie) also means no CSRF token
	// is needed: a browser never sends such a request by itself.
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/uploads/", strings.NewReader("hello"))
	req.Header.Set("Authorization", "Bearer demo")
	app.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 403
	// 200 stored 5 bytes
}

// Modules declare typed settings read from the environment.
func ExampleVar() {
	var pageSize int
	app := anode.New(anode.LoadConfig(map[string]string{"ANODE_SECRET_KEY": "k", "ANODE_POLLS_PAGE_SIZE": "50"}, ""))
	app.Install(anode.Module{Name: "polls", Settings: []anode.Setting{
		anode.Var(&pageSize, "ANODE_POLLS_PAGE_SIZE", 20, "questions per page"),
	}})
	fmt.Println(pageSize)
	// Output: 50
}
