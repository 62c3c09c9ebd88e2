package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth/password"
	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/mail"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

// A password-reset token is "<seconds since 1970, base 36>-<MAC>", the MAC
// an HMAC-SHA256, under a key derived for this purpose only, over the
// user's ID, email, password hash, last login and the timestamp. Nothing is
// stored: the token stops verifying when the password changes (so it
// works once), when the user logs in, when the email changes, or when it
// is older than ANODE_PASSWORD_RESET_TIMEOUT.
const resetPurpose = "anode.auth.password-reset"

// resetSessionKey holds a verified token between the emailed link and the
// set-password form, so the token leaves the URL (and Referer headers)
// after the first request, as in Django.
const resetSessionKey = "_password_reset_token"

// resetURLToken is the token part of the set-password URL.
const resetURLToken = "set-password"

// resetToken returns a token for u made at now.
func (c *config) resetToken(u *User, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 36)
	return ts + "-" + c.resetMAC(u, ts)
}

// checkResetToken reports whether token was made for u, in u's current
// state, no longer than the reset timeout before now.
func (c *config) checkResetToken(u *User, token string, now time.Time) bool {
	ts, mac, ok := strings.Cut(token, "-")
	if !ok || ts == "" || len(ts) > 12 {
		return false
	}
	sec, err := strconv.ParseInt(ts, 36, 64)
	if err != nil || sec < 0 {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !c.resetSigner().VerifyMAC(resetData(u, ts), got) {
		return false // not made with the secret key or one of its fallbacks
	}
	age := now.Sub(time.Unix(sec, 0))
	return age <= c.resetTimeout && age > -time.Minute
}

func (c *config) resetMAC(u *User, ts string) string {
	return base64.RawURLEncoding.EncodeToString(c.resetSigner().MAC(resetData(u, ts)))
}

// resetSigner signs with the secret key and verifies with its fallbacks too.
func (c *config) resetSigner() *signing.Signer {
	cfg := c.app.Config()
	return signing.ForPurpose(cfg.SecretKey, cfg.SecretKeyFallbacks, resetPurpose)
}

// resetData is what a reset token's MAC covers: the user's identity and
// state (a password change or a login voids the token) and the time.
func resetData(u *User, ts string) []byte {
	var login int64
	if u.LastLogin.Valid {
		// Microseconds: what every database keeps.
		login = u.LastLogin.V.Truncate(time.Microsecond).UnixMicro()
	}
	// NUL separates fields none of which contains one.
	return fmt.Appendf(nil, "%d\x00%s\x00%s\x00%d\x00%s", u.ID, u.Email, u.Password, login, ts)
}

// encodeUID and decodeUID turn a user ID into the uid of a reset link.
func encodeUID(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeUID(uid string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(uid)
	if err != nil || len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	return id, err == nil && id > 0
}

// now is the clock of the reset views and token checks.
func (c *config) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// passwordResetPage is the data of auth/password_reset.html.
type passwordResetPage struct {
	Email, Error string
}

// resetMail is the data of auth/password_reset_subject.txt and
// auth/password_reset_email.txt.
type resetMail struct {
	User    *User
	URL     string // the absolute link to the reset page
	Host    string // the site's host name
	Expires string // how long the link works: "3 days"
}

func (c *config) passwordResetForm(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/password_reset.html", passwordResetPage{})
}

// passwordReset mails a reset link to every active user with a usable
// password and the posted email, and redirects to the done page whether
// or not there is one, so the page does not tell which addresses have
// accounts. A failed send is logged, not shown, for the same reason.
// Requests are throttled per email address (ANODE_PASSWORD_RESET_ATTEMPTS,
// 5 an hour) and per client address (…_PER_IP, 20 an hour), so the form
// cannot be used to flood a mailbox;
// the throttle answers alike for addresses with and without accounts.
func (c *config) passwordReset(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" || len(email) > 254 || !strings.Contains(email, "@") {
		return c.app.Render(w, r, "auth/password_reset.html", passwordResetPage{Email: email, Error: "Enter a valid email address."})
	}
	var throttled *ThrottledError
	if err := c.throttleReset(r, email); errors.As(err, &throttled) {
		w.Header().Set("Retry-After", strconv.FormatInt(security.RetryAfterSeconds(throttled.RetryAfter), 10))
		return c.app.RenderStatus(w, r, http.StatusTooManyRequests, "auth/password_reset.html", passwordResetPage{Email: email, Error: throttled.PublicMessage()})
	}
	base, err := c.siteURL(r)
	if err != nil {
		return err
	}
	users, err := c.users.activeByEmail(r.Context(), c.app.DB(), email)
	if err != nil {
		return fmt.Errorf("auth: password reset: %w", err)
	}
	now := c.now()
	for _, u := range users {
		if !password.IsUsable(u.Password) {
			continue
		}
		link, err := c.app.URL("password_reset_confirm", encodeUID(u.ID), c.resetToken(u, now))
		if err != nil {
			return err
		}
		if err := c.sendResetMail(r, u, resetMail{User: u, URL: base + link, Host: hostname(r.Host), Expires: humanDuration(c.resetTimeout)}); err != nil {
			c.app.Logger().ErrorContext(r.Context(), "auth: sending the password reset mail", "user", u.ID, "error", err)
		}
	}
	http.Redirect(w, r, "/accounts/password_reset/done/", http.StatusFound)
	return nil
}

// humanDuration writes d in whole days, hours or minutes when it is one.
func humanDuration(d time.Duration) string {
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return strconv.FormatInt(n, 10) + " " + name + "s"
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return d.String()
}

// sendResetMail renders the reset mail for u and sends it.
func (c *config) sendResetMail(r *http.Request, u *User, data resetMail) error {
	subject, err := c.renderText(r, "auth/password_reset_subject.txt", data)
	if err != nil {
		return err
	}
	body, err := c.renderText(r, "auth/password_reset_email.txt", data)
	if err != nil {
		return err
	}
	// A subject is one line.
	subject = strings.Join(strings.Fields(subject), " ")
	return c.app.Mailer().Send(r.Context(), &mail.Message{To: []string{u.Email}, Subject: subject, Body: body})
}

// renderText renders a plain-text template with text/template
// (render.Engine.ExecuteText): a text/plain body and a subject want
// "O'Brien" as typed, not HTML-escaped.
func (c *config) renderText(r *http.Request, name string, data any) (string, error) {
	var b strings.Builder
	if err := c.app.Templates().ExecuteText(&b, r, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// siteURL is the scheme and host the reset link points to:
// ANODE_PASSWORD_RESET_BASE_URL when set, else the request's, accepted
// only when its host is in ANODE_ALLOWED_HOSTS: a forged Host header must
// not send users a link to someone else's site.
func (c *config) siteURL(r *http.Request) (string, error) {
	if c.resetBaseURL != "" {
		return strings.TrimSuffix(c.resetBaseURL, "/"), nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !hostAllowed(hostname(r.Host), c.app.Config().AllowedHosts) {
		return "", anode.NewError(http.StatusBadRequest, "Bad Request", fmt.Errorf("auth: password reset for host %q, not in ANODE_ALLOWED_HOSTS (set ANODE_PASSWORD_RESET_BASE_URL behind a proxy)", r.Host))
	}
	return scheme + "://" + r.Host, nil
}

// passwordResetDone is shown after a reset request, whatever its outcome.
func (c *config) passwordResetDone(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/password_reset_done.html", nil)
}

// resetConfirmPage is the data of auth/password_reset_confirm.html: Valid
// is false for a bad or expired link.
type resetConfirmPage struct {
	Valid  bool
	Errors []string
}

// resetUser returns the user of the uid in r's path and whether token is
// valid for it.
func (c *config) resetUser(r *http.Request, token string) (*User, bool, error) {
	id, ok := decodeUID(r.PathValue("uid"))
	if !ok {
		return nil, false, nil
	}
	u, _, err := c.users.get(r.Context(), c.app.DB(), "id", id)
	if errors.Is(err, orm.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("auth: password reset: %w", err)
	}
	if !u.IsActive || !c.checkResetToken(u, token, c.now()) {
		return nil, false, nil
	}
	return u, true, nil
}

// passwordResetLink is the emailed link: a valid token moves into the
// session and the visitor goes on to the set-password URL, which has no
// token in it.
func (c *config) passwordResetLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	_, ok, err := c.resetUser(r, token)
	if err != nil {
		return err
	}
	if !ok {
		return c.app.Render(w, r, "auth/password_reset_confirm.html", resetConfirmPage{})
	}
	if err := session.Set(session.FromRequest(r), resetSessionKey, token); err != nil {
		return err
	}
	http.Redirect(w, r, "/accounts/reset/"+r.PathValue("uid")+"/"+resetURLToken+"/", http.StatusFound)
	return nil
}

// passwordResetConfirm shows (GET) and handles (POST) the set-password
// form for the token kept in the session.
func (c *config) passwordResetConfirm(w http.ResponseWriter, r *http.Request) error {
	s := session.FromRequest(r)
	token, _ := session.Get[string](s, resetSessionKey)
	u, ok, err := c.resetUser(r, token)
	if err != nil {
		return err
	}
	if !ok {
		return c.app.Render(w, r, "auth/password_reset_confirm.html", resetConfirmPage{})
	}
	if r.Method != http.MethodPost {
		return c.app.Render(w, r, "auth/password_reset_confirm.html", resetConfirmPage{Valid: true})
	}
	pw, errs, err := c.newPassword(r, u)
	if err != nil {
		return err
	}
	if errs != nil {
		return c.app.Render(w, r, "auth/password_reset_confirm.html", resetConfirmPage{Valid: true, Errors: errs})
	}
	// ChangePassword ends every session of u (but r's, if r is signed in
	// as u), and the new hash kills the token.
	if err := ChangePassword(r, u, pw); err != nil {
		return err
	}
	s.Delete(resetSessionKey)
	http.Redirect(w, r, "/accounts/reset/done/", http.StatusFound)
	return nil
}

// passwordResetComplete is shown after a reset.
func (c *config) passwordResetComplete(w http.ResponseWriter, r *http.Request) error {
	return c.app.Render(w, r, "auth/password_reset_complete.html", nil)
}

// newPassword reads new_password1 and new_password2 for u and returns the
// new password, or the messages that reject it. The error is a validator's
// failure to check.
func (c *config) newPassword(r *http.Request, u *User) (string, []string, error) {
	pw1, pw2 := r.PostFormValue("new_password1"), r.PostFormValue("new_password2")
	if pw1 == "" {
		return "", []string{"Enter a new password."}, nil
	}
	if pw1 != pw2 {
		return "", []string{"The two password fields didn’t match."}, nil
	}
	err := password.Validate(r.Context(), pw1, password.Attributes{
		"username": u.Username, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
	})
	var ve *password.ValidationError
	if errors.As(err, &ve) {
		msgs := make([]string, len(ve.Violations))
		for i, v := range ve.Violations {
			msgs[i] = v.Message
		}
		return "", msgs, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("auth: validating a new password: %w", err)
	}
	return pw1, nil, nil
}
