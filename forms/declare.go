package forms

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/anode-go/anode/orm"
)

// base is the Go type family a field parses into.
type base uint8

const (
	baseString base = iota + 1
	baseInt
	baseUint
	baseFloat
	baseDecimal
	baseBool
	baseDate
	baseTimeOfDay
	baseTime
	baseFile
	baseUUID
	baseDuration
	baseJSON // an orm.JSON[T]
)

// field is the metadata of one form field, computed once per form type.
type field struct {
	index        []int        // path to the struct field (FieldByIndex)
	ft           reflect.Type // the struct field's type
	goName       string
	name         string // form name, as submitted
	label, help  string
	kind         Kind
	widget       string // "", "select", "radio", "checkboxes"
	base         base
	elem         reflect.Type // one value's type: no pointer, no slice
	ptr          bool         // *T: empty is nil
	null         bool         // orm.Null[T]: empty is an invalid Null
	multi        bool         // a slice
	required     bool
	minLen       int // characters (text) or items (slices); -1 when unset
	maxLen       int
	min, max     any // typed bounds (int64, uint64, float64, orm.Decimal, orm.Date, orm.TimeOfDay, time.Time)
	places       int // decimal: at most this many places; -1 when unset
	pattern      *regexp.Regexp
	htmlPattern  string // the pattern when a browser reads it the same way
	choices      []Choice
	maxSize      int64    // file: bytes
	accept       []string // file: sniffed content types ("image/png", "image/*")
	clean        reflect.Value
	cleanCtx     bool
	validates    bool // the value's type has Validate() error
	autocomplete string
	model        *orm.Field      // ModelForm: the model field
	fk           bool            // ModelForm: a foreign key's ID, or many-to-many keys
	many         *orm.ManyToMany // ModelForm: a many-to-many field, kept outside the struct
}

// meta is the metadata of a form struct type.
type meta struct {
	typ       reflect.Type
	fields    []*field
	byName    map[string]*field // by form name and by Go name
	multipart bool              // has a file field: the <form> needs enctype="multipart/form-data"
}

func (m *meta) field(name string) *field { return m.byName[name] }

type metaResult struct {
	m   *meta
	err error
}

var metas sync.Map // reflect.Type → metaResult

var (
	fileType      = reflect.TypeFor[*File]()
	timeType      = reflect.TypeFor[time.Time]()
	boolType      = reflect.TypeFor[bool]()
	decimalType   = reflect.TypeFor[orm.Decimal]()
	dateType      = reflect.TypeFor[orm.Date]()
	timeOfDayType = reflect.TypeFor[orm.TimeOfDay]()
	uuidType      = reflect.TypeFor[orm.UUID]()
	durationType  = reflect.TypeFor[time.Duration]()
	ormPath       = uuidType.PkgPath()
	ctxType       = reflect.TypeFor[context.Context]()
	errorType     = reflect.TypeFor[error]()
	validatorType = reflect.TypeFor[interface{ Validate() error }]()
)

// metaFor returns the cached metadata of struct type t, building it on first
// use.
func metaFor(t reflect.Type) (*meta, error) {
	if r, ok := metas.Load(t); ok {
		return r.(metaResult).m, r.(metaResult).err
	}
	m, err := buildMeta(t)
	r, _ := metas.LoadOrStore(t, metaResult{m, err})
	return r.(metaResult).m, r.(metaResult).err
}

// Check reports whether T is a valid form declaration, as a
// *DeclarationError naming the field. Call it at start-up or in a test to find
// a mistake before the first request does; the result is cached.
func Check[T any]() error {
	_, err := metaFor(reflect.TypeFor[T]())
	return err
}

