package orm

import (
	"encoding"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the storage kind of a field, which each dialect maps to a column
// type.
type Kind uint8

// Field kinds.
const (
	KindBool       Kind = iota + 1
	KindInt             // int, int8 … int64, uint8 … uint32
	KindFloat           // float32, float64
	KindString          // string with a max length: VARCHAR(n)
	KindText            // string without a max length
	KindBytes           // []byte
	KindTime            // time.Time, stored and returned in UTC
	KindDuration        // time.Duration
	KindForeignKey      // orm.FK[T] / orm.Ref[T, K]
	KindDecimal         // orm.Decimal, with Digits and Places
	KindUUID            // orm.UUID
	KindDate            // orm.Date
	KindTimeOfDay       // orm.TimeOfDay
	KindJSON            // orm.JSON[T]
)

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindString:
		return "string"
	case KindText:
		return "text"
	case KindBytes:
		return "bytes"
	case KindTime:
		return "time"
	case KindDuration:
		return "duration"
	case KindForeignKey:
		return "foreign key"
	case KindDecimal:
		return "decimal"
	case KindUUID:
		return "uuid"
	case KindDate:
		return "date"
	case KindTimeOfDay:
		return "time of day"
	case KindJSON:
		return "json"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Field is the metadata of one model field, computed once at registration.
type Field struct {
	// Name is the Go field name ("PubDate").
	Name string
	// Column is the database column ("pub_date").
	Column string
	// Kind is the storage kind.
	Kind Kind
	// Type is the Go type of the field (a pointer type or orm.Null[T] when
	// Null).
	Type reflect.Type
	// Null is true for pointer and orm.Null[T] fields: NULL is stored for
	// nil (or an invalid Null).
	Null bool
	// PrimaryKey marks the primary key; AutoIncrement an integer key the
	// database assigns.
	PrimaryKey, AutoIncrement bool
	// Unique adds a unique constraint; Index an index.
	Unique, Index bool
	// MaxLength is the maximum length in characters of a KindString field.
	MaxLength int
	// Default is the value a new object gets when the field is left at its
	// zero value (nil when there is none).
	Default any
	// Choices restricts the field's values (forms and the admin read it):
	// from the choices= tag option, or from a Choices method of the field's
	// named type. Create, Save, BulkCreate and Update refuse other values
	// with a *ValueError.
	Choices []Choice
	// Digits and Places are a KindDecimal field's precision (digits= and
	// places=, Django's max_digits and decimal_places).
	Digits, Places int
	// DBDefault is the database-side default (db_default=), rendered in the
	// column's DEFAULT clause: a bool, int64, float64 or string, or DBNow.
	// Nil when there is none.
	DBDefault any
	// VerboseName and HelpText describe the field for forms and the admin.
	VerboseName, HelpText string

	// Related is the model a foreign key refers to (resolved once every
	// module is registered); OnDelete and RelatedName come from its tag.
	Related     *Model
	OnDelete    OnDelete
	RelatedName string
	// OneToOne marks a foreign key tagged one_to_one: it is unique, and its
	// reverse relation is a single object (RelatedOne).
	OneToOne  bool
	relTarget reflect.Type // the target struct type, until resolved
	relLabel  string       // the target's label, for a model made from a spec
	relKey    reflect.Type

	model *Model // the model the field belongs to
	pos   int    // index in model.Fields

	objOffset uintptr // foreign key: offset of the loaded object pointer (Ref.obj) in the model
	relEmbed  uintptr // foreign key to a type embedded in its target model: the embedded struct's offset there

	valueType reflect.Type // the Go type of a non-NULL value (T for *T and Null[T])
	mode      fieldMode    // plain, pointer or orm.Null
	allowed   map[any]bool // Choices by bound value, for write-time checks
	jsonType  reflect.Type // KindJSON: the JSON[T] type

	acc accessors
}

// ValueType returns the Go type of one non-NULL value of the field: T for
// a *T or orm.Null[T] field, the field's own type otherwise (a named type
// such as Status stays named; a JSON field's is orm.JSON[T]). A foreign
// key's value is its FK[T] or Ref[T, K]; the key inside has type
// Related.PK.ValueType(). Forms and the admin parse input into it. It is
// never nil, and safe for concurrent use.
func (f *Field) ValueType() reflect.Type {
	if f.valueType == nil {
		return f.Type
	}
	return f.valueType
}

// Choice is one allowed value of a field, with its label.
type Choice struct {
	Value any
	Label string
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	identRE      = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// maxIdentLen is PostgreSQL's identifier limit, the strictest of the
// supported databases.
const maxIdentLen = 63

// newField builds a Field from a struct field and its `anode:"…"` tag.
func newField(model string, sf reflect.StructField) (*Field, error) {
	return newFieldFor(model, sf, false)
}

// newProjectionField is newField for a struct rows are read into (Values):
// a decimal there may leave out digits= and places=, since it is read at the
// places of the model field it names.
func newProjectionField(owner string, sf reflect.StructField) (*Field, error) {
	return newFieldFor(owner, sf, true)
}

func newFieldFor(model string, sf reflect.StructField, projection bool) (*Field, error) {
	f := &Field{Name: sf.Name, Column: snakeCase(sf.Name), Type: sf.Type}
	fail := func(format string, args ...any) error {
		return &ModelError{Model: model, Field: sf.Name, Reason: fmt.Sprintf(format, args...)}
	}
	t := sf.Type
	if rel, ok := reflect.New(t).Elem().Interface().(relationField); ok && t.Kind() == reflect.Struct {
		f.Kind = KindForeignKey
		f.relTarget, f.relKey = rel.relation()
		f.Column = f.Column + "_id"
		if err := f.parseTag(sf.Tag.Get("anode"), f.relKey, fail); err != nil {
			return nil, err
		}
		if f.OnDelete == 0 {
			return nil, fail("a foreign key needs on_delete= (cascade, protect, restrict, set_null, set_default or do_nothing), as in Django")
		}
		if f.OnDelete == SetNull && !f.Null {
			return nil, fail("on_delete=set_null needs the null tag option")
		}
		if f.OnDelete == SetDefault && f.Default == nil {
			return nil, fail("on_delete=set_default needs a default= key")
		}
		if f.OneToOne {
			f.Unique = true
		}
		f.acc = newRefAccessors(sf, f.Null, f.relKey)
		objField, _ := t.FieldByName("obj")
		f.objOffset = sf.Offset + objField.Offset
		if f.VerboseName == "" {
			f.VerboseName = strings.ReplaceAll(snakeCase(sf.Name), "_", " ")
		}
		return f, nil
	}
	mode := plainField
	if nf, ok := reflect.New(t).Elem().Interface().(nullField); ok {
		f.Null, mode = true, nullWrapped
		t = nf.nullOf()
		if t.Kind() == reflect.Pointer {
			return nil, fail("Null[%s]: a Null holds a value, not a pointer", t)
		}
		if _, nested := reflect.New(t).Elem().Interface().(nullField); nested {
			return nil, fail("Null[%s]: Null cannot nest", t)
		}
	} else if t.Kind() == reflect.Pointer {
		f.Null, mode = true, pointerField
		t = t.Elem()
	}
	f.valueType = t
	vt, own := reflect.New(t).Elem().Interface().(valueType)
	switch {
	case own:
		f.Kind = vt.kind()
	case t == timeType:
		f.Kind = KindTime
	case t == durationType:
		f.Kind = KindDuration
	case t.Kind() == reflect.Bool:
		f.Kind = KindBool
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64, t.Kind() >= reflect.Uint8 && t.Kind() <= reflect.Uint32:
		f.Kind = KindInt
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		f.Kind = KindFloat
	case t.Kind() == reflect.String:
		f.Kind = KindText
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		f.Kind = KindBytes
	default:
		return nil, fail("type %s is not a supported field type (bool, integers, floats, string, []byte, time.Time, time.Duration, orm.Decimal, orm.UUID, orm.Date, orm.TimeOfDay, orm.JSON[T], or a pointer or orm.Null[T] of one for NULL)", sf.Type)
	}
	if f.Kind == KindDecimal {
		f.Places = -1 // until places= sets it: it is required
	}
	if err := f.parseTag(sf.Tag.Get("anode"), t, fail); err != nil {
		return nil, err
	}
	if err := f.typeChoices(t, fail); err != nil {
		return nil, err
	}
	f.mode = mode
	if f.Kind == KindDecimal && projection && f.Digits == 0 {
		f.Places = 0 // read at the places of the field it names
	} else if f.Kind == KindDecimal {
		if f.Digits == 0 || f.Places < 0 {
			return nil, fail("a decimal field needs digits=N and places=M (like Django's max_digits and decimal_places)")
		}
		if d, ok := f.DBDefault.(Decimal); ok {
			if err := d.fits(f.Digits, f.Places); err != nil {
				return nil, fail("db_default=%s %v", d, err)
			}
		}
	} else if f.Digits != 0 || f.Places != 0 {
		return nil, fail("digits and places apply to orm.Decimal fields only")
	}
	if f.Kind == KindJSON {
		f.jsonType = t
		if f.Unique || f.Index || len(f.Choices) > 0 {
			return nil, fail("a JSON field cannot be unique, indexed or have choices")
		}
	}
	switch {
	case f.Kind == KindDecimal:
		f.acc = decimalAccessors(sf.Offset, f.Places, mode)
	case own:
		f.acc = accessors{offset: sf.Offset}
		f.acc.dest, f.acc.arg = vt.accessors(mode)
	case mode == nullWrapped:
		f.acc = accessors{offset: sf.Offset}
		f.acc.dest, f.acc.arg = reflect.New(sf.Type).Elem().Interface().(nullField).nullAccessors()
	default:
		f.acc = newAccessors(sf, f.Null)
	}
	if f.Kind == KindText && f.MaxLength > 0 {
		f.Kind = KindString
	}
	if f.VerboseName == "" {
		f.VerboseName = strings.ReplaceAll(f.Column, "_", " ")
	}
	return f, nil
}

func (f *Field) parseTag(tag string, t reflect.Type, fail func(string, ...any) error) error {
	if tag == "" {
		return nil
	}
	for _, part := range splitTag(tag) {
		key, val, hasVal := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		switch key {
		case "pk":
			f.PrimaryKey = true
		case "auto":
			f.AutoIncrement = true
		case "unique":
			f.Unique = true
		case "index":
			f.Index = true
		case "column":
			if !identRE.MatchString(val) || len(val) > maxIdentLen {
				return fail("column=%q: want lowercase letters, digits and _ (at most %d), starting with a letter or _", val, maxIdentLen)
			}
			f.Column = val
		case "max":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return fail("max=%q: want a positive number of characters", val)
			}
			if t.Kind() != reflect.String {
				return fail("max applies to string fields only")
			}
			f.MaxLength = n
		case "default":
			v, err := parseValue(val, t)
			if err != nil {
				return fail("default=%q: %v", val, err)
			}
			f.Default = v
		case "choices":
			for _, c := range strings.Split(val, "|") {
				value, label, ok := strings.Cut(c, ":")
				if !ok {
					label = value
				}
				v, err := parseValue(value, t)
				if err != nil {
					return fail("choices: %q: %v", value, err)
				}
				f.Choices = append(f.Choices, Choice{Value: v, Label: label})
			}
		case "one_to_one":
			if f.Kind != KindForeignKey {
				return fail("one_to_one applies to foreign keys only")
			}
			f.OneToOne = true
		case "null":
			if f.Kind != KindForeignKey {
				return fail("null is for foreign keys; make other fields nullable with a pointer type or orm.Null[T]")
			}
			f.Null = true
		case "on_delete", "related":
			if f.Kind != KindForeignKey {
				return fail("%s applies to foreign keys only", key)
			}
			if key == "related" {
				if !identRE.MatchString(val) {
					return fail("related=%q: want lowercase letters, digits and _", val)
				}
				f.RelatedName = val
				break
			}
			od, ok := onDeleteNames[val]
			if !ok {
				return fail("on_delete=%q: want cascade, protect, restrict, set_null, set_default or do_nothing", val)
			}
			f.OnDelete = od
		case "digits", "places":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || key == "digits" && (n < 1 || n > 1000) {
				return fail("%s=%q: want a number of digits (digits 1 to 1000, places 0 or more)", key, val)
			}
			if key == "digits" {
				f.Digits = n
			} else {
				f.Places = n
			}
			if f.Digits > 0 && f.Places > f.Digits {
				return fail("places=%d is more than digits=%d", f.Places, f.Digits)
			}
		case "db_default":
			v, err := parseDBDefault(val, t, f.Kind)
			if err != nil {
				return fail("db_default=%q: %v", val, err)
			}
			f.DBDefault = v
		case "verbose":
			f.VerboseName = val
		case "help":
			f.HelpText = val
		default:
			return fail("unknown tag option %q (known: pk, auto, unique, index, null, one_to_one, column=, max=, default=, db_default=, choices=, digits=, places=, on_delete=, related=, verbose=, help=)", key)
		}
		if !hasVal && (key == "column" || key == "max" || key == "default" || key == "db_default" || key == "choices" || key == "digits" || key == "places" || key == "verbose" || key == "help" || key == "on_delete" || key == "related") {
			return fail("tag option %s needs a value (%s=…)", key, key)
		}
	}
	return nil
}

// splitTag splits on commas, except inside a verbose=/help= value, which runs
// to the end of the tag so descriptions may contain commas.
func splitTag(tag string) []string {
	var parts []string
	for tag != "" {
		if strings.HasPrefix(tag, "verbose=") || strings.HasPrefix(tag, "help=") {
			return append(parts, tag)
		}
		part, rest, _ := strings.Cut(tag, ",")
		parts = append(parts, strings.TrimSpace(part))
		tag = strings.TrimSpace(rest)
	}
	return parts
}

// parseValue parses tag text into a value of type t (a non-pointer type).
func parseValue(s string, t reflect.Type) (any, error) {
	v := reflect.New(t).Elem()
	if tu, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := tu.UnmarshalText([]byte(s)); err != nil {
			return nil, err
		}
		return v.Interface(), nil
	}
	switch {
	case t == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, err
		}
		v.SetInt(int64(d))
	case t.Kind() == reflect.String:
		v.SetString(s)
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, err
		}
		v.SetBool(b)
	case v.CanInt():
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return nil, err
		}
		v.SetInt(n)
	case v.CanUint():
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return nil, err
		}
		v.SetUint(n)
	case v.CanFloat():
		n, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return nil, err
		}
		v.SetFloat(n)
	default:
		return nil, fmt.Errorf("no text form for %s", t)
	}
	return v.Interface(), nil
}

// snakeCase turns a Go name into a column name: PubDate → pub_date,
// QuestionID → question_id, HTTPStatus → http_status.
func snakeCase(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z' || rs[i-1] >= '0' && rs[i-1] <= '9'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || (nextLower && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				b.WriteByte('_')
			}
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
