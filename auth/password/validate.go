package password

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attributes are the user's details a password must not resemble, keyed by
// attribute name: "username", "email", "first_name", "last_name" or any
// other field of an application's user model. Empty values are ignored.
type Attributes map[string]string

// Validator is one rule for new passwords. Validate returns nil when
// password passes, a *Violation (or a *ValidationError holding several)
// when it does not, and any other error when the check itself failed (a
// validator calling a remote service, for instance). Implementations must
// be safe for concurrent use.
type Validator interface {
	Validate(ctx context.Context, password string, user Attributes) error
}

// Violation is one rule a password breaks. Key and Params identify the
// message for translation ("password_too_short", {"min": 8}); the keys are
// Django's, so existing translations carry over. Message is the English
// text.
type Violation struct {
	Key     string
	Params  map[string]any
	Message string
}

func (v *Violation) Error() string { return v.Message }

// ValidationError lists every rule a password breaks, in validator order.
type ValidationError struct {
	Violations []*Violation
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		msgs[i] = v.Message
	}
	return "password: " + strings.Join(msgs, " ")
}

// Has reports whether e lists a violation with the given key.
func (e *ValidationError) Has(key string) bool {
	for _, v := range e.Violations {
		if v.Key == key {
			return true
		}
	}
	return false
}

// Validators is an ordered list of rules for new passwords, configured per
// application. An empty list accepts every password; DefaultValidators
// returns the recommended rules.
type Validators []Validator

// DefaultValidators returns the rules the package-level Validate applies:
// Length (8 characters to 4096 bytes), Similarity (0.7), Common and
// Numeric.
func DefaultValidators() Validators {
	return Validators{Length{}, Similarity{}, Common{}, Numeric{}}
}

// Validate runs every validator and returns nil, a *ValidationError holding
// all the violations found, or the first other error a validator returned.
func (vs Validators) Validate(ctx context.Context, password string, user Attributes) error {
	var all []*Violation
	for _, v := range vs {
		err := v.Validate(ctx, password, user)
		var one *Violation
		var many *ValidationError
		switch {
		case err == nil:
		case errors.As(err, &one):
			all = append(all, one)
		case errors.As(err, &many):
			all = append(all, many.Violations...)
		default:
			return err
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &ValidationError{Violations: all}
}

// Validate checks password against DefaultValidators.
func Validate(ctx context.Context, password string, user Attributes) error {
	return DefaultValidators().Validate(ctx, password, user)
}

// Length requires at least Min characters and at most Max bytes. Its zero
// value requires 8 characters and allows up to MaxBytes (4096) bytes, so
// long passphrases pass while the cost of hashing stays bounded. Keys:
// "password_too_short" {"min"}, "password_too_long" {"max"}.
type Length struct {
	Min int // characters (runes); 0 means 8
	Max int // bytes; 0 means MaxBytes, and more than MaxBytes is MaxBytes
}

var _ Validator = Length{}

// Validate checks the length of password.
func (l Length) Validate(_ context.Context, password string, _ Attributes) error {
	lo, hi := l.Min, l.Max
	if lo == 0 {
		lo = 8
	}
	if hi == 0 || hi > MaxBytes {
		hi = MaxBytes
	}
	if n := utf8.RuneCountInString(password); n < lo {
		return &Violation{Key: "password_too_short", Params: map[string]any{"min": lo},
			Message: fmt.Sprintf("This password is too short. It must contain at least %d characters.", lo)}
	}
	if len(password) > hi {
		return &Violation{Key: "password_too_long", Params: map[string]any{"max": hi},
			Message: fmt.Sprintf("This password is too long. It must contain at most %d bytes.", hi)}
	}
	return nil
}

// Numeric rejects a password made only of digits. Key:
// "password_entirely_numeric".
type Numeric struct{}

var _ Validator = Numeric{}

// Validate rejects an all-digit password.
func (Numeric) Validate(_ context.Context, password string, _ Attributes) error {
	if password == "" {
		return nil
	}
	for _, r := range password {
		if !unicode.IsDigit(r) {
			return nil
		}
	}
	return &Violation{Key: "password_entirely_numeric", Message: "This password is entirely numeric."}
}
