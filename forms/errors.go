package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is one validation problem: a message for a field, or for the form as
// a whole when Field is empty. Key and Params identify the message for
// translation ("max_length", {"max": 100}); Message is the English text
// built from them. Clean hooks return an *Error (see Invalid) to reject a
// value; the forms package fills Field.
type Error struct {
	Field   string         // the field's form name ("email"); "" for a non-field error
	Key     string         // message key, e.g. "required", "max_length"
	Params  map[string]any // values the message refers to, e.g. {"max": 100}
	Message string         // English message, ready to show
}

// Invalid returns an *Error with the key and message, for clean hooks:
//
//	return "", forms.Invalid("taken", "This email address is already registered.")
func Invalid(key, message string) *Error {
	return &Error{Key: key, Message: message}
}

// InvalidField returns an *Error for the named field, for a form-level Clean
// hook that blames one field.
func InvalidField(field, key, message string) *Error {
	return &Error{Field: field, Key: key, Message: message}
}

// Error returns the message, prefixed by the field name when there is one.
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// MarshalJSON writes {"key": …, "message": …, "params": {…}} (params only
// when there are any); the field is the enclosing object's key.
func (e *Error) MarshalJSON() ([]byte, error) {
	type out struct {
		Key     string         `json:"key"`
		Message string         `json:"message"`
		Params  map[string]any `json:"params,omitempty"`
	}
	return json.Marshal(out{e.Key, e.Message, e.Params})
}

// Errors is the list of a bound form's validation errors, in field order
// with the non-field errors last. Its zero value is an empty list. As an
// error it renders as 422 Unprocessable Entity, so a JSON handler may simply
// return form.Err().
type Errors struct {
	list []*Error
}

// Add appends an error.
func (es *Errors) Add(e *Error) { es.list = append(es.list, e) }

// Len returns the number of errors.
func (es *Errors) Len() int { return len(es.list) }

// All returns every error, field errors first in field order.
func (es *Errors) All() []*Error { return es.list }

// Field returns the errors of the named field (its form name).
func (es *Errors) Field(name string) []*Error {
	var out []*Error
	for _, e := range es.list {
		if e.Field == name {
			out = append(out, e)
		}
	}
	return out
}

// NonField returns the errors that belong to the form as a whole.
func (es *Errors) NonField() []*Error { return es.Field("") }

// Error joins the messages, for logs.
func (es *Errors) Error() string {
	var b strings.Builder
	b.WriteString("forms: invalid input")
	for i, e := range es.list {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// HTTPStatus returns 422 Unprocessable Entity.
func (es *Errors) HTTPStatus() int { return http.StatusUnprocessableEntity }

// PublicMessage returns a message safe to show any client.
func (es *Errors) PublicMessage() string { return "The submitted data is not valid." }

// MarshalJSON writes {"fields": {"email": [{…}]}, "non_field": [{…}]}.
func (es *Errors) MarshalJSON() ([]byte, error) {
	out := struct {
		Fields   map[string][]*Error `json:"fields"`
		NonField []*Error            `json:"non_field"`
	}{Fields: map[string][]*Error{}, NonField: []*Error{}}
	for _, e := range es.list {
		if e.Field == "" {
			out.NonField = append(out.NonField, e)
		} else {
			out.Fields[e.Field] = append(out.Fields[e.Field], e)
		}
	}
	return json.Marshal(out)
}

// Sentinels for request bodies a form refuses before binding anything. Bind
// returns them inside a *RequestError; test with errors.Is.
var (
	ErrTooManyFields        = errors.New("forms: too many fields")
	ErrTooManyFiles         = errors.New("forms: too many files")
	ErrBodyTooLarge         = errors.New("forms: request body too large")
	ErrUnsupportedMediaType = errors.New("forms: unsupported content type")
)

// RequestError reports a request body refused as a whole: too many fields or
// files, too large, or of a content type forms cannot read. Nothing in the
// form is set when Bind returns one. It carries its HTTP status (400, 413 or
// 415) and a public message, which the App's error renderer uses.
type RequestError struct {
	Err   error // one of the sentinels above
	Limit int64 // the limit exceeded, when there is one
	Media string
}

// Error returns the sentinel's text with the limit.
func (e *RequestError) Error() string {
	switch e.Err {
	case ErrUnsupportedMediaType:
		return fmt.Sprintf("%v %q", e.Err, e.Media)
	}
	return fmt.Sprintf("%v (limit %d)", e.Err, e.Limit)
}

// Unwrap returns the sentinel.
func (e *RequestError) Unwrap() error { return e.Err }

// HTTPStatus returns 413 for a body too large, 415 for a content type forms
// cannot read and 400 otherwise.
func (e *RequestError) HTTPStatus() int {
	switch e.Err {
	case ErrBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusBadRequest
}

// PublicMessage returns a message safe to show the client.
func (e *RequestError) PublicMessage() string {
	switch e.Err {
	case ErrTooManyFields:
		return fmt.Sprintf("The form has too many fields: the limit is %d.", e.Limit)
	case ErrTooManyFiles:
		return fmt.Sprintf("The form has too many files: the limit is %d.", e.Limit)
	case ErrBodyTooLarge:
		return fmt.Sprintf("Request body too large: the limit is %d bytes.", e.Limit)
	case ErrUnsupportedMediaType:
		return "The form data must be sent as application/x-www-form-urlencoded, multipart/form-data or application/json."
	}
	return "Bad request."
}

// DeclarationError reports a form struct the forms package cannot use: an
// unknown tag option, a kind that does not fit the Go type, a bad pattern, a
// clean hook with the wrong signature. It is found the first time the type is
// used (and by Check) and names the type and field.
type DeclarationError struct {
	Form   string // Go type, e.g. "main.SignupForm"
	Field  string // Go field name, or "" for the type as a whole
	Reason string
}

// Error names the form type, the field and the reason.
func (e *DeclarationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("forms: %s: %s", e.Form, e.Reason)
	}
	return fmt.Sprintf("forms: %s, field %s: %s", e.Form, e.Field, e.Reason)
}
