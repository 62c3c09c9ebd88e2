package anode_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// tooMany is a leaf package's refusal: a status and a public message,
// without importing anode.
type tooMany struct{}

func (tooMany) Error() string         { return "forms: too many fields (limit 3) [internal detail]" }
func (tooMany) HTTPStatus() int       { return http.StatusBadRequest }
func (tooMany) PublicMessage() string { return "Too many fields: the limit is 3." }

func TestPublicErrorMessage(t *testing.T) {
	mod := anode.Module{Name: "pub", Routes: func(r *anode.Router) {
		r.Get("/leaf/", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("binding: %w", tooMany{})
		})
		r.Get("/own/", func(w http.ResponseWriter, r *http.Request) error {
			return anode.NewError(http.StatusConflict, "Own message.", tooMany{})
		})
		r.Get("/plain/", func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("secret detail")
		})
	}}
	c := anodetest.NewClient(t, anodetest.NewApp(t, mod))
	html := http.Header{"Accept": {"text/html"}}
	c.Request("GET", "/leaf/", nil, html).AssertStatus(400).AssertText("Too many fields: the limit is 3.").AssertNotContains("internal detail")
	c.Request("GET", "/own/", nil, html).AssertStatus(409).AssertText("Own message.").AssertNotContains("Too many fields")
	c.Request("GET", "/plain/", nil, html).AssertStatus(500).AssertNotContains("secret detail")
}
