package anode_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

var errSecret = errors.New("pq: password authentication failed for user \"secret_db_user\"")

func errorsModule() anode.Module {
	return anode.Module{Name: "errs", Routes: func(r *anode.Router) {
		r.Get("/public/", func(w http.ResponseWriter, r *http.Request) error {
			return anode.NewError(http.StatusConflict, "That name is taken.", errSecret)
		})
		r.Get("/internal/", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("loading poll: %w", errSecret)
		})
		r.Get("/panic/", func(w http.ResponseWriter, r *http.Request) error {
			panic("boom: " + errSecret.Error())
		})
		r.Get("/notfound/", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("poll 7: %w", anode.ErrNotFound)
		})
		r.Get("/custom/", func(w http.ResponseWriter, r *http.Request) error {
			return teapotError{}
		})
		r.Get("/late/", func(w http.ResponseWriter, r *http.Request) error {
			w.Write([]byte("partial"))
			return errSecret
		})
	}}
}

// teapotError is a package-local typed error that knows its status.
type teapotError struct{}

func (teapotError) Error() string   { return "teapot" }
func (teapotError) HTTPStatus() int { return http.StatusTeapot }

func TestErrorRendering(t *testing.T) {
	for _, debug := range []bool{false, true} {
		cfg := anodetest.Config(t)
		cfg.Debug = debug
		app := anodetest.NewAppConfig(t, cfg, errorsModule())
		c := anodetest.NewClient(t, app)
		tests := []struct {
			path    string
			status  int
			message string
		}{
			{"/public/", 409, "That name is taken."},
			{"/internal/", 500, "Internal Server Error"},
			{"/panic/", 500, "Internal Server Error"},
			{"/notfound/", 404, "Not Found"},
			{"/custom/", 418, "I'm a teapot"},
		}
		for _, tt := range tests {
			name := fmt.Sprintf("debug=%v%s", debug, tt.path)
			t.Run(name+"/html", func(t *testing.T) {
				res := c.Request("GET", tt.path, nil, http.Header{"Accept": {"text/html,*/*"}}).
					AssertStatus(tt.status).
					AssertHeader("Content-Type", "text/html; charset=utf-8").
					AssertText(tt.message).
					AssertText("Request ID")
				if debug {
					if tt.status >= 500 && tt.path != "/panic/" {
						res.AssertContains("secret_db_user") // the chain is shown to the developer
					}
					if tt.path == "/panic/" {
						res.AssertContains("errors_test.go") // with the stack of the panic
					}
				} else {
					res.AssertNotContains("secret_db_user").AssertNotContains("errors_test.go").AssertNotContains("goroutine")
				}
			})
			t.Run(name+"/json", func(t *testing.T) {
				res := c.Request("GET", tt.path, nil, http.Header{"Accept": {"application/json"}}).
					AssertStatus(tt.status).
					AssertHeader("Content-Type", "application/json")
				var body struct {
					Error struct {
						Status    int      `json:"status"`
						Message   string   `json:"message"`
						RequestID string   `json:"request_id"`
						Chain     []string `json:"chain"`
					} `json:"error"`
				}
				res.JSON(&body)
				if body.Error.Status != tt.status || body.Error.Message != tt.message || body.Error.RequestID != res.Header.Get("X-Request-ID") {
					t.Errorf("body %+v", body.Error)
				}
				hasCause := tt.status >= 500 || tt.path == "/public/"
				if leaked := strings.Contains(string(res.Body), "secret_db_user"); leaked != (debug && hasCause) {
					t.Errorf("debug=%v: cause in body = %v:\n%s", debug, leaked, res.Body)
				}
			})
		}
	}
}

func TestErrorAfterResponseStarted(t *testing.T) {
	app := anodetest.NewApp(t, errorsModule())
	res := anodetest.NewClient(t, app).Get("/late/")
	// The handler's own 200 and body stand; the error only goes to the log.
	res.AssertStatus(200)
	if string(res.Body) != "partial" {
		t.Fatalf("body %q, want the handler's partial body untouched", res.Body)
	}
}

func TestPanicKeepsServing(t *testing.T) {
	app := anodetest.NewApp(t, errorsModule())
	c := anodetest.NewClient(t, app)
	for range 3 {
		c.Get("/panic/").AssertStatus(500)
	}
	c.Get("/healthz").AssertStatus(200)
}

func TestStatusErrorInterface(t *testing.T) {
	var se anode.StatusError = anode.NewError(404, "x", nil)
	if se.HTTPStatus() != 404 {
		t.Fatal(se.HTTPStatus())
	}
	err := fmt.Errorf("wrapped: %w", anode.NewError(http.StatusConflict, "dup", context.Canceled))
	if !errors.Is(err, context.Canceled) {
		t.Fatal("Error must unwrap to its cause")
	}
	var ae *anode.Error
	if !errors.As(err, &ae) || ae.Status != 409 {
		t.Fatal("errors.As to *anode.Error")
	}
	b, _ := json.Marshal(ae.Error())
	if !strings.Contains(string(b), "409 dup") {
		t.Fatal(string(b))
	}
}

// A Get that finds no row is a 404 wherever the handler returns it, as
// Django's get_object_or_404; the cause stays out of the page.
func TestORMNotFoundIs404(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "nf", Routes: func(r *anode.Router) {
		r.Get("/gone/", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("loading poll 7: %w", orm.ErrNotFound)
		})
		r.Get("/other/", func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("orm: object not found") // same text, not the sentinel
		})
	}})
	c := anodetest.NewClient(t, app)
	c.Get("/gone/").AssertStatus(404).AssertNotContains("poll 7")
	c.Get("/other/").AssertStatus(500)
}
