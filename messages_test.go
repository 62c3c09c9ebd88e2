package anode_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/messages"
)

// The App installs the messages middleware: a POST adds a message, the page
// after the redirect shows it, and the next one does not — through the whole
// default stack, including a route with a timeout.
func TestAppMessages(t *testing.T) {
	list := func(w http.ResponseWriter, r *http.Request) error {
		var texts []string
		for _, m := range messages.FromRequest(r) {
			texts = append(texts, m.LevelTag()+":"+m.Text)
		}
		w.Write([]byte("[" + strings.Join(texts, ",") + "]"))
		return nil
	}
	app := anodetest.NewApp(t, anode.Module{Name: "polls", Routes: func(r *anode.Router) {
		r.Post("/polls/", func(w http.ResponseWriter, r *http.Request) error {
			messages.Success(r, "Poll created")
			http.Redirect(w, r, "/polls/", http.StatusSeeOther)
			return nil
		})
		r.Post("/slow/", func(w http.ResponseWriter, r *http.Request) error {
			if err := messages.Add(r, messages.LevelError, "Slow but saved"); err != nil {
				return err
			}
			return &anode.Error{Status: http.StatusBadRequest, Message: "no"}
		}).Timeout(time.Second)
		r.Get("/polls/", list)
		r.Post("/quiet/", func(w http.ResponseWriter, r *http.Request) error {
			messages.Info(r, "Saved without a body")
			return nil // writes nothing: the App saves the messages before net/http's 200
		})
		r.Get("/plain/", func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte("plain"))
			return err
		})
	}})
	c := anodetest.NewClient(t, app)
	c.Post("/polls/", url.Values{}).AssertRedirect("/polls/")
	c.Get("/polls/").AssertText("[success:Poll created]")
	c.Get("/polls/").AssertText("[]")

	// An error response rendered by the App carries the cookie too.
	c.Post("/slow/", url.Values{}).AssertStatus(http.StatusBadRequest)
	c.Get("/polls/").AssertText("[error:Slow but saved]")
	if ck := c.Cookie("/", messages.DefaultCookieName); ck != nil {
		t.Errorf("messages cookie left after showing: %v", ck)
	}

	c.Post("/quiet/", url.Values{}).AssertStatus(http.StatusOK)
	c.Get("/polls/").AssertText("[info:Saved without a body]")

	// A request that never touches messages sets no cookie.
	if res := c.Get("/plain/").AssertText("plain"); len(res.Header["Set-Cookie"]) != 0 {
		t.Errorf("a request without messages set cookies: %v", res.Header["Set-Cookie"])
	}
}
