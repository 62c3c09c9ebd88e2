package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id hashes with argon2id (RFC 9106) and encodes in the PHC string
// format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in
// unpadded standard base64. Its zero value uses the OWASP Password Storage
// Cheat Sheet's first recommended configuration for argon2id: 19 MiB of
// memory, 2 iterations, 1 degree of parallelism, with a 16-byte salt and a
// 32-byte key.
type Argon2id struct {
	Memory  uint32 // KiB; 0 means 19456 (19 MiB)
	Time    uint32 // iterations; 0 means 2
	Threads uint8  // parallelism; 0 means 1
	SaltLen uint32 // bytes; 0 means 16
	KeyLen  uint32 // bytes; 0 means 32
}

var _ Hasher = Argon2id{}

// argonParams are the parameters an argon2 encoding carries.
type argonParams struct {
	variant string // "argon2id" or "argon2i"
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func (a Argon2id) params() argonParams {
	p := argonParams{variant: "argon2id", memory: a.Memory, time: a.Time, threads: a.Threads}
	if p.memory == 0 {
		p.memory = 19 * 1024
	}
	if p.time == 0 {
		p.time = 2
	}
	if p.threads == 0 {
		p.threads = 1
	}
	p.salt = make([]byte, cmpOr(a.SaltLen, 16))
	p.key = make([]byte, cmpOr(a.KeyLen, 32))
	return p
}

func cmpOr(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

// Identify reports whether encoded starts with "$argon2id$".
func (Argon2id) Identify(encoded string) bool { return strings.HasPrefix(encoded, "$argon2id$") }

// Hash returns the PHC string of password with a random salt.
func (a Argon2id) Hash(password string) (string, error) {
	p := a.params()
	rand.Read(p.salt)
	p.key = p.derive(password, len(p.key))
	return p.encode(), nil
}

// Verify reports whether password matches the PHC string encoded.
func (Argon2id) Verify(password, encoded string) (bool, error) {
	p, err := parseArgon2(encoded)
	if err != nil {
		return false, err
	}
	if p.variant != "argon2id" {
		return false, malformed(p.variant, "not argon2id")
	}
	return p.verify(password), nil
}

// Current reports whether encoded uses a's memory, time, parallelism and
// key length.
func (a Argon2id) Current(encoded string) bool {
	p, err := parseArgon2(encoded)
	return err == nil && p.sameCost(a.params())
}

func (p argonParams) sameCost(q argonParams) bool {
	return p.variant == q.variant && p.memory == q.memory && p.time == q.time &&
		p.threads == q.threads && len(p.key) == len(q.key)
}

func (p argonParams) derive(password string, keyLen int) []byte {
	if p.variant == "argon2i" {
		return argon2.Key([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(keyLen))
	}
	return argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(keyLen))
}

func (p argonParams) verify(password string) bool {
	got := p.derive(password, len(p.key))
	return subtle.ConstantTimeCompare(got, p.key) == 1
}

func (p argonParams) encode() string {
	b64 := base64.RawStdEncoding
	return "$" + p.variant + "$v=" + strconv.Itoa(argon2.Version) +
		"$m=" + strconv.FormatUint(uint64(p.memory), 10) +
		",t=" + strconv.FormatUint(uint64(p.time), 10) +
		",p=" + strconv.FormatUint(uint64(p.threads), 10) +
		"$" + b64.EncodeToString(p.salt) + "$" + b64.EncodeToString(p.key)
}

// Bounds a decoded argon2 string must respect, so that a corrupt or hostile
// hash cannot make Verify allocate gigabytes or run for minutes.
const (
	argonMaxMemory = 4 << 20 // KiB: 4 GiB
	argonMaxTime   = 1024
	argonMinSalt   = 8 // RFC 9106 section 3.1
	argonMaxSalt   = 1024
	argonMinKey    = 4 // RFC 9106 section 3.1
	argonMaxKey    = 1024
)

// parseArgon2 decodes a PHC string "$argon2id$v=19$m=..,t=..,p=..$salt$hash"
// (or argon2i). Only version 19 (0x13), the one x/crypto implements, is
// accepted.
func parseArgon2(encoded string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) < 2 {
		return p, malformed("argon2", "no algorithm")
	}
	p.variant = parts[1]
	if p.variant != "argon2id" && p.variant != "argon2i" {
		return p, malformed("argon2", "unsupported variant "+strconv.Quote(p.variant))
	}
	bad := func(reason string) (argonParams, error) { return argonParams{}, malformed(p.variant, reason) }
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 $-separated fields")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version " + strconv.Quote(parts[2]))
	}
	seen := 0
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("bad parameter " + strconv.Quote(kv))
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || (len(v) > 1 && v[0] == '0') {
			return bad("bad number in " + strconv.Quote(kv))
		}
		switch {
		case k == "m" && seen == 0:
			p.memory = uint32(n)
		case k == "t" && seen == 1:
			p.time = uint32(n)
		case k == "p" && seen == 2:
			if n > 255 {
				return bad("parallelism over 255")
			}
			p.threads = uint8(n)
		default:
			return bad("want parameters m, t, p in that order")
		}
		seen++
	}
	switch {
	case seen != 3:
		return bad("want parameters m, t, p")
	case p.threads < 1:
		return bad("parallelism below 1")
	case p.time < 1 || p.time > argonMaxTime:
		return bad("iterations out of range")
	case p.memory < 8*uint32(p.threads) || p.memory > argonMaxMemory:
		return bad("memory out of range")
	}
	b64 := base64.RawStdEncoding.Strict()
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < argonMinSalt || len(p.salt) > argonMaxSalt {
		return bad("bad salt")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < argonMinKey || len(p.key) > argonMaxKey {
		return bad("bad hash")
	}
	return p, nil
}

