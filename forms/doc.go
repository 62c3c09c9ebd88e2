// Package forms declares HTML forms as Go structs, binds them from requests
// (urlencoded, multipart or JSON bodies), validates them into typed values,
// and renders accessible HTML for html/template. ModelForm and
// ModelFormSet generate forms from ORM models and save them; FormSet edits
// several rows at once.
//
// # Declaring a form
//
// A form is a struct. Each exported field is a form field whose Go type is
// the type of its cleaned value, and whose `form` tag gives its name and
// rules:
//
//	type SignupForm struct {
//		Email    string      `form:"email,required,kind=email,max=100" label:"Email address"`
//		Age      *int64      `form:"age,min=18"`               // nil when left empty
//		Password string      `form:"password,required,kind=password,min=8"`
//		Plan     string      `form:"plan,required,widget=radio" choices:"free:Free|pro:Pro"`
//		Avatar   *forms.File `form:"avatar,maxsize=2MiB,accept=image/png|image/jpeg"`
//	}
//
// Besides strings, numbers, bools, dates and times, a field may be an
// orm.UUID, a time.Duration ("01:30:00" or "1h30m") or an orm.JSON[T] (a
// textarea of JSON that must decode into T); a pointer or an orm.Null[T] of
// any of them is optional, nil or an invalid Null when left empty.
//
// Tag options: required, kind= (text, textarea, integer, decimal, boolean,
// choice, multiple_choice, email, url, slug, date, time, datetime, file,
// password, hidden, uuid, duration, json), widget= (select, radio,
// checkboxes), min= and max= (characters for text, items for slices, values
// for numbers, dates, times and durations), places= (orm.Decimal), maxsize= and accept= (files),
// autocomplete=. The label, help, choices and pattern tags hold free text
// (a pattern matches the whole value). A field with no tag is named after
// its Go name in snake case; `form:"-"` leaves a field out. The metadata is
// computed once per type and cached; a mistake is a *DeclarationError that
// New panics with and Check returns.
//
// # Binding and validation
//
// Bind reads the request into a new Form[T]; Data holds the typed values.
// Bind returns an error only when the request is refused as a whole (a
// *RequestError, rendered as 400, 413 or 415: too many fields or files, a
// body over the limit, an unsupported content type; nothing is bound) or a
// clean hook failed; invalid input makes Valid false and fills Errors.
// Every error has a Key and Params for translation and an English Message.
//
// A method CleanX(v T) (T, error) on *Form, for field X of type T (or
// CleanX(ctx, v)), cleans that field after the built-in checks; a method
// Clean() error (or Clean(ctx) error) checks the whole form when every field
// is valid. Hooks return *Error values (Invalid, InvalidField, or several
// joined with errors.Join) for invalid input; any other error is a failure
// Bind returns, never a message shown to the user.
//
// # Rendering
//
// Form.HTML renders every field; Form.Field("email") gives one field's
// Label, Input, Help and ErrorList, each escaped template.HTML with ids tied
// together by for, aria-describedby and aria-invalid. Submitted values are
// shown back, except passwords and files.
package forms
