package password

import (
	"slices"
	"strings"
	"testing"
)

func TestCommonListShape(t *testing.T) {
	list := commonList()
	if len(list) != 20000 {
		t.Errorf("list has %d entries; want 20000", len(list))
	}
	if !slices.IsSorted(list) {
		t.Error("list is not sorted: binary search would miss entries")
	}
	for _, w := range list {
		if w == "" || w != strings.ToLower(strings.TrimSpace(w)) {
			t.Fatalf("entry %q is empty, not lower case or padded", w)
		}
	}
}

// TestIdentifyDisjoint checks that no encoded string is claimed by two
// hashers, so Verify's choice never depends on their order.
func TestIdentifyDisjoint(t *testing.T) {
	hs := Hashers{
		Argon2id{Memory: 64, Time: 1}, Bcrypt{Cost: 4}, DjangoPBKDF2{Iterations: 10},
		DjangoPBKDF2SHA1{Iterations: 10}, DjangoArgon2{Memory: 64, Time: 1, Threads: 1},
		DjangoBcrypt{Cost: 4}, DjangoBcryptSHA256{Cost: 4},
	}
	if len(hs) != len(DefaultHashers()) {
		t.Fatal("the list above no longer covers every default hasher")
	}
	for _, h := range hs {
		enc, err := h.Hash("pw")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, other := range hs {
			if other.Identify(enc) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%T's hash %q is identified by %d hashers", h, enc, n)
		}
	}
}

// TestZeroValueParameters checks each hasher's defaults without paying for
// them: a string with the default costs (and a dummy salt and key) is
// Current, one with other costs is not.
func TestZeroValueParameters(t *testing.T) {
	const salt, key = "c29tZXNhbHQxNmJ5dGVzIQ", "eOGbH/rV41fDE8PVT9Mneg"
	const bc = "$2b$12$wbhINvylDSfrjju12CXzieXSnV2qcKNnhkQnvZOJy6/0tFgd8tBX2"
	const pb = "$1000000$salt$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70="
	tests := []struct {
		h            Hasher
		current, old string
	}{
		{Argon2id{}, "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ", "$argon2id$v=19$m=19456,t=1,p=1$" + salt + "$MmvBYrAqCC986rmwQ7KaVeIEZg6o09wdeQsLWBCqmzQ"},
		{DjangoArgon2{}, "argon2$argon2id$v=19$m=102400,t=2,p=8$" + salt + "$" + key, "argon2$argon2id$v=19$m=102400,t=2,p=1$" + salt + "$" + key},
		{Bcrypt{}, bc, strings.Replace(bc, "$12$", "$10$", 1)},
		{DjangoBcrypt{}, "bcrypt$" + bc, "bcrypt$" + strings.Replace(bc, "$12$", "$10$", 1)},
		{DjangoBcryptSHA256{}, "bcrypt_sha256$" + bc, "bcrypt_sha256$" + strings.Replace(bc, "$12$", "$10$", 1)},
		{DjangoPBKDF2{}, "pbkdf2_sha256" + pb, strings.Replace("pbkdf2_sha256"+pb, "1000000", "870000", 1)},
	}
	for _, tc := range tests {
		if !tc.h.Identify(tc.current) || !tc.h.Current(tc.current) {
			t.Errorf("%T: %q is not current", tc.h, tc.current)
		}
		if !tc.h.Identify(tc.old) || tc.h.Current(tc.old) {
			t.Errorf("%T: %q is current", tc.h, tc.old)
		}
	}
}
