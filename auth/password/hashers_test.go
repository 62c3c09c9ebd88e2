package password_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anode-go/anode/auth/password"
)

// fast is argon2id with test-only costs, first as in an app's Hashers, so
// that tests spend milliseconds; TestDefaultParameters covers the defaults.
var fast = password.Hashers{
	password.Argon2id{Memory: 64, Time: 1},
	password.Bcrypt{Cost: 4},
	password.DjangoPBKDF2{Iterations: 1000},
	password.DjangoPBKDF2SHA1{Iterations: 1000},
	password.DjangoArgon2{Memory: 64, Time: 1, Threads: 1},
	password.DjangoBcrypt{Cost: 4},
	password.DjangoBcryptSHA256{Cost: 4},
}

// Hashes made outside this package, so that a bug shared by our Hash and
// Verify cannot hide. Each is of the password "correct horse".
var foreign = []struct {
	name, encoded string
}{
	// python3 -c "import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'correct horse', b'anodeSalt1234567890abc', 1000, 32)).decode())"
	{"django pbkdf2_sha256", "pbkdf2_sha256$1000$anodeSalt1234567890abc$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70="},
	// python3 -c "import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'correct horse', b'anodeSalt1234567890abc', 870000, 32)).decode())"
	// (Django 5.1's iteration count)
	{"django pbkdf2_sha256 870000", "pbkdf2_sha256$870000$anodeSalt1234567890abc$0PksPKmQLWAi3aJlb65igPlgYp2FGxNYa8gkc5hn+SQ="},
	// python3 -c "import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac('sha1', b'correct horse', b'anodeSalt1234567890abc', 1000)).decode())"
	{"django pbkdf2_sha1", "pbkdf2_sha1$1000$anodeSalt1234567890abc$oaheF9pCVP0/zC4RIamA8pcawr8="},
	// htpasswd -nbBC 5 u 'correct horse' (apache2-utils)
	{"htpasswd bcrypt", "$2y$05$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX2"},
	// the same, with Django's "bcrypt$" prefix
	{"django bcrypt", "bcrypt$$2y$05$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX2"},
	// H=$(python3 -c "import hashlib; print(hashlib.sha256(b'correct horse').hexdigest())"); htpasswd -nbBC 4 u "$H"
	{"django bcrypt_sha256", "bcrypt_sha256$$2y$04$moVovoqjALn6lvhRp7fz4OmQ2yU0NvZRcM0kyCgf7dllZSaaORZsG"},
	// echo -n 'correct horse' | argon2 somesalt16bytes! -id -t 1 -k 64 -p 1 -l 32 -e (Debian's argon2)
	{"argon2 cli argon2id", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ"},
	// echo -n 'correct horse' | argon2 somesalt16bytes! -id -t 2 -k 256 -p 2 -l 16 -e, with Django's "argon2" prefix
	{"django argon2id", "argon2$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQxNmJ5dGVzIQ$eOGbH/rV41fDE8PVT9Mneg"},
	// echo -n 'correct horse' | argon2 somesalt16bytes! -i -t 2 -k 64 -p 1 -l 16 -e, with Django's "argon2" prefix
	{"django argon2i", "argon2$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$H4pT5tNwXwiLpWHHZtVKyQ"},
}

func TestForeignHashes(t *testing.T) {
	for _, tc := range foreign {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := password.Verify("correct horse", tc.encoded)
			if err != nil || !ok {
				t.Fatalf("Verify(right password) = %v, %v, %v; want ok", ok, rehash, err)
			}
			// None was made by the default hasher with its parameters, so
			// every one is upgraded on login.
			if !rehash {
				t.Errorf("needsRehash = false; want true for a non-default hash")
			}
			ok, rehash, err = password.Verify("correct horsE", tc.encoded)
			if err != nil || ok || rehash {
				t.Errorf("Verify(wrong password) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestDjangoPBKDF2Upgrade(t *testing.T) {
	// The password is non-ASCII: Django hashes its UTF-8 bytes.
	// python3 -c "import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', 'pässwörd'.encode(), b'xY7salt', 2000, 32)).decode())"
	const django = "pbkdf2_sha256$2000$xY7salt$7fpVnZy+UH18Oto2iRCFq/ZN2m7jsm9XEAuAW9ddCAo="
	ok, rehash, err := fast.Verify("pässwörd", django)
	if err != nil || !ok || !rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	upgraded, err := fast.Hash("pässwörd")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(upgraded, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("re-hash = %q; want an argon2id PHC string", upgraded)
	}
	if ok, rehash, err := fast.Verify("pässwörd", upgraded); err != nil || !ok || rehash {
		t.Fatalf("Verify(upgraded) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	// Iterations other than the hasher's own also ask for a re-hash when
	// pbkdf2 is the first hasher, as for an app that keeps Django's format.
	keep := password.Hashers{password.DjangoPBKDF2{Iterations: 1000}}
	if ok, rehash, _ := keep.Verify("pässwörd", django); !ok || !rehash {
		t.Errorf("pbkdf2-first Verify(2000 iterations) = %v, %v; want true, true", ok, rehash)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, h := range fast {
		t.Run(strings.TrimPrefix(fmt.Sprintf("%T", h), "password."), func(t *testing.T) {
			hs := password.Hashers{h}
			enc, err := hs.Hash("s3cret pass phrase")
			if err != nil {
				t.Fatal(err)
			}
			if !h.Identify(enc) || !h.Current(enc) {
				t.Errorf("hash %q not identified as current by its own hasher", enc)
			}
			if ok, rehash, err := hs.Verify("s3cret pass phrase", enc); !ok || rehash || err != nil {
				t.Errorf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
			if ok, _, err := hs.Verify("s3cret pass phrasE", enc); ok || err != nil {
				t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
			}
			if again, _ := hs.Hash("s3cret pass phrase"); again == enc {
				t.Errorf("two hashes of one password are equal: the salt is not random")
			}
			// Verified through the full list it is still current only when
			// its hasher comes first.
			_, rehash, _ := fast.Verify("s3cret pass phrase", enc)
			if want := h != fast[0]; rehash != want {
				t.Errorf("fast.Verify needsRehash = %v; want %v", rehash, want)
			}
		})
	}
}

func TestDefaultParameters(t *testing.T) {
	enc, err := password.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("Hash = %q; want argon2id with m=19456,t=2,p=1", enc)
	}
	if ok, rehash, err := password.Verify("correct horse battery staple", enc); !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	// Other parameters are verified and flagged for re-hashing.
	cheap, _ := password.Hashers{password.Argon2id{Memory: 64, Time: 1}}.Hash("pw")
	if ok, rehash, err := password.Verify("pw", cheap); !ok || !rehash || err != nil {
		t.Fatalf("Verify(cheap argon2id) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestBcryptLongPasswords(t *testing.T) {
	long := strings.Repeat("x", 73)
	if _, err := (password.Hashers{password.Bcrypt{Cost: 4}}).Hash(long); !errors.Is(err, password.ErrBcryptTooLong) {
		t.Errorf("Bcrypt.Hash(73 bytes) error = %v; want ErrBcryptTooLong", err)
	}
	// bcrypt_sha256 pre-hashes, so length does not matter and every byte counts.
	hs := password.Hashers{password.DjangoBcryptSHA256{Cost: 4}}
	enc, err := hs.Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := hs.Verify(long+"y", enc); ok {
		t.Error("bcrypt_sha256 ignored the 74th byte")
	}
}

func TestTooLong(t *testing.T) {
	long := strings.Repeat("a", password.MaxBytes+1)
	if _, err := fast.Hash(long); !errors.Is(err, password.ErrTooLong) {
		t.Errorf("Hash error = %v; want ErrTooLong", err)
	}
	if ok, _, err := fast.Verify(long, foreign[0].encoded); ok || !errors.Is(err, password.ErrTooLong) {
		t.Errorf("Verify = %v, %v; want false, ErrTooLong", ok, err)
	}
	if _, err := fast.Hash(long[:password.MaxBytes]); err != nil {
		t.Errorf("Hash(MaxBytes) error = %v; want nil", err)
	}
}

func TestUnusable(t *testing.T) {
	u := password.Unusable()
	if password.IsUsable(u) || password.IsUsable("") {
		t.Fatalf("IsUsable(%q) or IsUsable(\"\") = true", u)
	}
	if u == password.Unusable() {
		t.Error("two unusable passwords are equal")
	}
	if !password.IsUsable(foreign[0].encoded) {
		t.Error("IsUsable(a real hash) = false")
	}
	// Neither the marker itself, what follows it, nor a real hash behind
	// "!" (Django's set_unusable_password keeps none) ever verifies.
	for _, enc := range []string{u, "", "!", "!" + foreign[0].encoded} {
		for _, pw := range []string{"", "!", u, u[1:], "correct horse"} {
			if ok, rehash, err := fast.Verify(pw, enc); ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v; want false, false, nil", pw, enc, ok, rehash, err)
			}
		}
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name, encoded string
		want          error
	}{
		{"unknown", "md5$abc$def", password.ErrUnknownAlgorithm},
		{"plain text", "correct horse", password.ErrUnknownAlgorithm},
		{"pbkdf2 fields", "pbkdf2_sha256$1000$salt", password.ErrMalformed},
		{"pbkdf2 iterations", "pbkdf2_sha256$abc$salt$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70=", password.ErrMalformed},
		{"pbkdf2 zero iterations", "pbkdf2_sha256$0$salt$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70=", password.ErrMalformed},
		{"pbkdf2 huge iterations", "pbkdf2_sha256$999999999999$salt$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70=", password.ErrMalformed},
		{"pbkdf2 base64", "pbkdf2_sha256$1000$salt$not base64!", password.ErrMalformed},
		{"pbkdf2 key length", "pbkdf2_sha256$1000$salt$AAAA", password.ErrMalformed},
		{"pbkdf2 empty salt", "pbkdf2_sha256$1000$$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70=", password.ErrMalformed},
		{"argon2 fields", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ", password.ErrMalformed},
		{"argon2 version", "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"argon2 params order", "$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"argon2 huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"argon2 zero threads", "$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"argon2 short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"argon2 padded base64", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ==$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"django argon2 variant", "argon2$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", password.ErrMalformed},
		{"bcrypt short", "$2b$04$abc", password.ErrMalformed},
		{"bcrypt cost", "$2y$31$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX2", password.ErrMalformed},
		{"bcrypt alphabet", "$2y$05$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX!", password.ErrMalformed},
		{"django bcrypt empty", "bcrypt$", password.ErrMalformed},
		{"bcrypt_sha256 garbage", "bcrypt_sha256$$2b$xx", password.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := fast.Verify("correct horse", tc.encoded)
			if ok || rehash || !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, %v, %v; want false, false, %v", ok, rehash, err, tc.want)
			}
			var fe *password.FormatError
			if errors.Is(err, password.ErrMalformed) && (!errors.As(err, &fe) || fe.Algorithm == "" || fe.Reason == "") {
				t.Errorf("error %v is not a complete *FormatError", err)
			}
		})
	}
}

func BenchmarkVerifyWrongPassword(b *testing.B) {
	enc, err := password.Hash("the real password")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		password.Verify("a wrong password", enc)
	}
}

func BenchmarkDummyVerify(b *testing.B) {
	for b.Loop() {
		password.DummyVerify("a wrong password")
	}
}
