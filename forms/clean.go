package forms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anode-go/anode/orm"
)

// maxNumberLen bounds the text of a number so parsing stays cheap.
const maxNumberLen = 100

// parse reads one submitted string into a value of f.elem; the string is the
// error key when it cannot.
func (f *field) parse(s string, loc *time.Location) (reflect.Value, string) {
	v := reflect.New(f.elem).Elem()
	switch f.base {
	case baseString:
		v.SetString(s)
	case baseInt:
		n, err := strconv.ParseInt(s, 10, f.elem.Bits())
		if err != nil {
			return v, "invalid_integer"
		}
		v.SetInt(n)
	case baseUint:
		n, err := strconv.ParseUint(s, 10, f.elem.Bits())
		if err != nil {
			return v, "invalid_integer"
		}
		v.SetUint(n)
	case baseFloat:
		n, err := strconv.ParseFloat(s, f.elem.Bits())
		if err != nil || len(s) > maxNumberLen || n != n || n > 1e308 || n < -1e308 || strings.ContainsAny(s, "xXpPnN_") {
			return v, "invalid_number"
		}
		v.SetFloat(n)
	case baseDecimal:
		if len(s) > maxNumberLen {
			return v, "invalid_number"
		}
		d, err := orm.ParseDecimal(s)
		if err != nil {
			return v, "invalid_number"
		}
		v.Set(reflect.ValueOf(d))
	case baseBool:
		switch strings.ToLower(s) {
		case "on", "true", "1", "yes":
			v.SetBool(true)
		case "", "off", "false", "0", "no":
		default:
			return v, "invalid_boolean"
		}
	case baseDate:
		d, err := orm.ParseDate(s)
		if err != nil || !d.Valid() {
			return v, "invalid_date"
		}
		v.Set(reflect.ValueOf(d))
	case baseTimeOfDay:
		t, err := orm.ParseTimeOfDay(s)
		if err != nil || !t.Valid() {
			return v, "invalid_time"
		}
		v.Set(reflect.ValueOf(t))
	case baseUUID:
		u, err := orm.ParseUUID(s)
		if err != nil {
			return v, "invalid_uuid"
		}
		v.Set(reflect.ValueOf(u))
	case baseDuration:
		d, ok := parseDuration(s)
		if !ok {
			return v, "invalid_duration"
		}
		v.SetInt(int64(d))
	case baseJSON:
		if !decodeJSON(s, v.Field(0).Addr().Interface()) {
			return v, "invalid_json"
		}
	case baseTime:
		if f.kind == KindDate {
			d, err := orm.ParseDate(s)
			if err != nil || !d.Valid() {
				return v, "invalid_date"
			}
			v.Set(reflect.ValueOf(d.Time(loc)))
			break
		}
		t, ok := parseDateTime(s, loc)
		if !ok {
			return v, "invalid_datetime"
		}
		v.Set(reflect.ValueOf(t))
	}
	return v, ""
}

// decodeJSON decodes one JSON value, and nothing after it, into dst (a
// pointer to the T of an orm.JSON[T]). An object key that T's struct has no
// field for is refused rather than dropped, so nothing typed is lost.
func decodeJSON(s string, dst any) bool {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

// encodeJSON writes v indented for a textarea, or "" for null (an empty
// textarea, as Django shows a missing value). HTML characters are left as
// they are: the textarea's text is escaped when it is written.
func encodeJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return ""
	}
	s := strings.TrimSuffix(b.String(), "\n")
	if s == "null" {
		return ""
	}
	return s
}

// dateTimeLayouts are what browsers send for datetime-local, with a space
// accepted for the T, and RFC 3339 for JSON clients.
var dateTimeLayouts = [...]string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02 15:04:05"}

func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) > 64 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatValue writes a value of f.elem as a form control shows it.
func (f *field) formatValue(v reflect.Value, loc *time.Location) string {
	switch f.base {
	case baseString:
		return v.String()
	case baseInt:
		return strconv.FormatInt(v.Int(), 10)
	case baseUint:
		return strconv.FormatUint(v.Uint(), 10)
	case baseFloat:
		return strconv.FormatFloat(v.Float(), 'f', -1, f.elem.Bits())
	case baseBool:
		if v.Bool() {
			return "true"
		}
		return ""
	case baseUUID:
		return v.Interface().(orm.UUID).String()
	case baseDuration:
		return formatDuration(time.Duration(v.Int()))
	case baseJSON:
		return encodeJSON(v.Field(0).Interface())
	case baseTimeOfDay:
		t := v.Interface().(orm.TimeOfDay)
		if t.Second == 0 && t.Microsecond == 0 {
			return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute)
		}
		return t.String()
	case baseTime:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return ""
		}
		t = t.In(loc)
		if f.kind == KindDate {
			return t.Format(time.DateOnly)
		}
		if t.Second() == 0 && t.Nanosecond() == 0 {
			return t.Format("2006-01-02T15:04")
		}
		return t.Format("2006-01-02T15:04:05")
	}
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}

// values returns the display strings of the field's current value in the
// struct (unbound forms show these).
func (f *field) values(fv reflect.Value, loc *time.Location) []string {
	switch {
	case f.base == baseFile:
		return nil
	case f.multi:
		out := make([]string, fv.Len())
		for i := range out {
			out[i] = f.formatValue(fv.Index(i), loc)
		}
		return out
	case f.fk && fv.IsZero():
		return nil // no related object
	case f.ptr:
		if fv.IsNil() {
			return nil
		}
		fv = fv.Elem()
	case f.null:
		if !fv.Field(1).Bool() {
			return nil
		}
		fv = fv.Field(0)
	}
	if f.base == baseDate && fv.Interface().(orm.Date).IsZero() || f.base == baseUUID && fv.Interface().(orm.UUID).IsZero() {
		return nil // a new object's empty field, not a value to show
	}
	if s := f.formatValue(fv, loc); s != "" {
		return []string{s}
	}
	return nil
}

