package security_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// plain returns a net/http handler under CSRF middleware: GET /token
// hands out a token, POST /echo returns the body the handler read.
func plain(t testing.TB, o security.CSRFOptions) http.Handler {
	t.Helper()
	c, err := security.NewCSRF(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, security.Token(r)) })
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			http.Error(w, err.Error(), 400)
			return
		}
		io.WriteString(w, r.FormValue("name"))
		if r.MultipartForm != nil {
			for _, fh := range r.MultipartForm.File["file"] {
				f, _ := fh.Open()
				b, _ := io.ReadAll(f)
				f.Close()
				w.Write(b)
			}
		}
	})
	mux.HandleFunc("POST /rotate", func(w http.ResponseWriter, r *http.Request) { security.Rotate(r) })
	return c.Middleware(mux)
}

// fetchToken GETs /token and returns the token and the cookie set with it.
func fetchToken(t *testing.T, h http.Handler) (string, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/token", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("GET /token set %d cookies", len(cookies))
	}
	return rec.Body.String(), cookies[0]
}

func post(h http.Handler, path, ctype string, body io.Reader, ck *http.Cookie, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if ck != nil {
		req.AddCookie(ck)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCSRFCookie(t *testing.T) {
	h := plain(t, security.CSRFOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/plain", nil))
	if rec.Header().Get("Set-Cookie") != "" || rec.Header().Get("Vary") != "" {
		t.Fatalf("a page that asks for no token got %q", rec.Header())
	}

	tok, ck := fetchToken(t, h)
	if ck.Name != "csrftoken" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" || ck.MaxAge < 300*24*3600 {
		t.Errorf("cookie %+v", ck)
	}
	if strings.Contains(tok, ck.Value) {
		t.Errorf("token %q shows the secret", tok)
	}

	// HTTPS: __Host- prefix and Secure.
	req := httptest.NewRequest("GET", "https://example.com/token", nil)
	req.TLS = &tls.ConnectionState{}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	c := rec.Result().Cookies()[0]
	if c.Name != "__Host-csrftoken" || !c.Secure || c.Domain != "" || c.Path != "/" {
		t.Errorf("HTTPS cookie %+v", c)
	}
	if !strings.Contains(rec.Header().Get("Vary"), "Cookie") {
		t.Errorf("Vary %q: a page with a token varies by cookie", rec.Header().Get("Vary"))
	}

	// A second page reuses the cookie's secret: no new cookie, new token.
	req = httptest.NewRequest("GET", "/token", nil)
	req.AddCookie(ck)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Set-Cookie") != "" || rec.Body.String() == tok {
		t.Errorf("second page: Set-Cookie %q, token repeated %v", rec.Header().Get("Set-Cookie"), rec.Body.String() == tok)
	}
}

func TestCSRFBodies(t *testing.T) {
	h := plain(t, security.CSRFOptions{})
	tok, ck := fetchToken(t, h)
	form := url.Values{"name": {"ada"}, "csrf_token": {tok}}.Encode()

	t.Run("urlencoded field, body replayed", func(t *testing.T) {
		rec := post(h, "/echo", "application/x-www-form-urlencoded", strings.NewReader(form), ck, nil)
		if rec.Code != 200 || rec.Body.String() != form {
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
		rec = post(h, "/form", "application/x-www-form-urlencoded", strings.NewReader(form), ck, nil)
		if rec.Code != 200 || rec.Body.String() != "ada" {
			t.Fatalf("ParseForm after the check: %d %q", rec.Code, rec.Body)
		}
	})
	t.Run("multipart field before a file", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf_token", tok)
		mw.WriteField("name", "ada")
		fw, _ := mw.CreateFormFile("file", "a.txt")
		fw.Write(bytes.Repeat([]byte("x"), 100_000))
		mw.Close()
		rec := post(h, "/form", mw.FormDataContentType(), bytes.NewReader(b.Bytes()), ck, nil)
		if rec.Code != 200 || rec.Body.String() != "ada"+strings.Repeat("x", 100_000) {
			t.Fatalf("%d %.80q", rec.Code, rec.Body)
		}
	})
	t.Run("multipart field after a file", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "a.txt")
		fw.Write([]byte("data"))
		mw.WriteField("csrf_token", tok)
		mw.Close()
		rec := post(h, "/form", mw.FormDataContentType(), bytes.NewReader(b.Bytes()), ck, nil)
		if rec.Code != 403 {
			t.Fatalf("token after the file: %d, want 403 (the scan stops at files)", rec.Code)
		}
		// The header works whatever the body.
		rec = post(h, "/form", mw.FormDataContentType(), bytes.NewReader(b.Bytes()), ck, map[string]string{"X-CSRF-Token": tok})
		if rec.Code != 200 || rec.Body.String() != "data" {
			t.Fatalf("with the header: %d %q", rec.Code, rec.Body)
		}
	})
	t.Run("JSON needs the header", func(t *testing.T) {
		body := `{"csrf_token":"` + tok + `"}`
		if rec := post(h, "/echo", "application/json", strings.NewReader(body), ck, nil); rec.Code != 403 {
			t.Fatalf("token in JSON: %d, want 403", rec.Code)
		}
		rec := post(h, "/echo", "application/json", strings.NewReader(body), ck, map[string]string{"X-CSRF-Token": tok})
		if rec.Code != 200 || rec.Body.String() != body {
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
	})
	t.Run("body over the limit", func(t *testing.T) {
		small := plain(t, security.CSRFOptions{MaxFormBytes: 64})
		tok, ck := fetchToken(t, small)
		body := url.Values{"csrf_token": {tok}, "pad": {strings.Repeat("p", 100)}}.Encode()
		rec := post(small, "/echo", "application/x-www-form-urlencoded", io.MultiReader(strings.NewReader(body)), ck, nil)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("%d, want 413", rec.Code)
		}
	})
}

