package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/anode-go/anode/session"
)

// An anode.App makes sessions by itself; a plain net/http server wraps its
// handler with Manager.Middleware. A login handler rotates the key, and
// typed values come back as their type.
func Example() {
	m := session.NewManager(session.Options{
		Store: session.NewCookieStore([]byte("derive this key from the secret key")),
	})
	type prefs struct{ Theme string }
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Rotate(r.Context()); err != nil { // session fixation defence
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		s.SetUserID("42")
		session.Set(s, "prefs", prefs{Theme: "dark"})
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		p, ok := session.Get[prefs](s, "prefs")
		fmt.Fprintf(w, "user %q, theme %q (%v)", s.UserID(), p.Theme, ok)
	})
	h := m.Middleware(mux)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/login", nil))
	cookie := w.Result().Cookies()[0]

	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookie)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output: user "42", theme "dark" (true)
}