// checkText refuses strings a database would: invalid UTF-8, NUL and other
// control characters (tab, newline and carriage return are allowed).
func checkText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// validate runs the built-in checks on one parsed, non-empty value.
func (f *field) validate(name string, s string, v reflect.Value, choices []Choice) *Error {
	if f.base == baseString {
		n := utf8.RuneCountInString(s)
		if f.minLen >= 0 && n < f.minLen && !f.multi {
			return newError(name, "min_length", map[string]any{"min": f.minLen, "length": n})
		}
		if f.maxLen >= 0 && n > f.maxLen && !f.multi {
			return newError(name, "max_length", map[string]any{"max": f.maxLen, "length": n})
		}
		switch f.kind {
		case KindEmail:
			if !validEmail(s) {
				return newError(name, "invalid_email", nil)
			}
		case KindURL:
			if !validURL(s) {
				return newError(name, "invalid_url", nil)
			}
		case KindSlug:
			if !validSlug(s) {
				return newError(name, "invalid_slug", nil)
			}
		}
		if f.pattern != nil && !f.pattern.MatchString(s) {
			return newError(name, "invalid_pattern", nil)
		}
	}
	if (f.kind == KindChoice || f.kind == KindMultipleChoice) && !(f.fk && choices == nil) {
		canon := f.formatValue(v, time.UTC)
		found := false
		for _, c := range choices {
			if c.Value == canon || c.Value == s {
				found = true
				break
			}
		}
		if !found {
			return newError(name, "invalid_choice", map[string]any{"value": truncate(s, 50)})
		}
	}
	if f.min != nil || f.max != nil {
		b := toBound(v)
		if f.min != nil && compare(b, f.min) < 0 {
			return newError(name, "min_value", map[string]any{"min": boundText(f.min)})
		}
		if f.max != nil && compare(b, f.max) > 0 {
			return newError(name, "max_value", map[string]any{"max": boundText(f.max)})
		}
	}
	if f.places >= 0 {
		if d := v.Interface().(orm.Decimal); d.Places() > f.places {
			// trailing zeros are not a precision the user asked for
			if t, err := orm.ParseDecimal(strings.TrimRight(strings.TrimRight(d.String(), "0"), ".")); err != nil || t.Places() > f.places {
				return newError(name, "max_places", map[string]any{"max": f.places})
			}
		}
	}
	if f.validates {
		p := reflect.New(f.elem)
		p.Elem().Set(v)
		if err := p.Interface().(interface{ Validate() error }).Validate(); err != nil {
			return asFieldError(name, err)
		}
	}
	return nil
}

func boundText(b any) string {
	switch b := b.(type) {
	case time.Time:
		return b.Format("2006-01-02 15:04")
	case time.Duration:
		return formatDuration(b)
	}
	return fmt.Sprint(b)
}

// asFieldError turns a Validate error into a field error: an *Error keeps its
// key; another error's text becomes the message (Validate methods belong to
// value types and describe the value).
func asFieldError(name string, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		c := *fe
		c.Field = name
		if c.Key == "" {
			c.Key = "invalid"
		}
		return &c
	}
	return &Error{Field: name, Key: "invalid", Message: err.Error()}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"(),;") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || len(local) > 64 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	return validHost(domain, true)
}

// validHost checks a domain name (or localhost); with dotted, it needs a dot.
func validHost(h string, dotted bool) bool {
	if h == "" || len(h) > 253 || dotted && !strings.Contains(h, ".") && h != "localhost" {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
				return false
			}
		}
	}
	return true
}

func validURL(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" || u.User != nil {
		return false
	}
	h := u.Hostname()
	if ip := strings.Trim(h, "[]"); strings.Contains(ip, ":") || isIPv4(ip) {
		return true
	}
	return validHost(h, true)
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

func validSlug(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// splitErrors turns an error from a clean hook into form errors, filling
// field when the error names none. ok is false when some part of err is not
// a validation error: that is a failure the handler must see (a database that
// is down), never a message for the user.
func splitErrors(err error, field string) ([]*Error, bool) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			es, ok := splitErrors(e, field)
			if !ok {
				return nil, false
			}
			out = append(out, es...)
		}
		return out, true
	}
	var es *Errors
	if errors.As(err, &es) {
		out := make([]*Error, 0, es.Len())
		for _, e := range es.All() {
			c := *e
			if c.Field == "" {
				c.Field = field
			}
			out = append(out, &c)
		}
		return out, true
	}
	var fe *Error
	if errors.As(err, &fe) {
		c := *fe
		if c.Field == "" {
			c.Field = field
		}
		if c.Key == "" {
			c.Key = "invalid"
		}
		if c.Message == "" {
			c.Message = format(messages[c.Key], c.Params)
		}
		return []*Error{&c}, true
	}
	return nil, false
}

// callClean runs a field's clean hook on v (of the struct field's type).
func (f *field) callClean(ctx context.Context, form reflect.Value, v reflect.Value) (reflect.Value, error) {
	var out []reflect.Value
	if f.cleanCtx {
		out = f.clean.Call([]reflect.Value{form, reflect.ValueOf(&ctx).Elem(), v})
	} else {
		out = f.clean.Call([]reflect.Value{form, v})
	}
	if err, _ := out[1].Interface().(error); err != nil {
		return v, err
	}
	return out[0], nil
}
