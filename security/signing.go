package security

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/anode-go/anode/internal/signing"
)

// ErrBadSignature is returned for a signed value that was not made by the
// Signer (with its key or a fallback), was changed, or is malformed.
var ErrBadSignature = signing.ErrInvalid

// ErrExpired is returned for a genuine timestamped value older than the
// maximum age asked for.
var ErrExpired = signing.ErrExpired

// Signer signs values so that they can leave the server (in cookies, URLs,
// e-mails, hidden fields) and be trusted when they come back, like
// Django's signing module: HMAC-SHA256 with a key derived from the secret
// key for one purpose, so a value signed for one purpose never passes for
// another. Values are readable by anyone (base64url, not encrypted); sign,
// don't hide. Timestamped values (SignTimestamped, SignJSON) can be given a
// maximum age when checked.
//
// A Signer signs with the current secret key and accepts values signed with
// the earlier keys in Config.SecretKeyFallbacks (ANODE_SECRET_KEY_FALLBACKS),
// so rotating the key does not end every session at once. Get one with
// App.Signer or NewSigner. A Signer is safe for concurrent use.
type Signer struct {
	s   *signing.Signer
	now func() time.Time
}

// NewSigner returns the Signer for purpose (any fixed string: "newsletter.
// unsubscribe") with a key derived from secret and fallback keys derived from
// fallbacks, newest first. It panics on an empty secret or purpose: both
// are fixed by the program, so that is a wiring error.
func NewSigner(secret string, fallbacks []string, purpose string) *Signer {
	if secret == "" || purpose == "" {
		panic("security: NewSigner needs a secret and a purpose")
	}
	return &Signer{s: signing.ForPurpose(secret, fallbacks, purpose), now: time.Now}
}

// Sign returns value signed, as text safe in cookies, URLs and headers.
func (s *Signer) Sign(value []byte) string { return s.s.Sign(value) }

// Unsign returns the value of a string made by Sign, or ErrBadSignature.
func (s *Signer) Unsign(signed string) ([]byte, error) { return s.s.Unsign(signed) }

// SignTimestamped is Sign with the current time (to the second) included
// under the signature, for UnsignMaxAge.
func (s *Signer) SignTimestamped(value []byte) string { return s.s.SignAt(value, s.now()) }

// UnsignMaxAge returns the value and signing time of a string made by
// SignTimestamped: ErrBadSignature if it was not made by this Signer,
// ErrExpired if it is older than maxAge (0: any age).
func (s *Signer) UnsignMaxAge(signed string, maxAge time.Duration) ([]byte, time.Time, error) {
	return s.s.UnsignAt(signed, maxAge, s.now())
}

// SignJSON encodes v as JSON and signs it with a timestamp, like Django's
// signing.dumps. An unencodable v is an error.
func (s *Signer) SignJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("security: SignJSON: %w", err)
	}
	return s.SignTimestamped(b), nil
}

// UnsignJSON checks a string made by SignJSON (see UnsignMaxAge) and decodes
// it into v, like Django's signing.loads.
func (s *Signer) UnsignJSON(signed string, maxAge time.Duration, v any) error {
	b, _, err := s.UnsignMaxAge(signed, maxAge)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("security: UnsignJSON: %w", err)
	}
	return nil
}
