package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth/password"
	"github.com/anode-go/anode/internal/signing"
	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/security"
	"github.com/anode-go/anode/session"
)

var (
	// ErrInvalidCredentials is Authenticate's answer to an unknown username
	// or a wrong password; the two are deliberately not told apart.
	ErrInvalidCredentials = errors.New("auth: invalid username or password")
	// ErrInactive is Authenticate's answer to the right password of an
	// account that is not active (User.IsActive false).
	ErrInactive = errors.New("auth: account is inactive")
	// ErrNoSession is returned by Login and Logout for a request the auth
	// module's middleware did not see, or that has no session.
	ErrNoSession = errors.New("auth: the request has no session (is the auth module installed?)")
)

// sessionHashKey is the session value holding a keyed hash of the user's
// password hash, as Django's _auth_user_hash: when the password changes,
// sessions signed in with the old one stop loading the user.
const sessionHashKey = "_auth_user_hash"

// Authenticate checks username and pw and returns the user. An unknown
// username does the same password work as a wrong password (DummyVerify),
// so the response time does not tell which usernames exist; both return
// ErrInvalidCredentials. The right password of an inactive user returns
// ErrInactive. When the stored hash uses another hasher or older
// parameters (an imported Django pbkdf2_sha256 hash, say), it is replaced
// with a hash by the default hasher. Other errors are the database's, or
// a stored hash that no hasher can read.
func Authenticate(ctx context.Context, db *orm.DB, username, pw string) (*User, error) {
	attempt, err := startLogin(ctx, username)
	if err != nil {
		return nil, err
	}
	u, err := authenticate(ctx, db, username, pw)
	attempt.done(ctx, err)
	return u, err
}

func authenticate(ctx context.Context, db *orm.DB, username, pw string) (*User, error) {
	u, _, err := storeFor(db).get(ctx, db, "username", username)
	if errors.Is(err, orm.ErrNotFound) {
		password.DummyVerify(pw)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("auth: authenticate: %w", err)
	}
	ok, rehash, err := password.Verify(pw, u.Password)
	switch {
	case errors.Is(err, password.ErrTooLong):
		return nil, ErrInvalidCredentials
	case err != nil:
		return nil, fmt.Errorf("auth: user %d: %w", u.ID, err)
	case !ok:
		return nil, ErrInvalidCredentials
	case !u.IsActive:
		return nil, ErrInactive
	}
	if rehash {
		if err := u.SetPassword(pw); err != nil {
			return nil, err
		}
		if err := storeFor(db).update(ctx, db, u.ID, orm.Set("Password", u.Password)); err != nil {
			return nil, fmt.Errorf("auth: re-hashing user %d's password: %w", u.ID, err)
		}
	}
	return u, nil
}

// SetPassword hashes pw with the default hasher into u.Password; the
// caller saves u. It does not validate pw (see password.Validate).
func (u *User) SetPassword(pw string) error {
	h, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	u.Password = h
	return nil
}

// SetUnusablePassword makes u unable to log in with a password.
func (u *User) SetUnusablePassword() { u.Password = password.Unusable() }

// CheckPassword reports whether pw is u's password. Unlike Authenticate
// it never re-hashes.
func (u *User) CheckPassword(pw string) bool {
	ok, _, _ := password.Verify(pw, u.Password)
	return ok
}

// Login signs u in on r's session: the session gets a new key (a key
// planted before login stops working: session fixation), or is emptied
// first if it belonged to another user; it records u's ID and a keyed hash
// of u's password hash, and u's last_login is updated. UserFromRequest(r)
// returns u afterwards. The CSRF secret rotates (security.Rotate): pages
// rendered before the login must be reloaded to post. The session is saved before the response's headers
// go out, so redirect after calling Login.
func Login(r *http.Request, u *User) error {
	ctx := r.Context()
	h := holderFrom(ctx)
	s := session.FromContext(ctx)
	if h == nil || s == nil || h.c.app == nil {
		return ErrNoSession
	}
	id := strconv.FormatInt(u.ID, 10)
	var err error
	if prev := s.UserID(); prev != "" && prev != id {
		err = s.Flush(ctx)
	} else {
		err = s.Rotate(ctx)
	}
	if err != nil {
		return fmt.Errorf("auth: login: %w", err)
	}
	s.SetUserID(id)
	// A CSRF token from before the login (perhaps planted) stops working.
	security.Rotate(r)
	if err := session.Set(s, sessionHashKey, h.c.passwordHash(u.Password)); err != nil {
		return fmt.Errorf("auth: login: %w", err)
	}
	u.LastLogin = orm.NullOf(time.Now().UTC())
	if err := h.c.users.update(ctx, h.c.app.DB(), u.ID, orm.Set("LastLogin", u.LastLogin)); err != nil {
		return fmt.Errorf("auth: login: %w", err)
	}
	if u.perms == nil {
		u.perms = &permCache{}
	}
	h.set(u)
	return nil
}

