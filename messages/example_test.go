package messages_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/anode-go/anode/messages"
)

// A message added while handling a POST travels in the redirect's cookie and
// is shown, once, by the page the browser loads next. In an App the
// middleware is already installed; here it is wired by hand.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /polls/", func(w http.ResponseWriter, r *http.Request) {
		messages.Success(r, "Poll created")
		messages.Warning(r, "Voting opens tomorrow", "sticky")
		http.Redirect(w, r, "/polls/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /polls/", func(w http.ResponseWriter, r *http.Request) {
		for _, m := range messages.FromRequest(r) { // what the template engine calls
			fmt.Fprintf(w, "<li class=%q>%s</li>\n", m.Tags(), m.Text)
		}
	})
	key := []byte("a key derived for messages alone")
	h := messages.Middleware(messages.Options{Store: messages.NewCookieStore(key)})(mux)

	post := httptest.NewRecorder()
	h.ServeHTTP(post, httptest.NewRequest("POST", "/polls/", nil))
	cookie := post.Result().Cookies()[0]

	get := httptest.NewRequest("GET", "/polls/", nil)
	get.AddCookie(cookie)
	page := httptest.NewRecorder()
	h.ServeHTTP(page, get)
	fmt.Print(page.Body)
	fmt.Println("cleared:", page.Result().Cookies()[0].MaxAge < 0)
	// Output:
	// <li class="success">Poll created</li>
	// <li class="sticky warning">Voting opens tomorrow</li>
	// cleared: true
}
