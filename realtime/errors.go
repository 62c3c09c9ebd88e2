package realtime

import "errors"

// Error is an error reported to a client in an "error" frame: Code is
// machine-readable (snake_case), Message is for people. Policies and event
// handlers return one to tell the client why; other errors are reported
// as "internal" with a generic message, and logged.
type Error struct {
	Code    string
	Message string
}

// Error returns "realtime: CODE: MESSAGE".
func (e *Error) Error() string { return "realtime: " + e.Code + ": " + e.Message }

// Errors a client may receive. Policies and handlers may return them.
var (
	ErrForbidden    = &Error{Code: "forbidden", Message: "not allowed"}
	ErrUnauthorized = &Error{Code: "unauthorized", Message: "sign in first"}
	errBadRequest   = &Error{Code: "bad_request", Message: "malformed message"}
	errUnknownEvent = &Error{Code: "unknown_event", Message: "no handler for this event"}
	errBadTopic     = &Error{Code: "bad_topic", Message: "invalid topic name"}
	errNotSub       = &Error{Code: "not_subscribed", Message: "not subscribed to this topic"}
	errRateLimited  = &Error{Code: "rate_limited", Message: "too many messages; slow down"}
	errBusy         = &Error{Code: "busy", Message: "too many requests in flight"}
	errInternal     = &Error{Code: "internal", Message: "internal error"}
	errTooMany      = &Error{Code: "too_many_subscriptions", Message: "subscription limit reached"}
	errNoPresence   = &Error{Code: "no_presence", Message: "presence is not kept for this topic"}
)

// asError returns the client-facing form of err and whether it was an
// *Error already (others are logged by the caller).
func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return errInternal, false
}