// Logout signs r's user out: the session's data is deleted from the store
// and a new, empty session begins, so a copy of the old cookie is
// worthless; the CSRF secret rotates too. The user's realtime connections
// are closed (App.DisconnectRealtimeUser; a failure is logged). Logging
// out an anonymous visitor is not an error.
func Logout(r *http.Request) error {
	ctx := r.Context()
	h := holderFrom(ctx)
	if h == nil {
		return ErrNoSession
	}
	s := session.FromContext(ctx)
	userID := s.UserID()
	if err := s.Flush(ctx); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	security.Rotate(r)
	h.set(nil)
	if app := h.c.app; app != nil && userID != "" {
		if err := app.DisconnectRealtimeUser(ctx, userID); err != nil {
			app.Logger().WarnContext(ctx, "auth: logout: closing the user's realtime connections", "error", err)
		}
	}
	return nil
}

// ChangePassword sets u's password to pw, saves it and ends u's other
// sessions (EndUserSessions). When r's user is u, r's session stays signed
// in under a new key. It does not validate pw (see password.Validate).
func ChangePassword(r *http.Request, u *User, pw string) error {
	ctx := r.Context()
	h := holderFrom(ctx)
	if h == nil || h.c.app == nil {
		return ErrNoSession
	}
	s := session.FromContext(ctx)
	id := strconv.FormatInt(u.ID, 10)
	signedIn := s != nil && s.UserID() == id
	except := ""
	if signedIn {
		except = s.Key()
	}
	if err := savePassword(ctx, h.c.app, u, pw, except); err != nil {
		return err
	}
	if signedIn {
		if err := s.Rotate(ctx); err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
		if err := session.Set(s, sessionHashKey, h.c.passwordHash(u.Password)); err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
	}
	return nil
}

// savePassword sets u's password to pw, saves it and ends u's sessions
// other than the one keyed except (none when except is ""). With a store
// that cannot list a user's sessions (the signed cookie), they end anyway:
// each carries a hash of the old password hash, which no longer matches.
func savePassword(ctx context.Context, app *anode.App, u *User, pw, except string) error {
	if err := u.SetPassword(pw); err != nil {
		return err
	}
	if err := storeFor(app.DB()).update(ctx, app.DB(), u.ID, orm.Set("Password", u.Password)); err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	err := app.Sessions().EndUserSessions(ctx, strconv.FormatInt(u.ID, 10), except)
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("auth: change password: %w", err)
	}
	return nil
}

// passwordHash is the session's keyed hash of an encoded password hash.
func (c *config) passwordHash(encoded string) string {
	return base64.RawURLEncoding.EncodeToString(c.sessionHashSigner().MAC([]byte(encoded)))
}

// hashMatches accepts a hash made with the secret key or one of its
// fallbacks, so rotating the key does not sign every user out (Django's
// SECRET_KEY_FALLBACKS does the same for the session auth hash).
func (c *config) hashMatches(got, encoded string) bool {
	mac, err := base64.RawURLEncoding.DecodeString(got)
	return err == nil && c.sessionHashSigner().VerifyMAC([]byte(encoded), mac)
}

func (c *config) sessionHashSigner() *signing.Signer {
	cfg := c.app.Config()
	return signing.ForPurpose(cfg.SecretKey, cfg.SecretKeyFallbacks, "anode.auth.session-hash")
}
