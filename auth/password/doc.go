// Package password hashes and verifies user passwords and checks new
// passwords against validation rules.
//
// # Hashing
//
// Hash turns a password into a self-describing encoded string and Verify
// checks a password against one. New hashes use argon2id with the
// parameters OWASP recommends (see Argon2id). Verify also accepts bcrypt
// hashes and the formats Django stores (pbkdf2_sha256, pbkdf2_sha1,
// argon2, bcrypt and bcrypt_sha256), so users can be imported from a
// Django database unchanged. When Verify succeeds on a hash made by another
// hasher or with other parameters it reports needsRehash, and the caller
// stores Hash(password) in its place:
//
//	ok, needsRehash, err := password.Verify(pw, user.Password)
//	if ok && needsRehash {
//		user.Password, _ = password.Hash(pw)
//	}
//
// For a login with an unknown username, call DummyVerify so the response
// takes as long as a real check and does not reveal which accounts exist.
//
// Passwords made by Unusable (a "!" prefix, as in Django) never verify.
// A Hashers value configures which hashers an application uses; the
// package-level functions use DefaultHashers.
//
// # Validation
//
// Validate checks a new password against the default rules: at least 8
// characters and at most 4096 bytes, not one of the 20,000 most common
// passwords, not entirely numeric and not too similar to the user's
// username, name or email address. It returns a *ValidationError listing
// every rule broken, each with a key and parameters for translation. A
// Validators list configures other rules per application.
//
// # Common passwords
//
// The list of common passwords is the first 20,000 entries of the
// "passwords" frequency list in the npm package zxcvbn 4.4.2 (MIT
// licence, Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.),
// lower-cased, sorted and gzipped into common-passwords.txt.gz; see
// NOTICE beside it.
package password
