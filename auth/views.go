package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/forms"
	"github.com/anode-go/anode/security"
)

// LoginForm is the login view's form (forms package): bound and validated
// like any form, its errors — a missing field, wrong credentials, an
// inactive account, throttling — rendered by auth/login.html. Next is the
// page to go to afterwards, followed only when SafeRedirect accepts it.
type LoginForm struct {
	Username string `form:"username,required,max=150,autocomplete=username" label:"Username"`
	Password string `form:"password,required,kind=password,max=4096,autocomplete=current-password" label:"Password"`
	Next     string `form:"next,kind=hidden,max=2048"`
}

// loginPage is the data of the login template (auth/login.html): Form, and
// for templates written before it, the typed username, next and the
// form-wide error as text.
type loginPage struct {
	Form                  *forms.Form[LoginForm]
	Username, Next, Error string
}

func newLoginPage(f *forms.Form[LoginForm]) loginPage {
	p := loginPage{Form: f, Username: f.Data.Username, Next: f.Data.Next}
	var msgs []string
	for _, e := range f.Errors().NonField() {
		msgs = append(msgs, e.Message)
	}
	p.Error = strings.Join(msgs, " ")
	return p
}

// loginForm shows the login form (GET /accounts/login/).
func (c *config) loginForm(w http.ResponseWriter, r *http.Request) error {
	f := forms.New[LoginForm]()
	f.Data.Next = r.URL.Query().Get("next")
	return c.app.Render(w, r, "auth/login.html", newLoginPage(f))
}

// login binds the posted LoginForm, authenticates it, signs the user in
// and redirects to a safe next, or to ANODE_LOGIN_REDIRECT_URL. Wrong
// credentials and an inactive account show the form again (200); a
// throttled attempt answers 429 with Retry-After.
func (c *config) login(w http.ResponseWriter, r *http.Request) error {
	f := forms.New[LoginForm]()
	if err := f.Bind(r); err != nil {
		return err
	}
	if !f.Valid() {
		return c.app.Render(w, r, "auth/login.html", newLoginPage(f))
	}
	u, err := Authenticate(r.Context(), c.app.DB(), f.Data.Username, f.Data.Password)
	var throttled *ThrottledError
	switch {
	case errors.As(err, &throttled):
		f.AddError("", "throttled", throttled.PublicMessage())
		w.Header().Set("Retry-After", strconv.FormatInt(security.RetryAfterSeconds(throttled.RetryAfter), 10))
		return c.app.RenderStatus(w, r, http.StatusTooManyRequests, "auth/login.html", newLoginPage(f))
	case errors.Is(err, ErrInvalidCredentials):
		f.AddError("", "invalid_login", "Please enter a correct username and password. Note that both fields may be case-sensitive.")
		return c.app.Render(w, r, "auth/login.html", newLoginPage(f))
	case errors.Is(err, ErrInactive):
		f.AddError("", "inactive", "This account is inactive.")
		return c.app.Render(w, r, "auth/login.html", newLoginPage(f))
	case err != nil:
		return err
	}
	if err := Login(r, u); err != nil {
		return err
	}
	http.Redirect(w, r, c.redirectTarget(r, f.Data.Next, c.loginRedirect), http.StatusFound)
	return nil
}

// logout signs the user out (POST only: a GET answers 405, so a link or
// an image cannot sign anyone out) and redirects.
func (c *config) logout(w http.ResponseWriter, r *http.Request) error {
	if err := Logout(r); err != nil {
		return err
	}
	http.Redirect(w, r, c.redirectTarget(r, r.PostFormValue("next"), c.logoutRedirect), http.StatusFound)
	return nil
}

// redirectTarget is next when it is safe, else def.
func (c *config) redirectTarget(r *http.Request, next, def string) string {
	if SafeRedirect(r, next, c.app.Config().AllowedHosts) {
		return next
	}
	return def
}

// routes mounts the views under /accounts/.
func (c *config) routes(r *anode.Router) {
	r.Get("/accounts/login/", c.loginForm).Name("login").Public()
	r.Post("/accounts/login/", c.login).Public()
	r.Post("/accounts/logout/", c.logout).Name("logout").Public()

	signedIn := r.With(RequireLogin)
	signedIn.Get("/accounts/password_change/", c.passwordChangeForm).Name("password_change")
	signedIn.Post("/accounts/password_change/", c.passwordChange)
	signedIn.Get("/accounts/password_change/done/", c.passwordChangeDone).Name("password_change_done")

	r.Get("/accounts/password_reset/", c.passwordResetForm).Name("password_reset").Public()
	r.Post("/accounts/password_reset/", c.passwordReset).Public()
	r.Get("/accounts/password_reset/done/", c.passwordResetDone).Name("password_reset_done").Public()
	r.Get("/accounts/reset/{uid}/{token}/", c.passwordResetLink).Name("password_reset_confirm").Public()
	r.Get("/accounts/reset/{uid}/"+resetURLToken+"/", c.passwordResetConfirm).Public()
	r.Post("/accounts/reset/{uid}/"+resetURLToken+"/", c.passwordResetConfirm).Public()
	r.Get("/accounts/reset/done/", c.passwordResetComplete).Name("password_reset_complete").Public()
}
