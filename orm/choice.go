package orm

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// Choicer is implemented by a named type whose values are a fixed set, an
// enum. A field of such a type gets its Choices from the method, as the
// choices= tag option would give them:
//
//	type Status string
//
//	const (
//		Draft     Status = "draft"
//		Published Status = "published"
//	)
//
//	func (Status) Choices() []orm.Choice {
//		return []orm.Choice{{Value: Draft, Label: "Draft"}, {Value: Published, Label: "Published"}}
//	}
//
// The method is called once, at registration, on the zero value.
type Choicer interface {
	Choices() []Choice
}

// ErrInvalidValue is matched (errors.Is) by every *ValueError.
var ErrInvalidValue = errors.New("orm: invalid value")

// ValueError reports a field value the ORM refuses to write or compare: a
// value outside the field's choices, a decimal with more digits or places
// than declared, a value JSON cannot encode. It is returned before any SQL
// is sent, and names the model, the field and what is valid.
type ValueError struct {
	Model  string // "shop.Product"
	Field  string // Go field name
	Value  any    // the refused value
	Reason string // what is valid
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("orm: model %s, field %s: value %v: %s", e.Model, e.Field, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidValue) true.
func (e *ValueError) Is(target error) bool { return target == ErrInvalidValue }

// typeChoices takes Choices from the field type's Choices method, and builds
// the set of allowed bound values from whichever Choices the field has.
func (f *Field) typeChoices(t reflect.Type, fail func(string, ...any) error) error {
	if c, ok := reflect.New(t).Elem().Interface().(Choicer); ok {
		if len(f.Choices) > 0 {
			return fail("choices= given, but %s has a Choices method; use one", t)
		}
		for i, ch := range c.Choices() {
			v := reflect.ValueOf(ch.Value)
			if ch.Value == nil || !v.Type().ConvertibleTo(t) || v.Kind() != t.Kind() {
				return fail("%s.Choices()[%d]: value %v (%T) is not a %s", t, i, ch.Value, ch.Value, t)
			}
			f.Choices = append(f.Choices, Choice{Value: v.Convert(t).Interface(), Label: ch.Label})
		}
		if len(f.Choices) == 0 {
			return fail("%s.Choices() returned no choices", t)
		}
	}
	if len(f.Choices) == 0 {
		return nil
	}
	f.allowed = make(map[any]bool, len(f.Choices))
	for _, ch := range f.Choices {
		f.allowed[choiceKey(ch.Value)] = true
	}
	return nil
}

// choiceKey is the comparable form of a value for the choices check: the
// underlying basic value, whatever named type or pointer carries it.
func choiceKey(v any) any {
	switch x := v.(type) {
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *int:
		if x == nil {
			return nil
		}
		return int64(*x)
	case *int32:
		if x == nil {
			return nil
		}
		return int64(*x)
	case *bool:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case string, int64, bool, float64:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case binder:
		return x.bindValue()
	case nil:
		return nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.String:
		return rv.String()
	case rv.CanInt():
		return rv.Int()
	case rv.CanUint():
		return int64(rv.Uint())
	case rv.CanFloat():
		return rv.Float()
	case rv.Kind() == reflect.Bool:
		return rv.Bool()
	}
	return rv.Interface()
}

// checkChoice refuses v (in any form the field's accessors or a caller
// give) when the field has choices and v is not one of them; NULL passes.
func (f *Field) checkChoice(v any) error {
	if f.allowed == nil {
		return nil
	}
	k := choiceKey(v)
	if k == nil || f.allowed[k] {
		return nil
	}
	vals := make([]string, len(f.Choices))
	for i, c := range f.Choices {
		vals[i] = fmt.Sprint(c.Value)
	}
	return &ValueError{Model: f.model.Label(), Field: f.Name, Value: k, Reason: "not one of the choices (" + strings.Join(vals, ", ") + ")"}
}

// validators lists the model's fields that need a check before a write
// (choices, decimal precision, time-of-day range, JSON encoding), computed
// once at registration so a model without them pays nothing.
func (m *Model) initValidators() {
	for _, f := range m.Fields {
		if f.needsCheck() {
			m.validated = append(m.validated, f)
		}
	}
}

// needsCheck reports whether f's values are checked before a write.
func (f *Field) needsCheck() bool {
	return f.allowed != nil || f.Kind == KindDecimal || f.Kind == KindJSON || f.Kind == KindDate || f.Kind == KindTimeOfDay
}

// validateFields is validate for the fields fs only (SaveFields, BulkUpdate).
func validateFields(fs []*Field, p unsafe.Pointer) error {
	for _, f := range fs {
		if !f.needsCheck() {
			continue
		}
		if err := f.checkValue(f.acc.arg(unsafe.Add(p, f.acc.offset))); err != nil {
			return err
		}
	}
	return nil
}

// validate checks the object at p before it is written.
func (m *Model) validate(p unsafe.Pointer) error {
	for _, f := range m.validated {
		if err := f.checkValue(f.acc.arg(unsafe.Add(p, f.acc.offset))); err != nil {
			return err
		}
	}
	return nil
}

// validateNew is validate for an object Create inserts, skipping unset
// fields with a db_default, which the database fills.
func (m *Model) validateNew(p unsafe.Pointer) error {
	for _, f := range m.validated {
		v := f.acc.arg(unsafe.Add(p, f.acc.offset))
		if f.DBDefault != nil && unset(v) {
			continue
		}
		if err := f.checkValue(v); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks one bound value of f.
func (f *Field) checkValue(v any) error {
	if err := f.checkChoice(v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		var err error
		switch f.Kind {
		case KindDate:
			_, err = ParseDate(x)
		case KindTimeOfDay:
			_, err = ParseTimeOfDay(x)
		}
		if err != nil {
			return &ValueError{Model: f.model.Label(), Field: f.Name, Value: x, Reason: "not a valid " + f.Kind.String()}
		}
	case decimalArg:
		if err := x.d.fits(f.Digits, f.Places); err != nil {
			return &ValueError{Model: f.model.Label(), Field: f.Name, Value: x.d, Reason: err.Error()}
		}
	case jsonArg:
		if x.err != nil {
			return &ValueError{Model: f.model.Label(), Field: f.Name, Value: fmt.Sprintf("%T", x.v), Reason: "cannot encode as JSON: " + x.err.Error()}
		}
	}
	return nil
}