func TestCSRFBearer(t *testing.T) {
	h := plain(t, security.CSRFOptions{})
	_, ck := fetchToken(t, h)
	cases := []struct {
		name   string
		auth   string
		cookie *http.Cookie
		want   int
	}{
		{"Bearer, no cookie", "Bearer anode_x", nil, 200},
		{"bearer in lower case", "bearer anode_x", nil, 200},
		{"Bearer with a cookie", "Bearer anode_x", ck, 403},
		{"Basic (browsers send it by themselves)", "Basic YTpi", nil, 403},
		{"no Authorization", "", nil, 403},
	}
	for _, c := range cases {
		hdr := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}
		if c.auth != "" {
			hdr["Authorization"] = c.auth
		}
		if rec := post(h, "/echo", "application/json", strings.NewReader("{}"), c.cookie, hdr); rec.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.want)
		}
	}
}

func TestCSRFRotate(t *testing.T) {
	h := plain(t, security.CSRFOptions{})
	tok, ck := fetchToken(t, h)
	rec := post(h, "/rotate", "", nil, ck, map[string]string{"X-CSRF-Token": tok})
	cookies := rec.Result().Cookies()
	if rec.Code != 200 || len(cookies) != 1 || cookies[0].Value == ck.Value || cookies[0].Value == "" {
		t.Fatalf("rotate: %d, cookies %v", rec.Code, cookies)
	}
	if rec := post(h, "/echo", "", nil, cookies[0], map[string]string{"X-CSRF-Token": tok}); rec.Code != 403 {
		t.Errorf("token from before the rotation: %d, want 403", rec.Code)
	}
	// A refused request sets no cookie.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/rotate", nil))
	if rec.Code != 403 || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("refused rotate: %d, Set-Cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

func TestCSRFExemptOption(t *testing.T) {
	h := plain(t, security.CSRFOptions{Exempt: func(r *http.Request) bool { return r.URL.Path == "/echo" }})
	if rec := post(h, "/echo", "", strings.NewReader("hook"), nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != 200 {
		t.Errorf("exempt: %d", rec.Code)
	}
	if rec := post(h, "/form", "", nil, nil, nil); rec.Code != 403 {
		t.Errorf("not exempt: %d", rec.Code)
	}
}

func TestNewCSRFRejectsBadOrigins(t *testing.T) {
	for _, o := range []string{"example.com", "https://example.com/path", "://x"} {
		if _, err := security.NewCSRF(security.CSRFOptions{TrustedOrigins: []string{o}}); err == nil {
			t.Errorf("trusted origin %q accepted", o)
		}
	}
}

// With UseSessions the secret lives in the session: no CSRF cookie, and
// the session cookie carries it.
func TestCSRFUseSessions(t *testing.T) {
	m := session.NewManager(session.Options{Store: session.NewCookieStore(signing.DeriveKey("k", "test"))})
	c, err := security.NewCSRF(security.CSRFOptions{UseSessions: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, security.Token(r)) })
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := m.Middleware(c.Middleware(mux))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/token", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "sessionid" {
		t.Fatalf("cookies %v, want the session's only", cookies)
	}
	tok := rec.Body.String()
	if rec := post(h, "/echo", "", nil, cookies[0], map[string]string{"X-CSRF-Token": tok}); rec.Code != 200 {
		t.Errorf("valid token: %d", rec.Code)
	}
	if rec := post(h, "/echo", "", nil, nil, map[string]string{"X-CSRF-Token": tok}); rec.Code != 403 {
		t.Errorf("no session: %d, want 403", rec.Code)
	}
}

// BenchmarkCSRF measures a page asking for a token and a POST checked
// with the header, through the plain middleware.
func BenchmarkCSRF(b *testing.B) {
	h := plain(b, security.CSRFOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/token", nil))
	ck := rec.Result().Cookies()[0]
	tok := rec.Body.String()
	b.Run("token", func(b *testing.B) {
		req := httptest.NewRequest("GET", "/token", nil)
		req.AddCookie(ck)
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("check", func(b *testing.B) {
		req := httptest.NewRequest("POST", "/echo", nil)
		req.AddCookie(ck)
		req.Header.Set("X-CSRF-Token", tok)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
