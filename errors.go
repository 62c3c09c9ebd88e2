package anode

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/anode-go/anode/orm"
)

// Error is an error with an HTTP status and a message safe to show the client.
// Cause, when set, is the underlying error: it is logged and shown on the debug
// page, never sent to a client in production.
//
// A handler returns an *Error (directly or wrapped) to choose the response:
//
//	return anode.NewError(http.StatusNotFound, "No such poll.", err)
type Error struct {
	Status  int    // HTTP status code, 4xx or 5xx
	Message string // public message; empty means the status text
	Cause   error  // underlying error, for logs and the debug page
}

// NewError returns an *Error with the given status, public message and cause
// (which may be nil).
func NewError(status int, message string, cause error) *Error {
	return &Error{Status: status, Message: message, Cause: cause}
}

// Error returns the public message followed by the cause, for logs.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, msg, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// HTTPStatus returns the status code; it makes *Error a StatusError.
func (e *Error) HTTPStatus() int { return e.Status }

// StatusError is implemented by errors that know their HTTP status. The error
// renderer uses it for any error in the chain, so packages can define their own
// typed errors without importing anode.
type StatusError interface {
	error
	HTTPStatus() int
}

// Sentinel errors a handler can return; each renders with its status.
var (
	ErrBadRequest       = &Error{Status: http.StatusBadRequest}
	ErrForbidden        = &Error{Status: http.StatusForbidden}
	ErrNotFound         = &Error{Status: http.StatusNotFound}
	ErrMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed}
)

// HandlerFunc is an http.Handler that may return an error. A nil error means the
// handler wrote its response; a non-nil one is rendered by the App's error renderer
// (HTML or JSON by the Accept header), unless the handler had already started the
// response, in which case it is only logged.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and renders a returned error with the error renderer of the
// App serving the request (or a plain-text fallback outside an App).
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		RenderError(w, r, err)
	}
}

// statusOf maps an error to its HTTP status and public message.
func statusOf(err error) (int, string) {
	var se StatusError
	if errors.As(err, &se) {
		st := se.HTTPStatus()
		if st < 400 || st > 599 {
			st = http.StatusInternalServerError
		}
		msg := ""
		var ae *Error
		if errors.As(err, &ae) {
			msg = ae.Message
		}
		if msg == "" {
			msg = publicMessage(err)
		}
		if msg == "" {
			msg = http.StatusText(st)
		}
		return st, msg
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, orm.ErrNotFound):
		// Get found no row: Django's get_object_or_404, without the call.
		return http.StatusNotFound, http.StatusText(http.StatusNotFound)
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: the limit is %d bytes.", mbe.Limit)
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "The request took too long."
	case errors.Is(err, context.Canceled):
		// The client went away; 499 in nginx terms. Nobody reads it.
		return http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable)
	}
	return http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
}

// PanicError is the error the recovery middleware renders for a panic: the
// recovered value and the stack where it happened.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

func stack() []byte { return debug.Stack() }
