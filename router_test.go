package anode_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func ok(body string) anode.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		fmt.Fprint(w, body)
		return nil
	}
}

func pollsModule() anode.Module {
	return anode.Module{Name: "polls", Routes: func(r *anode.Router) {
		r.Get("/", ok("home")).Name("home")
		r.Group("/polls", func(r *anode.Router) {
			r.Get("/", ok("index")).Name("poll-index")
			r.Get("/{id}/", func(w http.ResponseWriter, r *http.Request) error {
				fmt.Fprintf(w, "detail %s", r.PathValue("id"))
				return nil
			}).Name("poll-detail")
			r.Post("/{id}/vote/", ok("voted")).Name("poll-vote")
		})
		r.Get("/files/{path...}", func(w http.ResponseWriter, r *http.Request) error {
			fmt.Fprintf(w, "file %s", r.PathValue("path"))
			return nil
		}).Name("poll-file")
		r.Mount("/legacy", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "legacy %s %s", r.Method, r.URL.Path)
		}))
	}}
}

func TestRouting(t *testing.T) {
	app := anodetest.NewApp(t, pollsModule())
	c := anodetest.NewClient(t, app)
	tests := []struct {
		method, path string
		status       int
		body         string
		location     string
		allow        string
	}{
		{"GET", "/", 200, "home", "", ""},
		{"GET", "/polls/", 200, "index", "", ""},
		{"GET", "/polls/7/", 200, "detail 7", "", ""},
		{"HEAD", "/polls/7/", 200, "", "", ""},
		{"POST", "/polls/7/vote/", 200, "voted", "", ""},
		{"GET", "/files/a/b/c.txt", 200, "file a/b/c.txt", "", ""},
		// Exact matching: a path ending in / does not swallow longer paths.
		{"GET", "/polls/7/extra/", 404, "", "", ""},
		{"GET", "/nowhere", 404, "", "", ""},
		// APPEND_SLASH: GET and HEAD redirect permanently, keeping the query.
		{"GET", "/polls/7", 301, "", "/polls/7/", ""},
		{"GET", "/polls/7?x=1&y=2", 301, "", "/polls/7/?x=1&y=2", ""},
		{"GET", "/polls", 301, "", "/polls/", ""},
		{"HEAD", "/polls/7", 301, "", "/polls/7/", ""},
		// Other methods are not redirected: the body would be lost.
		{"POST", "/polls/7/vote", 404, "trailing slash", "", ""},
		// 405 with Allow when the path exists for another method.
		{"POST", "/polls/7/", 405, "Method Not Allowed", "", "GET, HEAD"},
		{"DELETE", "/polls/7/vote/", 405, "", "", "POST"},
		// Mount strips the prefix and passes any method.
		{"PUT", "/legacy/x/y", 200, "legacy PUT /x/y", "", ""},
		// Health endpoints.
		{"GET", "/healthz", 200, "ok", "", ""},
		{"GET", "/readyz", 200, `"ready"`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := c.Request(tt.method, tt.path, nil, nil).AssertStatus(tt.status)
			if tt.body != "" {
				res.AssertContains(tt.body)
			}
			if tt.location != "" {
				res.AssertHeader("Location", tt.location)
			}
			if tt.allow != "" {
				res.AssertHeader("Allow", tt.allow)
			}
		})
	}
}

func TestAppendSlashOff(t *testing.T) {
	cfg := anodetest.Config(t)
	off := false
	cfg.AppendSlash = &off
	app := anodetest.NewAppConfig(t, cfg, pollsModule())
	c := anodetest.NewClient(t, app)
	c.Get("/polls/7").AssertStatus(404).AssertHeader("Location", "")
}

