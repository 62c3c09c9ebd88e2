package auth

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/security"
)

// loginPage is the data of the login template (auth/login.html).
type loginPage struct {
	Username, Next, Error string
}

// loginForm shows the login form (GET /accounts/login/).
func (c *config) loginForm(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/login.html", loginPage{Next: r.URL.Query().Get("next")})
}

// login authenticates the posted username and password, signs the user in
// and redirects to a safe next, or to ANODE_LOGIN_REDIRECT_URL.
func (c *config) login(w http.ResponseWriter, r *http.Request) error {
	username, pw, next := r.PostFormValue("username"), r.PostFormValue("password"), r.PostFormValue("next")
	u, err := Authenticate(r.Context(), c.app.DB(), username, pw)
	var msg string
	var throttled *ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", strconv.FormatInt(security.RetryAfterSeconds(throttled.RetryAfter), 10))
		return c.app.RenderStatus(w, r, http.StatusTooManyRequests, "auth/login.html", loginPage{Username: username, Next: next, Error: throttled.PublicMessage()})
	case errors.Is(err, ErrInvalidCredentials):
		msg = "Please enter a correct username and password. Note that both fields may be case-sensitive."
	case errors.Is(err, ErrInactive):
		msg = "This account is inactive."
	case err != nil:
		return err
	}
	if msg != "" {
		return c.app.RenderStatus(w, r, http.StatusOK, "auth/login.html", loginPage{Username: username, Next: next, Error: msg})
	}
	if err := Login(r, u); err != nil {
		return err
	}
	http.Redirect(w, r, c.redirectTarget(r, next, c.loginRedirect), http.StatusFound)
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