func buildMeta(t reflect.Type) (*meta, error) {
	if t.Kind() != reflect.Struct {
		return nil, &DeclarationError{Form: t.String(), Reason: "a form is a struct type"}
	}
	m := &meta{typ: t, byName: map[string]*field{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, ok := sf.Tag.Lookup("form")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && !ok {
			continue
		}
		f, err := newField(t, i, sf, tag)
		if err != nil {
			return nil, err
		}
		if prev, dup := m.byName[f.name]; dup {
			return nil, &DeclarationError{Form: t.String(), Field: sf.Name, Reason: fmt.Sprintf("form name %q is also used by field %s", f.name, prev.goName)}
		}
		m.byName[f.name] = f
		m.byName[f.goName] = f
		m.fields = append(m.fields, f)
		if f.base == baseFile {
			m.multipart = true
		}
	}
	pt := reflect.PointerTo(t)
	for i := range pt.NumMethod() {
		meth := pt.Method(i)
		goName, ok := strings.CutPrefix(meth.Name, "Clean")
		if !ok {
			continue
		}
		if goName == "" {
			if !isFormClean(meth.Type) {
				return nil, &DeclarationError{Form: t.String(), Reason: "method Clean must be func() error or func(context.Context) error"}
			}
			continue
		}
		f := m.byName[goName]
		if f == nil || f.goName != goName {
			return nil, &DeclarationError{Form: t.String(), Reason: fmt.Sprintf("method %s names no form field %s", meth.Name, goName)}
		}
		mt := meth.Type // receiver first
		st := f.ft
		switch {
		case mt.NumIn() == 2 && mt.In(1) == st:
		case mt.NumIn() == 3 && mt.In(1) == ctxType && mt.In(2) == st:
			f.cleanCtx = true
		default:
			return nil, &DeclarationError{Form: t.String(), Field: goName, Reason: fmt.Sprintf("method %s must be func(%s) (%s, error) or func(context.Context, %s) (%s, error)", meth.Name, st, st, st, st)}
		}
		if mt.NumOut() != 2 || mt.Out(0) != st || mt.Out(1) != errorType {
			return nil, &DeclarationError{Form: t.String(), Field: goName, Reason: fmt.Sprintf("method %s must return (%s, error)", meth.Name, st)}
		}
		f.clean = meth.Func
	}
	return m, nil
}

func isFormClean(mt reflect.Type) bool {
	if mt.NumOut() != 1 || mt.Out(0) != errorType {
		return false
	}
	return mt.NumIn() == 1 || mt.NumIn() == 2 && mt.In(1) == ctxType
}

func newField(form reflect.Type, index int, sf reflect.StructField, tag string) (*field, error) {
	fail := func(format string, args ...any) error {
		return &DeclarationError{Form: form.String(), Field: sf.Name, Reason: fmt.Sprintf(format, args...)}
	}
	f := &field{index: []int{index}, ft: sf.Type, goName: sf.Name, minLen: -1, maxLen: -1, places: -1}
	if err := f.setType(sf.Type); err != nil {
		return nil, fail("%v", err)
	}
	name, opts, _ := strings.Cut(tag, ",")
	f.name = strings.TrimSpace(name)
	if f.name == "" {
		f.name = snakeCase(sf.Name)
	}
	if !validName(f.name) {
		return nil, fail("form name %q: want letters, digits, _ , - or .", f.name)
	}
	f.label = sf.Tag.Get("label")
	if f.label == "" {
		f.label = labelFor(sf.Name)
	}
	f.help = sf.Tag.Get("help")
	var minText, maxText string
	for opt := range strings.SplitSeq(opts, ",") {
		opt = strings.TrimSpace(opt)
		if opt == "" {
			continue
		}
		key, val, hasVal := strings.Cut(opt, "=")
		needsVal := key != "required"
		if needsVal != hasVal || hasVal && val == "" {
			if needsVal {
				return nil, fail("tag option %s needs a value (%s=…)", key, key)
			}
			return nil, fail("tag option %s takes no value", key)
		}
		switch key {
		case "required":
			f.required = true
		case "kind":
			k, ok := kindByName(val)
			if !ok {
				return nil, fail("kind=%q: want one of text, textarea, integer, decimal, boolean, choice, multiple_choice, email, url, slug, date, time, datetime, file, password, hidden, uuid, duration, json", val)
			}
			if !f.fits(k) {
				return nil, fail("kind=%s does not fit Go type %s", val, sf.Type)
			}
			f.kind = k
		case "widget":
			if val != "select" && val != "radio" && val != "checkboxes" {
				return nil, fail("widget=%q: want select, radio or checkboxes", val)
			}
			f.widget = val
		case "min":
			minText = val
		case "max":
			maxText = val
		case "places":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || f.base != baseDecimal {
				return nil, fail("places=%q: want a number of decimal places on an orm.Decimal field", val)
			}
			f.places = n
		case "maxsize":
			n, err := parseSize(val)
			if err != nil || f.base != baseFile {
				return nil, fail("maxsize=%q: want a size in bytes (or with KiB, MiB, GiB) on a file field", val)
			}
			f.maxSize = n
		case "accept":
			if f.base != baseFile {
				return nil, fail("accept applies to file fields only")
			}
			for ct := range strings.SplitSeq(val, "|") {
				if !validMediaPattern(ct) {
					return nil, fail("accept: %q is not a content type such as image/png or image/*", ct)
				}
				f.accept = append(f.accept, ct)
			}
		case "autocomplete":
			if !validName(val) {
				return nil, fail("autocomplete=%q: want a token such as email or new-password", val)
			}
			f.autocomplete = val
		default:
			return nil, fail("unknown tag option %q (known: required, kind=, widget=, min=, max=, places=, maxsize=, accept=, autocomplete=)", key)
		}
	}
	if c, ok := sf.Tag.Lookup("choices"); ok {
		if f.base != baseString && f.base != baseInt && f.base != baseUint {
			return nil, fail("choices apply to string and integer fields (and slices of them)")
		}
		for part := range strings.SplitSeq(c, "|") {
			v, l, ok := strings.Cut(part, ":")
			if !ok {
				l = v
			}
			if _, key := f.parse(v, time.UTC); key != "" {
				return nil, fail("choices: %q is not a valid %s", v, f.elem)
			}
			f.choices = append(f.choices, Choice{Value: v, Label: l})
		}
	}
	if p, ok := sf.Tag.Lookup("pattern"); ok {
		if f.base != baseString {
			return nil, fail("pattern applies to string fields only")
		}
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return nil, fail("pattern %q: %v", p, err)
		}
		f.pattern = re
		if browserSafePattern(p) {
			f.htmlPattern = p
		}
	}
	if f.kind == 0 {
		f.kind = f.defaultKind()
	}
	if f.widget != "" {
		ok := f.kind == KindChoice && (f.widget == "select" || f.widget == "radio") ||
			f.kind == KindMultipleChoice && (f.widget == "select" || f.widget == "checkboxes")
		if !ok {
			return nil, fail("widget=%s does not apply to a %s field", f.widget, f.kind)
		}
	}
	if f.kind == KindSlug && f.htmlPattern == "" && f.pattern == nil {
		f.htmlPattern = `[\-a-zA-Z0-9_]+`
	}
	if err := f.setBounds(minText, maxText); err != nil {
		return nil, fail("%v", err)
	}
	return f, nil
}

