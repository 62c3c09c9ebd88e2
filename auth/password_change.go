package auth

import (
	"net/http"
)

// passwordChangePage is the data of auth/password_change.html.
type passwordChangePage struct {
	Errors []string
}

// passwordChangeForm shows the password change form to the signed-in user.
func (c *config) passwordChangeForm(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/password_change.html", passwordChangePage{})
}

// passwordChange checks the old password, validates the new one (typed
// twice), saves it through ChangePassword, which ends the user's other
// sessions, and redirects to the done page.
func (c *config) passwordChange(w http.ResponseWriter, r *http.Request) error {
	u := UserFromRequest(r)
	if u == nil { // the route has RequireLogin; this covers a remounted handler
		redirectToLogin(w, r)
		return nil
	}
	if !u.CheckPassword(r.PostFormValue("old_password")) {
		return c.app.Render(w, r, "auth/password_change.html", passwordChangePage{
			Errors: []string{"Your old password was entered incorrectly. Please enter it again."},
		})
	}
	pw, errs, err := c.newPassword(r, u)
	if err != nil {
		return err
	}
	if errs != nil {
		return c.app.Render(w, r, "auth/password_change.html", passwordChangePage{Errors: errs})
	}
	if err := ChangePassword(r, u, pw); err != nil {
		return err
	}
	http.Redirect(w, r, "/accounts/password_change/done/", http.StatusFound)
	return nil
}

// passwordChangeDone is shown after a password change.
func (c *config) passwordChangeDone(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/password_change_done.html", nil)
}
