package password

import (
	"errors"
	"fmt"
)

var (
	// ErrMalformed is matched (with errors.Is) by every *FormatError: the
	// encoded string is not a valid hash of the format it claims.
	ErrMalformed = errors.New("password: malformed hash")

	// ErrUnknownAlgorithm is returned by Verify when no hasher recognises
	// the encoded string.
	ErrUnknownAlgorithm = errors.New("password: unknown hash algorithm")

	// ErrTooLong is returned by Hash and Verify for a password longer than
	// MaxBytes, which bounds the cost of hashing.
	ErrTooLong = fmt.Errorf("password: longer than %d bytes", MaxBytes)
)

// FormatError reports an encoded hash that names a known algorithm but
// cannot be decoded. It unwraps to ErrMalformed.
type FormatError struct {
	Algorithm string // the algorithm the string names, e.g. "argon2id"
	Reason    string // what is wrong, e.g. "bad salt encoding"
}

func (e *FormatError) Error() string {
	return "password: malformed " + e.Algorithm + " hash: " + e.Reason
}

// Unwrap returns ErrMalformed.
func (e *FormatError) Unwrap() error { return ErrMalformed }

func malformed(algorithm, reason string) error {
	return &FormatError{Algorithm: algorithm, Reason: reason}
}
