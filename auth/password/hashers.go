package password

import (
	"crypto/rand"
	"strings"
)

// MaxBytes is the longest password, in bytes, that Hash and Verify accept.
// It bounds the work an attacker can make the server do with one request
// while leaving room for any passphrase (Length allows 4096 by default too).
const MaxBytes = 4096

// unusablePrefix marks a password that can never match, as in Django.
const unusablePrefix = "!"

// Hasher is one password hashing algorithm and encoding. Implementations
// must be safe for concurrent use.
type Hasher interface {
	// Identify reports whether encoded is in this hasher's format.
	Identify(encoded string) bool
	// Hash returns the encoded hash of password with a fresh random salt.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded, comparing in
	// constant time. A malformed encoded returns a *FormatError.
	Verify(password, encoded string) (bool, error)
	// Current reports whether encoded was made by this hasher with its
	// present parameters, so it needs no re-hashing.
	Current(encoded string) bool
}

// Hashers is an ordered list of hashers: the first hashes new passwords
// and all of them verify existing hashes. A nil or empty Hashers behaves as
// DefaultHashers(). Hashers is safe for concurrent use when its hashers are.
type Hashers []Hasher

// DefaultHashers returns argon2id (for new hashes) followed by every other
// format this package verifies: bcrypt and Django's pbkdf2_sha256,
// pbkdf2_sha1, argon2, bcrypt and bcrypt_sha256.
func DefaultHashers() Hashers {
	return Hashers{Argon2id{}, Bcrypt{}, DjangoPBKDF2{}, DjangoPBKDF2SHA1{}, DjangoArgon2{}, DjangoBcrypt{}, DjangoBcryptSHA256{}}
}

var defaults = DefaultHashers()

func (hs Hashers) list() Hashers {
	if len(hs) == 0 {
		return defaults
	}
	return hs
}

// Hash encodes password with the first hasher. It returns ErrTooLong for a
// password over MaxBytes.
func (hs Hashers) Hash(password string) (string, error) {
	if len(password) > MaxBytes {
		return "", ErrTooLong
	}
	return hs.list()[0].Hash(password)
}

// Verify reports whether password matches encoded. needsRehash is true when
// the password matched but encoded was not made by the first hasher with its
// current parameters: the caller should then store Hash(password) instead.
//
// An unusable or empty encoded never matches and returns no error; it still
// spends the time of a real verification (see DummyVerify). An encoded that
// no hasher recognises returns ErrUnknownAlgorithm, and one that a hasher
// recognises but cannot decode returns a *FormatError.
func (hs Hashers) Verify(password, encoded string) (ok, needsRehash bool, err error) {
	if len(password) > MaxBytes {
		return false, false, ErrTooLong
	}
	if !IsUsable(encoded) {
		hs.DummyVerify(password)
		return false, false, nil
	}
	list := hs.list()
	for i, h := range list {
		if !h.Identify(encoded) {
			continue
		}
		ok, err := h.Verify(password, encoded)
		if err != nil || !ok {
			return false, false, err
		}
		return true, i != 0 || !h.Current(encoded), nil
	}
	return false, false, ErrUnknownAlgorithm
}

// DummyVerify does the work of verifying password against a hash made by
// the first hasher and discards the result. Call it when a login names an
// unknown user, so that the response takes as long as for a wrong password.
func (hs Hashers) DummyVerify(password string) {
	if len(password) > MaxBytes {
		return // Verify refuses these before hashing too
	}
	// Hashing costs what verifying costs: both derive one key with the same
	// parameters; only the salt comes from elsewhere.
	h := hs.list()[0]
	if _, err := h.Hash(password); err != nil {
		// A hasher that refuses this password before any work (bcrypt over
		// 72 bytes) still verifies it, truncated, at full cost: match that.
		_, _ = h.Hash("dummy password")
	}
}

// Hash encodes password with DefaultHashers (argon2id).
func Hash(password string) (string, error) { return Hashers(nil).Hash(password) }

// Verify checks password against encoded with DefaultHashers; see
// Hashers.Verify.
func Verify(password, encoded string) (ok, needsRehash bool, err error) {
	return Hashers(nil).Verify(password, encoded)
}

// DummyVerify spends the time of verifying password against a default
// (argon2id) hash; see Hashers.DummyVerify.
func DummyVerify(password string) { Hashers(nil).DummyVerify(password) }

// Unusable returns an encoded password that never verifies: "!" followed by
// random characters, as Django stores for users who may not log in with a
// password. The random suffix keeps such values distinct.
func Unusable() string { return unusablePrefix + rand.Text() }

// IsUsable reports whether encoded may ever verify: it is not empty and not
// made by Unusable.
func IsUsable(encoded string) bool {
	return encoded != "" && !strings.HasPrefix(encoded, unusablePrefix)
}