// DjangoArgon2 verifies and makes the hashes of Django's
// Argon2PasswordHasher: "argon2" followed by a PHC string, for example
// argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>. It accepts argon2id
// and (older Django) argon2i hashes of version 19. Its zero value hashes
// with Django's parameters: argon2id, 100 MiB, 2 iterations, parallelism 8.
type DjangoArgon2 struct {
	Memory  uint32 // KiB; 0 means 102400
	Time    uint32 // 0 means 2
	Threads uint8  // 0 means 8
}

var _ Hasher = DjangoArgon2{}

const djangoArgon2Prefix = "argon2$"

func (d DjangoArgon2) params() argonParams {
	p := argonParams{variant: "argon2id", memory: cmpOr(d.Memory, 102400), time: cmpOr(d.Time, 2), threads: d.Threads}
	if p.threads == 0 {
		p.threads = 8
	}
	p.salt = make([]byte, 16)
	p.key = make([]byte, 16) // argon2-cffi's default hash length, which Django keeps
	return p
}

// Identify reports whether encoded starts with "argon2$".
func (DjangoArgon2) Identify(encoded string) bool {
	return strings.HasPrefix(encoded, djangoArgon2Prefix)
}

// Hash returns a Django argon2 hash of password.
func (d DjangoArgon2) Hash(password string) (string, error) {
	p := d.params()
	rand.Read(p.salt)
	p.key = p.derive(password, len(p.key))
	return "argon2" + p.encode(), nil
}

// Verify reports whether password matches the Django argon2 hash encoded.
func (DjangoArgon2) Verify(password, encoded string) (bool, error) {
	p, err := parseArgon2(strings.TrimPrefix(encoded, "argon2"))
	if err != nil {
		return false, err
	}
	return p.verify(password), nil
}

// Current reports whether encoded uses d's parameters.
func (d DjangoArgon2) Current(encoded string) bool {
	p, err := parseArgon2(strings.TrimPrefix(encoded, "argon2"))
	if err != nil {
		return false
	}
	q := d.params()
	q.key = p.key // Django does not compare hash lengths either
	return p.sameCost(q)
}
