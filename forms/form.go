package forms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"time"
)

// Form is a form of type T bound to one request: T's fields hold the typed,
// cleaned values (Data), and the form keeps what was submitted and the errors,
// for re-rendering. Make one with New or Bind; a Form is used by one
// goroutine (one request).
//
// Before binding, Data holds the initial values an unbound form shows. After
// Bind, every form field of Data is set from the submission: the cleaned value
// when it is valid, the zero value when it is missing or invalid.
type Form[T any] struct {
	// Data is the form struct: initial values before Bind, cleaned values
	// after.
	Data T
	// Prefix, when set, is put before every field name ("prefix-name") so
	// several forms fit in one <form>.
	Prefix string
	// Limits bound what Bind reads; the zero value means the defaults.
	Limits Limits
	// Location is the time zone of dates and times without one (a
	// datetime-local input); nil means UTC.
	Location *time.Location

	st state
}

// state is the part of a form that does not depend on T.
type state struct {
	meta    *meta
	bound   bool
	values  map[string][]string // submitted, by full name
	files   map[string][]*File
	lists   map[string]bool
	errors  Errors
	choices map[string][]Choice // set by SetChoices
	temps   []string
	prefix  string
	loc     *time.Location
	data    reflect.Value            // the form struct (addressable)
	maxFile int64                    // Limits.MaxFileBytes in force
	outside map[string]reflect.Value // values of fields with no struct field (many-to-many keys)
}

// New returns an unbound form of type T: Data is T's zero value, ready for
// initial values. It panics with a *DeclarationError if T is not a valid
// form (an unknown tag option, a kind that does not fit its Go type); Check
// reports the same error without panicking.
func New[T any]() *Form[T] {
	m, err := metaFor(reflect.TypeFor[T]())
	if err != nil {
		panic(err)
	}
	f := &Form[T]{}
	f.st.meta = m
	return f
}

// Bind returns a form of type T bound to the request. The error is a
// *DeclarationError when T is not a valid form, a *RequestError when the
// body is refused (too many fields or files, too large, an unsupported
// content type: nothing is bound), or an error a clean hook returned that is
// not a validation error. Validation problems are not errors: check Valid.
func Bind[T any](r *http.Request) (*Form[T], error) {
	if err := Check[T](); err != nil {
		return nil, err
	}
	f := New[T]()
	return f, f.Bind(r)
}

// Bind reads the request's data into the form and validates it: the query
// string for GET and HEAD, otherwise the body, as
// application/x-www-form-urlencoded, multipart/form-data or JSON. It returns
// a *RequestError when the body is refused, leaving Data untouched, and the
// error of a clean hook that failed for a reason other than invalid input.
// Uploaded files kept on disk are removed when the request's context ends.
func (f *Form[T]) Bind(r *http.Request) error {
	lim := f.Limits.withDefaults()
	f.st.maxFile = lim.MaxFileBytes
	sub, err := readRequest(r, lim)
	if err != nil {
		return err
	}
	if len(sub.temps) > 0 {
		temps := sub.temps
		context.AfterFunc(r.Context(), func() { (&submission{temps: temps}).removeTemps() })
	}
	return f.bind(r.Context(), sub)
}

// BindValues binds and validates data that is already parsed, such as a
// url.Values built in a test or read from somewhere other than a request.
func (f *Form[T]) BindValues(ctx context.Context, values url.Values) error {
	if values == nil {
		values = url.Values{}
	}
	return f.bind(ctx, &submission{values: values})
}

func (f *Form[T]) bind(ctx context.Context, sub *submission) error {
	f.sync()
	return f.st.bind(ctx, sub)
}

// sync copies the exported settings into the state.
func (f *Form[T]) sync() {
	if f.st.meta == nil {
		m, err := metaFor(reflect.TypeFor[T]())
		if err != nil {
			panic(err)
		}
		f.st.meta = m
	}
	f.st.prefix = f.Prefix
	f.st.loc = f.Location
	if f.st.loc == nil {
		f.st.loc = time.UTC
	}
	f.st.data = reflect.ValueOf(&f.Data).Elem()
}

// IsBound reports whether the form has been bound to submitted data.
func (f *Form[T]) IsBound() bool { return f.st.bound }

// Valid reports whether the form is bound and has no errors.
func (f *Form[T]) Valid() bool { return f.st.bound && f.st.errors.Len() == 0 }

// Errors returns the form's errors (empty before binding).
func (f *Form[T]) Errors() *Errors { return &f.st.errors }

// Err returns the errors as an error (rendered as 422 with the errors'
// JSON), or nil when the form is valid or unbound.
func (f *Form[T]) Err() error {
	if f.st.errors.Len() == 0 {
		return nil
	}
	return &f.st.errors
}

// AddError adds an error after validation, such as one found when saving:
// field is the field's form or Go name, or "" for the form as a whole. It
// panics if no field has that name.
func (f *Form[T]) AddError(field, key, message string) {
	f.sync()
	name := ""
	if field != "" {
		fl := f.st.meta.field(field)
		if fl == nil {
			panic(fmt.Sprintf("forms: %s has no field %q", f.st.meta.typ, field))
		}
		name = fl.name
	}
	f.st.errors.Add(&Error{Field: name, Key: key, Message: message})
}

// SetChoices sets the choices of a choice or multiple-choice field for this
// form, replacing those of its tag: choices that come from the database or
// depend on the user. Values are compared with the submitted text of the
// value (for integers, the decimal number). It panics if the field does not
// exist or takes no choices.
func (f *Form[T]) SetChoices(field string, choices []Choice) {
	f.sync()
	f.st.setChoices(field, choices)
}

func (st *state) setChoices(field string, choices []Choice) {
	fl := st.meta.field(field)
	if fl == nil || fl.kind != KindChoice && fl.kind != KindMultipleChoice && !(fl.kind == KindHidden && (fl.base == baseString || fl.base == baseInt || fl.base == baseUint)) {
		panic(fmt.Sprintf("forms: %s has no choice field %q", st.meta.typ, field))
	}
	if st.choices == nil {
		st.choices = map[string][]Choice{}
	}
	st.choices[fl.name] = choices
}

// RemoveFiles removes the temporary files of uploads now instead of when
// the request ends. The form's files cannot be opened afterwards.
func (f *Form[T]) RemoveFiles() {
	(&submission{temps: f.st.temps}).removeTemps()
	f.st.temps = nil
}
