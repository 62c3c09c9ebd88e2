package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/anode-go/anode/security"
)

// A plain net/http server protected by CSRF middleware (an anode.App needs
// none: CSRF is on by default, and templates write {{.CSRFField}}). The
// browser loads the form, gets the CSRF cookie and a token in a hidden
// field, and posts both back; a forged post from another site is refused.
func ExampleCSRF_Middleware() {
	csrf, err := security.NewCSRF(security.CSRFOptions{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /note", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<form method="post">%s<input name="text"></form>`, security.TokenField(r))
	})
	mux.HandleFunc("POST /note", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "saved %q", r.PostFormValue("text"))
	})
	h := csrf.Middleware(mux)

	page := httptest.NewRecorder()
	h.ServeHTTP(page, httptest.NewRequest("GET", "/note", nil))
	cookie := page.Result().Cookies()[0]
	_, rest, _ := strings.Cut(page.Body.String(), `value="`)
	token, _, _ := strings.Cut(rest, `"`)

	send := func(site string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/note", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site) // what browsers send
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ok := send("same-origin", url.Values{"csrf_token": {token}, "text": {"hello"}})
	fmt.Println(ok.Code, ok.Body)
	forged := send("cross-site", url.Values{"text": {"spam"}})
	fmt.Println(forged.Code)
	noToken := send("same-origin", url.Values{"text": {"spam"}})
	fmt.Println(noToken.Code)
	// Output:
	// 200 saved "hello"
	// 403
	// 403
}
