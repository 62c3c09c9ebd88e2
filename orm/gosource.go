package orm

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// GoExpr returns a Go expression that evaluates to v, written for a file
// that imports this package as orm and, where needed, the time package as
// time. It serves code generators (migration files): the values a spec
// holds in its any-typed fields and conditions survive a round trip
// through generated source with their types.
//
// It renders nil, bools, integers and floats (typed where the type would
// otherwise change: int64(5), float32(1.5); an int is bare), strings,
// []byte, DBNow, Decimal (MustDecimal("1.50")), UUID (MustUUID("…")), Date,
// TimeOfDay, time.Duration (90 * time.Minute), time.Time (time.Date(…) in
// UTC: the instant is kept, the location is not), Kind, OnDelete, Cond
// (Q, And, Or, Not) and Expr (F with Add, Sub, Mul, Div), and slices of
// these. A value of a named type with a basic underlying type (type Status
// string) is written as its underlying value, which is what reaches the
// database: generated code cannot import the type's package.
//
// Anything else — maps, structs of other types, pointers, functions, NaN
// and infinities, Exists conditions — is an error naming the value's type,
// so a generator never writes code that does not compile or that means
// something else.
func GoExpr(v any) (string, error) {
	var b strings.Builder
	if err := appendGo(&b, v, true); err != nil {
		return "", err
	}
	return b.String(), nil
}

// GoString returns the constant's qualified name, "orm.KindString", so %#v
// and generated code show it by name.
func (k Kind) GoString() string {
	if name, ok := kindNames[k]; ok {
		return "orm." + name
	}
	return "orm.Kind(" + strconv.Itoa(int(k)) + ")"
}

var kindNames = map[Kind]string{
	KindBool: "KindBool", KindInt: "KindInt", KindFloat: "KindFloat",
	KindString: "KindString", KindText: "KindText", KindBytes: "KindBytes",
	KindTime: "KindTime", KindDuration: "KindDuration", KindForeignKey: "KindForeignKey",
	KindDecimal: "KindDecimal", KindUUID: "KindUUID", KindDate: "KindDate",
	KindTimeOfDay: "KindTimeOfDay", KindJSON: "KindJSON",
}

// GoString returns the constant's qualified name, "orm.Cascade".
func (o OnDelete) GoString() string {
	switch o {
	case Cascade:
		return "orm.Cascade"
	case Protect:
		return "orm.Protect"
	case Restrict:
		return "orm.Restrict"
	case SetNull:
		return "orm.SetNull"
	case DoNothing:
		return "orm.DoNothing"
	case SetDefault:
		return "orm.SetDefault"
	}
	return "orm.OnDelete(" + strconv.Itoa(int(o)) + ")"
}

// GoString returns c as Go source (GoExpr), so %#v shows a condition as it
// would be written. A condition GoExpr cannot render shows the error in a
// comment; generators call GoExpr, which returns it.
func (c Cond) GoString() string { return goString(c) }

// GoString returns e as Go source (GoExpr), like Cond.GoString.
func (e Expr) GoString() string { return goString(e) }

func goString(v any) string {
	s, err := GoExpr(v)
	if err != nil {
		return fmt.Sprintf("%T{} /* %v */", v, err)
	}
	return s
}

// appendGo writes v as Go source. typed says the expression must carry v's
// type itself (it lands in an interface); otherwise the context gives the
// type (an element of a []int64) and numbers are written bare.
func appendGo(b *strings.Builder, v any, typed bool) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
		return nil
	case Kind:
		b.WriteString(x.GoString())
		return nil
	case OnDelete:
		b.WriteString(x.GoString())
		return nil
	case dbNow:
		b.WriteString("orm.DBNow")
		return nil
	case Cond:
		return x.appendGo(b)
	case Expr:
		return x.appendGo(b)
	case Decimal:
		b.WriteString("orm.MustDecimal(" + strconv.Quote(x.String()) + ")")
		return nil
	case UUID:
		b.WriteString("orm.MustUUID(" + strconv.Quote(x.String()) + ")")
		return nil
	case Date:
		b.WriteString("orm.Date{")
		sep := ""
		if x.Year != 0 {
			fmt.Fprintf(b, "Year: %d", x.Year)
			sep = ", "
		}
		if x.Month != 0 {
			b.WriteString(sep + "Month: " + monthExpr(x.Month))
			sep = ", "
		}
		if x.Day != 0 {
			fmt.Fprintf(b, "%sDay: %d", sep, x.Day)
		}
		b.WriteString("}")
		return nil
	case TimeOfDay:
		b.WriteString("orm.TimeOfDay{")
		sep := ""
		for _, p := range [...]struct {
			name string
			v    int
		}{{"Hour", x.Hour}, {"Minute", x.Minute}, {"Second", x.Second}, {"Microsecond", x.Microsecond}} {
			if p.v != 0 {
				fmt.Fprintf(b, "%s%s: %d", sep, p.name, p.v)
				sep = ", "
			}
		}
		b.WriteString("}")
		return nil
	case time.Duration:
		b.WriteString(durationExpr(x))
		return nil
	case time.Time:
		if x.IsZero() {
			b.WriteString("time.Time{}")
			return nil
		}
		u := x.UTC()
		fmt.Fprintf(b, "time.Date(%d, %s, %d, %d, %d, %d, %d, time.UTC)",
			u.Year(), monthExpr(u.Month()), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond())
		return nil
	case []byte:
		if x == nil {
			b.WriteString("[]byte(nil)")
			return nil
		}
		b.WriteString("[]byte(" + strconv.Quote(string(x)) + ")")
		return nil
	}
	return appendReflect(b, reflect.ValueOf(v), typed)
}

