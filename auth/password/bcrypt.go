package password

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptMaxBytes is the most bcrypt reads of a password; longer ones are
// silently truncated by every implementation that made the hashes we verify.
const bcryptMaxBytes = 72

// bcryptMaxCost bounds the cost a decoded hash may ask for: 2^20 rounds take
// about a minute, more than any real deployment uses.
const bcryptMaxCost = 20

// ErrBcryptTooLong is returned by Bcrypt.Hash and DjangoBcrypt.Hash for a
// password over 72 bytes, which bcrypt would silently truncate.
// DjangoBcryptSHA256 and Argon2id have no such limit.
var ErrBcryptTooLong = errors.New("password: bcrypt hashes at most 72 bytes of a password")

// Bcrypt hashes with bcrypt in the modular crypt format ($2a$, $2b$ and $2y$
// are verified; $2a$ is written). Its zero value uses cost 12. Passwords are
// verified on their first 72 bytes, as they were hashed by whichever
// implementation made the hash; Hash refuses longer ones with
// ErrBcryptTooLong.
type Bcrypt struct {
	Cost int // log2 of the rounds, 4 to 20; 0 means 12
}

var _ Hasher = Bcrypt{}

// Identify reports whether encoded starts with $2a$, $2b$ or $2y$.
func (Bcrypt) Identify(encoded string) bool { return isBcrypt(encoded) }

// Hash returns the bcrypt hash of password.
func (b Bcrypt) Hash(password string) (string, error) {
	return bcryptHash([]byte(password), b.Cost)
}

// Verify reports whether password matches the bcrypt hash encoded.
func (Bcrypt) Verify(password, encoded string) (bool, error) {
	return bcryptVerify([]byte(password), encoded)
}

// Current reports whether encoded uses b's cost.
func (b Bcrypt) Current(encoded string) bool { return bcryptCurrent(encoded, b.Cost) }

// DjangoBcrypt verifies and makes the hashes of Django's
// BCryptPasswordHasher: "bcrypt$" followed by a bcrypt hash of the password.
// Its zero value uses cost 12, like Django.
type DjangoBcrypt struct {
	Cost int // 0 means 12
}

var _ Hasher = DjangoBcrypt{}

// Identify reports whether encoded starts with "bcrypt$".
func (DjangoBcrypt) Identify(encoded string) bool { return strings.HasPrefix(encoded, "bcrypt$") }

// Hash returns a Django bcrypt hash of password.
func (d DjangoBcrypt) Hash(password string) (string, error) {
	h, err := bcryptHash([]byte(password), d.Cost)
	return "bcrypt$" + h, err
}

// Verify reports whether password matches the Django bcrypt hash encoded.
func (DjangoBcrypt) Verify(password, encoded string) (bool, error) {
	return bcryptVerify([]byte(password), strings.TrimPrefix(encoded, "bcrypt$"))
}

// Current reports whether encoded uses d's cost.
func (d DjangoBcrypt) Current(encoded string) bool {
	return bcryptCurrent(strings.TrimPrefix(encoded, "bcrypt$"), d.Cost)
}

// DjangoBcryptSHA256 verifies and makes the hashes of Django's
// BCryptSHA256PasswordHasher: "bcrypt_sha256$" followed by a bcrypt hash of
// the lower-case hex SHA-256 digest of the password, which lifts bcrypt's
// 72-byte limit. Its zero value uses cost 12, like Django.
type DjangoBcryptSHA256 struct {
	Cost int // 0 means 12
}

var _ Hasher = DjangoBcryptSHA256{}

const bcryptSHA256Prefix = "bcrypt_sha256$"

// Identify reports whether encoded starts with "bcrypt_sha256$".
func (DjangoBcryptSHA256) Identify(encoded string) bool {
	return strings.HasPrefix(encoded, bcryptSHA256Prefix)
}

// Hash returns a Django bcrypt_sha256 hash of password.
func (d DjangoBcryptSHA256) Hash(password string) (string, error) {
	h, err := bcryptHash(sha256Hex(password), d.Cost)
	return bcryptSHA256Prefix + h, err
}

// Verify reports whether password matches the Django bcrypt_sha256 hash
// encoded.
func (DjangoBcryptSHA256) Verify(password, encoded string) (bool, error) {
	return bcryptVerify(sha256Hex(password), strings.TrimPrefix(encoded, bcryptSHA256Prefix))
}

// Current reports whether encoded uses d's cost.
func (d DjangoBcryptSHA256) Current(encoded string) bool {
	return bcryptCurrent(strings.TrimPrefix(encoded, bcryptSHA256Prefix), d.Cost)
}

func sha256Hex(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(hex.EncodeToString(sum[:]))
}

func isBcrypt(s string) bool {
	return strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

func bcryptCost(cost int) int {
	if cost == 0 {
		return 12
	}
	return cost
}

func bcryptHash(password []byte, cost int) (string, error) {
	if len(password) > bcryptMaxBytes {
		return "", ErrBcryptTooLong
	}
	h, err := bcrypt.GenerateFromPassword(password, bcryptCost(cost))
	return string(h), err
}

// bcryptVerify checks password against a bare bcrypt hash after checking
// its shape, so that x/crypto only ever sees well-formed input.
func bcryptVerify(password []byte, encoded string) (bool, error) {
	if err := checkBcrypt(encoded); err != nil {
		return false, err
	}
	if len(password) > bcryptMaxBytes {
		password = password[:bcryptMaxBytes]
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), password); {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, malformed("bcrypt", err.Error())
	}
}

// bcryptAlphabet is bcrypt's own base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// checkBcrypt accepts exactly $2x$NN$ followed by 53 characters of bcrypt's
// alphabet (22 of salt, 31 of hash), with a cost of 4 to bcryptMaxCost.
func checkBcrypt(encoded string) error {
	if len(encoded) != 60 || !isBcrypt(encoded) || encoded[6] != '$' {
		return malformed("bcrypt", "want $2a$, $2b$ or $2y$, a two-digit cost and 53 characters")
	}
	if encoded[4] < '0' || encoded[4] > '9' || encoded[5] < '0' || encoded[5] > '9' {
		return malformed("bcrypt", "bad cost")
	}
	if cost := int(encoded[4]-'0')*10 + int(encoded[5]-'0'); cost < bcrypt.MinCost || cost > bcryptMaxCost {
		return malformed("bcrypt", "cost out of range")
	}
	for i := 7; i < len(encoded); i++ {
		if !strings.ContainsRune(bcryptAlphabet, rune(encoded[i])) {
			return malformed("bcrypt", "bad character in salt or hash")
		}
	}
	return nil
}

func bcryptCurrent(encoded string, cost int) bool {
	got, err := bcrypt.Cost([]byte(encoded))
	return err == nil && got == bcryptCost(cost)
}
