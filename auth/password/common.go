package password

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

// commonGz is the sorted, lower-case list of the 20,000 most common
// passwords, one a line; NOTICE says where it comes from.
//
//go:embed common-passwords.txt.gz
var commonGz []byte

// commonList decompresses the list once, on first use. It is read-only
// data, not configuration, so a package-level cache is safe.
var commonList = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded common-passwords list: " + err.Error())
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		panic("password: embedded common-passwords list: " + err.Error())
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
})

// IsCommon reports whether password, ignoring case and surrounding spaces,
// is one of the 20,000 most common passwords.
func IsCommon(password string) bool {
	_, found := slices.BinarySearch(commonList(), strings.ToLower(strings.TrimSpace(password)))
	return found
}

// Common rejects the 20,000 most common passwords, compared without regard
// to case. Key: "password_too_common".
type Common struct{}

var _ Validator = Common{}

// Validate rejects a common password.
func (Common) Validate(_ context.Context, password string, _ Attributes) error {
	if IsCommon(password) {
		return &Violation{Key: "password_too_common", Message: "This password is too common."}
	}
	return nil
}
