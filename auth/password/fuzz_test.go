package password

import (
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary strings to every decoder. None may panic, and
// whatever a decoder accepts must be within the bounds that keep Verify
// cheap enough to run on untrusted input.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ",
		"argon2$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$H4pT5tNwXwiLpWHHZtVKyQ",
		"pbkdf2_sha256$1000$anodeSalt1234567890abc$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70=",
		"pbkdf2_sha1$1000$anodeSalt1234567890abc$oaheF9pCVP0/zC4RIamA8pcawr8=",
		"$2y$05$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX2",
		"bcrypt_sha256$$2y$04$moVovoqjALn6lvhRp7fz4OmQ2yU0NvZRcM0kyCgf7dllZSaaORZsG",
		"$argon2id$v=19$m=,t=1,p=1$$", "pbkdf2_sha256$$$", "$2b$", "!", "", "$",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := parseArgon2(s); err == nil {
			if p.memory > argonMaxMemory || p.time > argonMaxTime || p.threads == 0 || len(p.salt) < argonMinSalt || len(p.key) < argonMinKey {
				t.Fatalf("parseArgon2(%q) accepted out-of-range %+v", s, p)
			}
		}
		for _, a := range []pbkdf2Algo{djangoSHA256, djangoSHA1} {
			if h, err := parsePBKDF2(a, s); err == nil && (h.iterations < 1 || h.iterations > pbkdf2MaxIterations || len(h.key) != a.keyLen) {
				t.Fatalf("parsePBKDF2(%q) accepted %+v", s, h)
			}
		}
		if err := checkBcrypt(s); err == nil && len(s) != 60 {
			t.Fatalf("checkBcrypt(%q) accepted a hash of length %d", s, len(s))
		}
		// Dispatch and the cheap paths of Verify: bcrypt at cost 4 only,
		// never a costly derivation the fuzzer could ask for.
		hs := Hashers{Bcrypt{Cost: 4}}
		if !strings.HasPrefix(s, "$2") || (checkBcrypt(s) == nil && s[4:6] == "04") {
			hs.Verify("pw", s)
		}
		for _, h := range DefaultHashers() {
			h.Identify(s)
			h.Current(s)
		}
	})
}
