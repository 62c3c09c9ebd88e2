package password

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
)

// DjangoPBKDF2 verifies and makes the hashes of Django's default
// PBKDF2PasswordHasher:
//
//	pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte PBKDF2-HMAC-SHA256 key>
//
// so users imported from a Django database can log in; Verify then reports
// needsRehash unless DjangoPBKDF2 is the first of the Hashers. Its zero
// value hashes with 1,000,000 iterations (Django 5.2's count).
type DjangoPBKDF2 struct {
	Iterations int // 0 means 1,000,000
}

var _ Hasher = DjangoPBKDF2{}

// Identify reports whether encoded starts with "pbkdf2_sha256$".
func (DjangoPBKDF2) Identify(encoded string) bool {
	return strings.HasPrefix(encoded, "pbkdf2_sha256$")
}

// Hash returns a Django pbkdf2_sha256 hash of password with a random salt.
func (d DjangoPBKDF2) Hash(password string) (string, error) {
	return pbkdf2Hash(djangoSHA256, password, d.iterations())
}

// Verify reports whether password matches the Django pbkdf2_sha256 hash
// encoded.
func (DjangoPBKDF2) Verify(password, encoded string) (bool, error) {
	return pbkdf2Verify(djangoSHA256, password, encoded)
}

// Current reports whether encoded uses d's iteration count.
func (d DjangoPBKDF2) Current(encoded string) bool {
	return pbkdf2Current(djangoSHA256, encoded, d.iterations())
}

func (d DjangoPBKDF2) iterations() int {
	if d.Iterations == 0 {
		return 1_000_000
	}
	return d.Iterations
}

// DjangoPBKDF2SHA1 verifies and makes the hashes of Django's
// PBKDF2SHA1PasswordHasher, pbkdf2_sha1$<iterations>$<salt>$<base64 key>
// with a 20-byte PBKDF2-HMAC-SHA1 key. Its zero value hashes with 1,000,000
// iterations.
type DjangoPBKDF2SHA1 struct {
	Iterations int // 0 means 1,000,000
}

var _ Hasher = DjangoPBKDF2SHA1{}

// Identify reports whether encoded starts with "pbkdf2_sha1$".
func (DjangoPBKDF2SHA1) Identify(encoded string) bool {
	return strings.HasPrefix(encoded, "pbkdf2_sha1$")
}

// Hash returns a Django pbkdf2_sha1 hash of password with a random salt.
func (d DjangoPBKDF2SHA1) Hash(password string) (string, error) {
	return pbkdf2Hash(djangoSHA1, password, DjangoPBKDF2(d).iterations())
}

// Verify reports whether password matches the Django pbkdf2_sha1 hash
// encoded.
func (DjangoPBKDF2SHA1) Verify(password, encoded string) (bool, error) {
	return pbkdf2Verify(djangoSHA1, password, encoded)
}

// Current reports whether encoded uses d's iteration count.
func (d DjangoPBKDF2SHA1) Current(encoded string) bool {
	return pbkdf2Current(djangoSHA1, encoded, DjangoPBKDF2(d).iterations())
}

// pbkdf2Algo is one of Django's PBKDF2 variants.
type pbkdf2Algo struct {
	name   string
	hash   func() hash.Hash
	keyLen int
}

var (
	djangoSHA256 = pbkdf2Algo{"pbkdf2_sha256", sha256.New, sha256.Size}
	djangoSHA1   = pbkdf2Algo{"pbkdf2_sha1", sha1.New, sha1.Size}
)

// pbkdf2MaxIterations bounds what a decoded hash may ask for.
const pbkdf2MaxIterations = 100_000_000

type pbkdf2Encoded struct {
	iterations int
	salt       string
	key        []byte
}

func pbkdf2Hash(a pbkdf2Algo, password string, iterations int) (string, error) {
	salt := rand.Text() // 26 base32 characters, 130 bits; never contains '$'
	key, err := pbkdf2.Key(a.hash, password, []byte(salt), iterations, a.keyLen)
	if err != nil {
		return "", err
	}
	return a.name + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}

func pbkdf2Verify(a pbkdf2Algo, password, encoded string) (bool, error) {
	h, err := parsePBKDF2(a, encoded)
	if err != nil {
		return false, err
	}
	key, err := pbkdf2.Key(a.hash, password, []byte(h.salt), h.iterations, a.keyLen)
	if err != nil {
		return false, malformed(a.name, err.Error())
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

func pbkdf2Current(a pbkdf2Algo, encoded string, iterations int) bool {
	h, err := parsePBKDF2(a, encoded)
	return err == nil && h.iterations == iterations
}

// parsePBKDF2 decodes "<name>$<iterations>$<salt>$<base64 key>".
func parsePBKDF2(a pbkdf2Algo, encoded string) (pbkdf2Encoded, error) {
	var h pbkdf2Encoded
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != a.name {
		return h, malformed(a.name, "want 4 $-separated fields")
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 || n > pbkdf2MaxIterations || parts[1][0] == '0' || parts[1][0] == '+' {
		return h, malformed(a.name, "bad iteration count")
	}
	if parts[2] == "" {
		return h, malformed(a.name, "empty salt")
	}
	key, err := base64.StdEncoding.Strict().DecodeString(parts[3])
	if err != nil || len(key) != a.keyLen {
		return h, malformed(a.name, "bad hash")
	}
	return pbkdf2Encoded{iterations: n, salt: parts[2], key: key}, nil
}