func TestURLReverse(t *testing.T) {
	app := anodetest.NewApp(t, pollsModule())
	tests := []struct {
		name string
		args []any
		want string
		err  string
	}{
		{"home", nil, "/", ""},
		{"poll-detail", []any{7}, "/polls/7/", ""},
		{"poll-detail", []any{int64(42)}, "/polls/42/", ""},
		{"poll-detail", []any{"a b/c?"}, "/polls/a%20b%2Fc%3F/", ""},
		{"poll-file", []any{"a/b c/d.txt"}, "/files/a/b%20c/d.txt", ""},
		{"poll-detail", nil, "", "takes 1 argument(s) (id), got 0"},
		{"poll-detail", []any{1, 2}, "", "takes 1 argument(s) (id), got 2"},
		{"poll-detail", []any{""}, "", "argument for {id} is empty"},
		{"poll", nil, "", "no route has this name"},
		{"poll-detial", nil, "", "no route has this name"},
	}
	for _, tt := range tests {
		got, err := app.URL(tt.name, tt.args...)
		if tt.err != "" {
			var ue *anode.URLError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("URL(%q, %v) error = %v, want *URLError containing %q", tt.name, tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("URL(%q, %v) = %q, %v; want %q", tt.name, tt.args, got, err, tt.want)
		}
	}
	// The reversed URL routes back to the same handler.
	u, _ := app.URL("poll-detail", "x y")
	anodetest.NewClient(t, app).Get(u).AssertStatus(200).AssertContains("detail x y")
}

func TestGroupMiddleware(t *testing.T) {
	tag := func(name string) anode.Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Trace", name)
				next.ServeHTTP(w, r)
			})
		}
	}
	app := anodetest.NewApp(t, anode.Module{Name: "m", Middleware: []anode.Middleware{tag("app")}, Routes: func(r *anode.Router) {
		r.Get("/open/", ok("open"))
		r.Group("/admin", func(g *anode.Router) {
			g.Use(tag("admin"))
			g.Get("/", ok("admin"))
			g.With(tag("extra")).Get("/x/", ok("x"))
			g.Group("/deep", func(d *anode.Router) {
				d.Use(tag("deep"))
				d.Get("/", ok("deep"))
			})
		})
	}})
	c := anodetest.NewClient(t, app)
	for path, want := range map[string]string{
		"/open/":       "app",
		"/admin/":      "app,admin",
		"/admin/x/":    "app,admin,extra",
		"/admin/deep/": "app,admin,deep",
		"/missing/":    "app", // app middleware wraps misses too
	} {
		res := c.Get(path)
		if got := strings.Join(res.Header.Values("X-Trace"), ","); got != want {
			t.Errorf("%s: middleware %q, want %q", path, got, want)
		}
	}
}

func TestRegistrationPanics(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *anode.Router)
		want  string
	}{
		{"duplicate name", func(r *anode.Router) {
			r.Get("/a/", ok("")).Name("x")
			r.Get("/b/", ok("")).Name("x")
		}, `route name "x"`},
		{"conflicting pattern", func(r *anode.Router) {
			r.Get("/a/{x}", ok(""))
			r.Get("/a/{y}", ok(""))
		}, `"GET /a/{x}" was registered at`},
		{"use after routes", func(r *anode.Router) {
			r.Get("/a/", ok(""))
			r.Use(func(h http.Handler) http.Handler { return h })
		}, "after routes were registered"},
		{"bad prefix", func(r *anode.Router) { r.Group("x", nil) }, "must start with /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(fmt.Sprint(p), tt.want) {
					t.Fatalf("panic %v, want one mentioning %q", p, tt.want)
				}
			}()
			tt.setup(anode.NewRouter())
		})
	}
}

func TestUseAfterStartPanics(t *testing.T) {
	app := anodetest.NewApp(t)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "after the app started") {
			t.Fatalf("panic %v", p)
		}
	}()
	app.Use(func(h http.Handler) http.Handler { return h })
}

func TestRouterStandalone(t *testing.T) {
	r := anode.NewRouter()
	r.Get("/x/{id}/", func(w http.ResponseWriter, r *http.Request) error {
		return anode.NewError(http.StatusTeapot, "short and stout", nil)
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/x/1/", nil))
	if rec.Code != http.StatusTeapot || !strings.Contains(rec.Body.String(), "short and stout") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestPathInt(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "ids", Routes: func(r *anode.Router) {
		r.Get("/items/{id}/", func(w http.ResponseWriter, r *http.Request) error {
			id, err := anode.PathInt(r, "id")
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "item %d", id)
			return nil
		})
	}})
	c := anodetest.NewClient(t, app)
	c.Get("/items/42/").AssertStatus(200).AssertContains("item 42")
	c.Get("/items/007/").AssertStatus(200).AssertContains("item 7")
	for _, bad := range []string{"abc", "-1", "+1", "1.5", "9223372036854775808", "%20"} {
		c.Get("/items/" + bad + "/").AssertStatus(404)
	}
}
