package password_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/anode-go/anode/auth/password"
)

// A login: verify, upgrade an imported Django hash, and spend the same time
// when the user does not exist.
func Example() {
	// A user imported from Django (PBKDF2-SHA256, 1000 iterations).
	stored := "pbkdf2_sha256$1000$anodeSalt1234567890abc$r92VSkC9gI0WFmXQYgXaFEGBdifxGXQln3f7IMnCW70="

	ok, needsRehash, err := password.Verify("correct horse", stored)
	if err != nil {
		fmt.Println("corrupt hash:", err)
		return
	}
	fmt.Println("ok:", ok, "needsRehash:", needsRehash)
	if ok && needsRehash {
		stored, _ = password.Hash("correct horse") // save it on the user
	}
	ok, needsRehash, _ = password.Verify("correct horse", stored)
	fmt.Println("ok:", ok, "needsRehash:", needsRehash)

	// No such user: do the same work, then fail.
	password.DummyVerify("whatever they typed")
	// Output:
	// ok: true needsRehash: true
	// ok: true needsRehash: false
}

// Checking a new password, and reading the violations for translation.
func ExampleValidate() {
	err := password.Validate(context.Background(), "JaneDoe1", password.Attributes{
		"username": "janedoe",
		"email":    "jane@example.com",
	})
	var ve *password.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v.Key, v.Params, v.Message)
		}
	}
	// Output:
	// password_too_similar map[attribute:username] The password is too similar to the username.
}

// An application's own rules: longer passwords, no similarity check.
func ExampleValidators() {
	rules := password.Validators{password.Length{Min: 12}, password.Common{}, password.Numeric{}}
	err := rules.Validate(context.Background(), "letmein", nil)
	fmt.Println(err)
	// Output:
	// password: This password is too short. It must contain at least 12 characters. This password is too common.
}
