package render

import (
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// standardFuncs returns the functions every template has. Those that take
// an option take it first, so they read well at the end of a pipeline:
// {{.Price | floatformat 2}}.
func (e *Engine) standardFuncs() template.FuncMap {
	return template.FuncMap{
		"url":         e.url,
		"static":      e.static,
		"date":        date,
		"intcomma":    intcomma,
		"floatformat": floatformat,
		"pluralize":   pluralize,
		"truncate":    truncate,
		"default":     defaultValue,
		"join":        join,
		"lower":       mapString(strings.ToLower),
		"upper":       mapString(strings.ToUpper),
		"title":       mapString(title),
		"yesno":       yesno,
		"dict":        dict,
	}
}

func (e *Engine) url(name string, args ...any) (string, error) {
	if e.opts.URL == nil {
		return "", errors.New("render: url: no URL resolver (Options.URL) is configured")
	}
	return e.opts.URL(name, args...)
}

func (e *Engine) static(name string) (string, error) {
	if e.opts.Static == nil {
		return "", errors.New("render: static: no static file resolver (Options.Static) is configured")
	}
	return e.opts.Static(name)
}

// Layouts accepts these names in date, besides a Go layout such as
// "2 Jan 2006 15:04".
var layouts = map[string]string{
	"date":           "January 2, 2006",
	"datetime":       "January 2, 2006 15:04",
	"time":           "15:04",
	"short_date":     "2006-01-02",
	"short_datetime": "2006-01-02 15:04",
	"iso":            time.RFC3339,
	"rfc3339":        time.RFC3339,
	"rfc1123":        time.RFC1123,
	"kitchen":        time.Kitchen,
}

// date formats a time.Time or *time.Time with a named or Go layout; the
// zero time and a nil pointer give "".
func date(layout string, v any) (string, error) {
	var t time.Time
	switch v := v.(type) {
	case time.Time:
		t = v
	case *time.Time:
		if v == nil {
			return "", nil
		}
		t = *v
	default:
		return "", fmt.Errorf("date: want a time.Time, got %T", v)
	}
	if t.IsZero() {
		return "", nil
	}
	if l, ok := layouts[layout]; ok {
		layout = l
	}
	return t.Format(layout), nil
}

// numberString returns v as a decimal string: integers, floats, and strings
// or Stringers holding a decimal number (an orm.Decimal, say).
func numberString(v any) (string, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, rv.Type().Bits()), nil
	}
	s, ok := toString(v)
	if !ok || !isDecimal(s) {
		return "", fmt.Errorf("want a number, got %T %q", v, fmt.Sprint(v))
	}
	return s, nil
}