// setType fills base, elem, ptr, null and multi from the Go type.
func (f *field) setType(t reflect.Type) error {
	if t == fileType {
		f.base, f.elem = baseFile, t
		return nil
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		f.multi = true
		t = t.Elem()
		if t == fileType {
			f.base, f.elem = baseFile, t
			return nil
		}
		if t.Kind() != reflect.String && !isInt(t) && !isUint(t) || t == durationType {
			return fmt.Errorf("a slice field holds strings, integers or *forms.File, not %s", t)
		}
	} else if t.Kind() == reflect.Pointer {
		f.ptr = true
		t = t.Elem()
	} else if ormGeneric(t, "Null") {
		f.null = true
		t = t.Field(0).Type
		if t.Kind() == reflect.Pointer || ormGeneric(t, "Null") {
			return fmt.Errorf("type %s is not a form field type: an orm.Null holds a value", f.ft)
		}
	}
	f.elem = t
	switch {
	case t == uuidType:
		f.base = baseUUID
	case t == durationType:
		f.base = baseDuration
	case ormGeneric(t, "JSON"):
		f.base = baseJSON
	case t == timeType:
		f.base = baseTime
	case t == decimalType:
		f.base = baseDecimal
	case t == dateType:
		f.base = baseDate
	case t == timeOfDayType:
		f.base = baseTimeOfDay
	case t.Kind() == reflect.String:
		f.base = baseString
	case t.Kind() == reflect.Bool:
		f.base = baseBool
	case isInt(t):
		f.base = baseInt
	case isUint(t):
		f.base = baseUint
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		f.base = baseFloat
	default:
		return fmt.Errorf("type %s is not a form field type (string, bool, integers, floats, orm.Decimal, orm.Date, orm.TimeOfDay, time.Time, time.Duration, orm.UUID, orm.JSON[T], a pointer or orm.Null[T] of one for an optional value, []string, []int64, *forms.File, []*forms.File)", t)
	}
	if reflect.PointerTo(t).Implements(validatorType) {
		f.validates = true
	}
	return nil
}

