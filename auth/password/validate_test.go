package password_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/auth/password"
)

func keys(err error) []string {
	var ve *password.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Key)
	}
	return out
}

func TestValidate(t *testing.T) {
	jane := password.Attributes{
		"username":   "janedoe84",
		"email":      "jane.smithers@example.com",
		"first_name": "Jane",
		"last_name":  "Smithers",
	}
	tests := []struct {
		name, pw string
		want     []string
	}{
		{"strong", "violet-anchor-grammar-7", nil},
		{"empty", "", []string{"password_too_short"}},
		{"short and numeric", "1234", []string{"password_too_short", "password_too_common", "password_entirely_numeric"}},
		{"common", "password", []string{"password_too_common"}},
		{"common any case", "PassWord", []string{"password_too_common"}},
		{"numeric", "84029175306", []string{"password_entirely_numeric"}},
		{"like username", "JaneDoe84!", []string{"password_too_similar"}},
		{"like email local part", "smithers1", []string{"password_too_similar"}},
		{"64 characters", strings.Repeat("abcd", 16), nil},
		{"4096 bytes", strings.Repeat("q7#x", 1024), nil},
		{"too long", strings.Repeat("q7#x", 1024) + "z", []string{"password_too_long"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := password.Validate(context.Background(), tc.pw, jane)
			if got := keys(err); !slices.Equal(got, tc.want) {
				t.Fatalf("keys = %v (%v); want %v", got, err, tc.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "password: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestViolationParams(t *testing.T) {
	err := password.Validators{password.Length{Min: 12}, password.Similarity{}}.Validate(
		context.Background(), "janedoe", password.Attributes{"username": "janedoe"})
	var ve *password.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 2 {
		t.Fatalf("err = %v; want two violations", err)
	}
	if v := ve.Violations[0]; v.Key != "password_too_short" || v.Params["min"] != 12 || !strings.Contains(v.Message, "12") {
		t.Errorf("first violation = %+v", v)
	}
	if v := ve.Violations[1]; v.Key != "password_too_similar" || v.Params["attribute"] != "username" {
		t.Errorf("second violation = %+v", v)
	}
	if !ve.Has("password_too_similar") || ve.Has("password_too_common") {
		t.Error("Has reports the wrong keys")
	}
}

func TestValidatorsConfigurable(t *testing.T) {
	ctx := context.Background()
	if err := (password.Validators{}).Validate(ctx, "1", nil); err != nil {
		t.Errorf("empty Validators rejected a password: %v", err)
	}
	// A custom rule, and a non-validation error that stops the run.
	custom := password.Validators{password.Numeric{}, validatorFunc(func(pw string) error {
		if strings.ContainsRune(pw, 'q') {
			return &password.Violation{Key: "no_q", Message: "No q."}
		}
		return nil
	})}
	if got := keys(custom.Validate(ctx, "qqq", nil)); !slices.Equal(got, []string{"no_q"}) {
		t.Errorf("keys = %v; want [no_q]", got)
	}
	boom := errors.New("service down")
	failing := password.Validators{validatorFunc(func(string) error { return boom })}
	if err := failing.Validate(ctx, "x", nil); !errors.Is(err, boom) {
		t.Errorf("err = %v; want the validator's own error", err)
	}
}

type validatorFunc func(string) error

func (f validatorFunc) Validate(_ context.Context, pw string, _ password.Attributes) error {
	return f(pw)
}

func TestCommon(t *testing.T) {
	for _, pw := range []string{"123456", "password", "qwerty", "letmein", "dragon", "Monkey", " football "} {
		if !password.IsCommon(pw) {
			t.Errorf("IsCommon(%q) = false", pw)
		}
	}
	for _, pw := range []string{"violet-anchor-grammar-7", "Tr0ub4dor&3xq", ""} {
		if password.IsCommon(pw) {
			t.Errorf("IsCommon(%q) = true", pw)
		}
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"abcd", "bcde", 0.75},              // "bcd": 2*3/8
		{"janedoe", "doejane", 4.0 / 7},     // "jane", then nothing to its left/right match: 2*4/14
		{"wikimedia", "wikimania", 7.0 / 9}, // "wikim" + "ia": 2*7/18
	}
	for _, tc := range tests {
		if got := password.Ratio(tc.a, tc.b); got != tc.want {
			t.Errorf("Ratio(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
		if got := password.Ratio(tc.b, tc.a); got != tc.want {
			t.Errorf("Ratio(%q, %q) = %v; want %v", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestSimilarityThreshold(t *testing.T) {
	ctx := context.Background()
	user := password.Attributes{"username": "abcdefghij"}
	// "abcdefgXYZ" shares 7 of 10 characters with the username: ratio 0.7.
	if err := (password.Similarity{}).Validate(ctx, "abcdefgXYZ", user); err == nil {
		t.Error("ratio 0.7 accepted at the default 0.7")
	}
	if err := (password.Similarity{MaxRatio: 0.8}).Validate(ctx, "abcdefgXYZ", user); err != nil {
		t.Errorf("ratio 0.7 rejected at 0.8: %v", err)
	}
	// A long password is not compared against a short attribute at all.
	long := strings.Repeat("abcdefghij", 400)
	if err := (password.Similarity{}).Validate(ctx, long, user); err != nil {
		t.Errorf("long password rejected: %v", err)
	}
}