func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || dot && fp == "" {
		return false
	}
	for _, c := range ip + fp {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// intcomma writes a number with a comma between every three digits of its
// integer part: 1234567.5 gives "1,234,567.5".
func intcomma(v any) (string, error) {
	s, err := numberString(v)
	if err != nil {
		return "", fmt.Errorf("intcomma: %w", err)
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	ip, fp, dot := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(ip) {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(ip[i])
	}
	if dot {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String(), nil
}

// floatformat rounds a number to digits decimals; a negative digits keeps
// at most -digits decimals and drops trailing zeros: 2.50 with -2 gives
// "2.5", 2.00 gives "2".
func floatformat(digits int, v any) (string, error) {
	s, err := numberString(v)
	if err != nil {
		return "", fmt.Errorf("floatformat: %w", err)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", fmt.Errorf("floatformat: %w", err)
	}
	out := strconv.FormatFloat(f, 'f', abs(digits), 64)
	if digits < 0 && strings.Contains(out, ".") {
		out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	}
	if strings.Trim(out, "-0.") == "" {
		out = strings.TrimPrefix(out, "-") // no "-0.00"
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// count returns a number, or the length of a slice, array, map or string.
func count(v any) (float64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		return float64(rv.Len()), nil
	}
	return 0, fmt.Errorf("want a number or a list, got %T", v)
}

// pluralize returns the plural suffix for a count: {{.N | pluralize}} gives
// "s" unless N is 1; {{.N | pluralize "y,ies"}} gives "y" or "ies";
// {{.N | pluralize "es"}} gives "" or "es".
func pluralize(a any, more ...any) (string, error) {
	spec, v := "s", a
	switch len(more) {
	case 0:
	case 1:
		s, ok := a.(string)
		if !ok {
			return "", fmt.Errorf("pluralize: the suffixes must be a string, got %T", a)
		}
		spec, v = s, more[0]
	default:
		return "", fmt.Errorf("pluralize: want a count and at most one suffix string, got %d arguments", 1+len(more))
	}
	singular, plural, ok := strings.Cut(spec, ",")
	if !ok {
		singular, plural = "", spec
	} else if strings.Contains(plural, ",") {
		return "", fmt.Errorf("pluralize: suffixes %q: want \"plural\" or \"singular,plural\"", spec)
	}
	n, err := count(v)
	if err != nil {
		return "", fmt.Errorf("pluralize: %w", err)
	}
	if n == 1 {
		return singular, nil
	}
	return plural, nil
}

// truncate cuts a string to at most n runes, the last one an ellipsis
// when anything was cut.
func truncate(n int, v any) (string, error) {
	s, ok := toString(v)
	if !ok {
		return "", fmt.Errorf("truncate: want a string, got %T", v)
	}
	if n < 0 {
		return "", fmt.Errorf("truncate: negative length %d", n)
	}
	if utf8.RuneCountInString(s) <= n {
		return s, nil
	}
	if n == 0 {
		return "", nil
	}
	i, kept := 0, 0
	for kept < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		kept++
	}
	return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…", nil
}

// defaultValue returns v, or def when v is empty in the sense of {{if}}:
// false, 0, nil, an empty string, slice or map.
func defaultValue(def, v any) any {
	if truth, ok := template.IsTrue(v); ok && truth {
		return v
	}
	return def
}

// join joins the elements of a slice or array with sep, each written as
// fmt.Print would.
func join(sep string, list any) (string, error) {
	if ss, ok := list.([]string); ok {
		return strings.Join(ss, sep), nil
	}
	rv := reflect.ValueOf(list)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return "", fmt.Errorf("join: want a slice, got %T", list)
	}
	var b strings.Builder
	for i := range rv.Len() {
		if i > 0 {
			b.WriteString(sep)
		}
		fmt.Fprint(&b, rv.Index(i).Interface())
	}
	return b.String(), nil
}

// toString returns v as a string if it is one (of any string type) or a
// fmt.Stringer.
func toString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case fmt.Stringer:
		return v.String(), true
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

func mapString(f func(string) string) func(any) (string, error) {
	return func(v any) (string, error) {
		s, ok := toString(v)
		if !ok {
			return "", fmt.Errorf("want a string, got %T", v)
		}
		return f(s), nil
	}
}

// title capitalizes the first letter of every word and lowers the others;
// a word starts after anything but a letter, a digit or an apostrophe.
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if start {
				b.WriteRune(unicode.ToTitle(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			start = false
		case unicode.IsDigit(r) || r == '\'' || r == '’':
			b.WriteRune(r)
			start = false
		default:
			b.WriteRune(r)
			start = true
		}
	}
	return b.String()
}

// yesno maps true, false and nil to words: {{.Done | yesno}} gives "yes",
// "no" or "maybe"; {{.Done | yesno "on,off"}} gives "on" or "off" (nil is
// "off" when only two words are given).
func yesno(a any, more ...any) (string, error) {
	spec, v := "yes,no,maybe", a
	switch len(more) {
	case 0:
	case 1:
		s, ok := a.(string)
		if !ok {
			return "", fmt.Errorf("yesno: the words must be a string, got %T", a)
		}
		spec, v = s, more[0]
	default:
		return "", fmt.Errorf("yesno: want a value and at most one string of words, got %d arguments", 1+len(more))
	}
	words := strings.Split(spec, ",")
	if len(words) < 2 || len(words) > 3 {
		return "", fmt.Errorf("yesno: words %q: want \"yes,no\" or \"yes,no,maybe\"", spec)
	}
	if isNil(v) {
		return words[len(words)-1], nil
	}
	if truth, _ := template.IsTrue(v); truth {
		return words[0], nil
	}
	return words[1], nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// dict builds a map from key-value pairs, to pass several values to a
// partial: {{template "partials/row.html" dict "Poll" . "Page" $}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: want key-value pairs, got %d arguments", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %d is %T, want a string", i/2, kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