// ormGeneric reports whether t is an instance of the orm package's generic
// type name (Null or JSON), whose shape forms relies on: a value field V
// first (and, for Null, a Valid bool second).
func ormGeneric(t reflect.Type, name string) bool {
	if t.Kind() != reflect.Struct || t.PkgPath() != ormPath || !strings.HasPrefix(t.Name(), name+"[") || t.NumField() == 0 || t.Field(0).Name != "V" {
		return false
	}
	return name != "Null" || t.NumField() == 2 && t.Field(1).Name == "Valid" && t.Field(1).Type == boolType
}

func isInt(t reflect.Type) bool { return t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64 }
func isUint(t reflect.Type) bool {
	return t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 || t.Kind() == reflect.Uintptr
}

func (f *field) defaultKind() Kind {
	switch {
	case f.base == baseFile:
		return KindFile
	case f.multi:
		return KindMultipleChoice
	case len(f.choices) > 0 || f.widget != "":
		return KindChoice
	}
	switch f.base {
	case baseInt, baseUint:
		return KindInteger
	case baseFloat, baseDecimal:
		return KindDecimal
	case baseBool:
		return KindBoolean
	case baseDate:
		return KindDate
	case baseTimeOfDay:
		return KindTime
	case baseTime:
		return KindDateTime
	case baseUUID:
		return KindUUID
	case baseDuration:
		return KindDuration
	case baseJSON:
		return KindJSON
	}
	return KindText
}

// fits reports whether kind k can hold the field's Go type.
func (f *field) fits(k Kind) bool {
	if f.base == baseFile {
		return k == KindFile
	}
	if f.multi {
		return k == KindMultipleChoice || k == KindHidden
	}
	switch k {
	case KindText, KindTextarea, KindEmail, KindURL, KindSlug, KindPassword:
		return f.base == baseString
	case KindInteger:
		return f.base == baseInt || f.base == baseUint
	case KindDecimal:
		return f.base == baseFloat || f.base == baseDecimal
	case KindBoolean:
		return f.base == baseBool
	case KindChoice:
		return f.base == baseString || f.base == baseInt || f.base == baseUint
	case KindDate:
		return f.base == baseDate || f.base == baseTime
	case KindTime:
		return f.base == baseTimeOfDay
	case KindDateTime:
		return f.base == baseTime
	case KindUUID:
		return f.base == baseUUID
	case KindDuration:
		return f.base == baseDuration
	case KindJSON:
		return f.base == baseJSON
	case KindHidden:
		return true
	}
	return false
}

func validName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func validMediaPattern(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && validName(typ) && (sub == "*" || validName(strings.ReplaceAll(sub, "+", "")))
}

// browserSafePattern reports whether a Go pattern means the same to a
// browser's pattern attribute (a JavaScript regular expression with the v
// flag): only literals, ., simple classes and quantifiers. Anything else is
// still checked on the server; only the browser hint is left out.
func browserSafePattern(p string) bool {
	if strings.Contains(p, "(?") || strings.Contains(p, "[[") || strings.Contains(p, "--") || strings.Contains(p, "&&") {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(`^$.*+?{},|()[]_ @:`, c) >= 0:
		case c == '-' && i > 0 && i+1 < len(p) && isAlnum(p[i-1]) && isAlnum(p[i+1]):
		case c == '\\' && i+1 < len(p) && strings.IndexByte(`dwsDWS.\-+*?()[]{}|^$/`, p[i+1]) >= 0:
			i++
		default:
			return false
		}
	}
	return true
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range [...]struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// snakeCase turns a Go name into a form name: EmailAddress → email_address,
// HomepageURL → homepage_url.
func snakeCase(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// labelFor turns a Go name into a label: EmailAddress → "Email address",
// HomepageURL → "Homepage URL".
func labelFor(name string) string {
	words := strings.Split(snakeCase(name), "_")
	rs := []rune(name)
	pos := 0
	for i, w := range words {
		n := len([]rune(w))
		orig := string(rs[pos : pos+n])
		pos += n
		if len([]rune(orig)) > 1 && strings.ToUpper(orig) == orig {
			words[i] = orig // an initialism stays upper case
		} else if i == 0 && n > 0 {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