// appendReflect writes values of basic kinds, whatever their type's name,
// and slices.
func appendReflect(b *strings.Builder, rv reflect.Value, typed bool) error {
	k := rv.Kind()
	switch {
	case k == reflect.Bool:
		b.WriteString(strconv.FormatBool(rv.Bool()))
	case k == reflect.String:
		b.WriteString(strconv.Quote(rv.String()))
	case k == reflect.Int:
		b.WriteString(strconv.FormatInt(rv.Int(), 10))
	case rv.CanInt():
		writeTyped(b, k.String(), strconv.FormatInt(rv.Int(), 10), typed)
	case rv.CanUint() && k != reflect.Uintptr:
		writeTyped(b, k.String(), strconv.FormatUint(rv.Uint(), 10), typed)
	case rv.CanFloat():
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 && math.Signbit(f) {
			return fmt.Errorf("orm: no Go constant for the float %v", f)
		}
		if k == reflect.Float32 {
			writeTyped(b, "float32", strconv.FormatFloat(f, 'g', -1, 32), typed)
			return nil
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0" // an untyped float constant: float64 in an interface
		}
		b.WriteString(s)
	case k == reflect.Slice:
		t, err := goType(rv.Type().Elem())
		if err != nil {
			return fmt.Errorf("orm: no Go source for a value of type %s: %w", rv.Type(), err)
		}
		if rv.IsNil() {
			b.WriteString("[]" + t + "(nil)")
			return nil
		}
		b.WriteString("[]" + t + "{")
		elemTyped := rv.Type().Elem().Kind() == reflect.Interface
		for i := range rv.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := appendGo(b, rv.Index(i).Interface(), elemTyped); err != nil {
				return err
			}
		}
		b.WriteString("}")
	default:
		return fmt.Errorf("orm: no Go source for a value of type %s", rv.Type())
	}
	return nil
}

func writeTyped(b *strings.Builder, typ, lit string, typed bool) {
	if typed {
		b.WriteString(typ + "(" + lit + ")")
		return
	}
	b.WriteString(lit)
}

// goType is the Go spelling of a slice element type appendGo can write.
func goType(t reflect.Type) (string, error) {
	switch t {
	case reflect.TypeFor[Cond](), reflect.TypeFor[Expr](), reflect.TypeFor[Decimal](),
		reflect.TypeFor[UUID](), reflect.TypeFor[Date](), reflect.TypeFor[TimeOfDay](),
		reflect.TypeFor[Kind](), reflect.TypeFor[OnDelete]():
		return "orm." + t.Name(), nil
	case timeType, durationType:
		return "time." + t.Name(), nil
	case reflect.TypeFor[[]byte]():
		return "[]byte", nil
	}
	switch k := t.Kind(); {
	case k == reflect.Interface && t.NumMethod() == 0:
		return "any", nil
	case k == reflect.Bool || k == reflect.String || k >= reflect.Int && k <= reflect.Uint64 || k == reflect.Float32 || k == reflect.Float64:
		return k.String(), nil // a named type is written as its underlying type
	}
	return "", fmt.Errorf("unsupported element type %s", t)
}

func monthExpr(m time.Month) string {
	if m >= time.January && m <= time.December {
		return "time." + m.String()
	}
	return strconv.Itoa(int(m))
}

// durationExpr writes d in the largest unit that divides it exactly.
func durationExpr(d time.Duration) string {
	for _, u := range [...]struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}, {time.Microsecond, "Microsecond"}} {
		if d != 0 && d%u.d == 0 {
			n := d / u.d
			if n == 1 {
				return "time." + u.name
			}
			return strconv.FormatInt(int64(n), 10) + " * time." + u.name
		}
	}
	return "time.Duration(" + strconv.FormatInt(int64(d), 10) + ")"
}

func (c Cond) appendGo(b *strings.Builder) error {
	switch c.op {
	case "":
		if c.isZero() {
			b.WriteString("orm.Cond{}")
			return nil
		}
		b.WriteString("orm.Q(" + strconv.Quote(c.lookup) + ", ")
		if err := appendGo(b, c.value, true); err != nil {
			return fmt.Errorf("%w (in the condition on %s)", err, c.lookup)
		}
		b.WriteString(")")
		return nil
	case "AND", "OR", "NOT":
		b.WriteString("orm." + map[string]string{"AND": "And", "OR": "Or", "NOT": "Not"}[c.op] + "(")
		for i, it := range c.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := it.appendGo(b); err != nil {
				return err
			}
		}
		b.WriteString(")")
		return nil
	}
	return fmt.Errorf("orm: no Go source for an %s condition (its subquery is built from a QuerySet)", strings.ToLower(c.op))
}

func (e Expr) appendGo(b *strings.Builder) error {
	if e.op == "" {
		b.WriteString("orm.F(" + strconv.Quote(e.field) + ")")
		return nil
	}
	method, ok := map[string]string{"+": "Add", "-": "Sub", "*": "Mul", "/": "Div"}[e.op]
	if !ok || e.left == nil {
		return fmt.Errorf("orm: no Go source for the expression operator %q", e.op)
	}
	if err := e.left.appendGo(b); err != nil {
		return err
	}
	b.WriteString("." + method + "(")
	if err := appendGo(b, e.right, true); err != nil {
		return err
	}
	b.WriteString(")")
	return nil
}
