package mail

import (
	"errors"
	"fmt"
)

// Sentinel errors callers may branch on with errors.Is.
var (
	// ErrNoFrom is returned for a Message without From when there is no
	// default sender either.
	ErrNoFrom = errors.New("mail: message has no From address and no default is set")
	// ErrNoRecipients is returned for a Message with no To, Cc or Bcc.
	ErrNoRecipients = errors.New("mail: message has no recipients (To, Cc or Bcc)")
)

var errLineBreak = errors.New("contains a line break or NUL")

// AddressError reports an address that does not parse as RFC 5322.
type AddressError struct {
	Field   string // "From", "To", "Cc", "Bcc" or "Reply-To"
	Address string
	Err     error // from net/mail, or the line-break check
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("mail: %s address %q: %v", e.Field, e.Address, e.Err)
}

func (e *AddressError) Unwrap() error { return e.Err }

// HeaderError reports a header field that cannot be sent: a name or value that
// would let text break out of its header (CR, LF), or a field the Message
// sets itself.
type HeaderError struct {
	Name   string
	Value  string
	Reason string
}

func (e *HeaderError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("mail: header %q: %s", e.Name, e.Reason)
	}
	return fmt.Sprintf("mail: header %q=%q: %s", e.Name, e.Value, e.Reason)
}

// SendError reports a failure to deliver through a backend after the
// messages were valid: a refused connection, a timeout, a rejected
// recipient, a failed authentication. Err is the underlying error; when the
// caller's context ended the send, errors.Is(err, context.Canceled) or
// context.DeadlineExceeded holds.
type SendError struct {
	Backend string // "smtp", "console", ...
	Addr    string // the server, for network backends
	Err     error
}

func (e *SendError) Error() string {
	if e.Addr == "" {
		return fmt.Sprintf("mail: %s: %v", e.Backend, e.Err)
	}
	return fmt.Sprintf("mail: %s %s: %v", e.Backend, e.Addr, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// URLError reports an email URL (ANODE_EMAIL_URL) that cannot be used. The
// URL is shown with its password removed.
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string {
	return fmt.Sprintf("mail: email URL %q: %s", e.URL, e.Reason)
}
