package orm

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// LookupError reports a query the ORM refuses to build: an unknown field, an
// unknown lookup, or a value of the wrong type. It names the model, the
// lookup and what would be valid; nothing of it reaches SQL.
type LookupError struct {
	Model  string // "polls.Question"
	Lookup string // the text as given, e.g. "votes__gtx"
	Reason string
	Err    error // the underlying error, if any (a *PatternError)
}

// Unwrap returns the underlying error, if any.
func (e *LookupError) Unwrap() error { return e.Err }

func (e *LookupError) Error() string {
	return fmt.Sprintf("orm: %s: lookup %q: %s", e.Model, e.Lookup, e.Reason)
}

// condition is one rendered test on a column.
type condition struct {
	field  *Field
	lookup string
	value  any         // a single bound value
	values []any       // for in and range
	rhs    *resolved   // an F expression instead of a value
	part   string      // a date transform (year, month, …) applied to the column
	annot  *annotation // compare an annotation instead of a column
	sub    Subquery    // in: the rows of another query
	outer  string      // a value of OuterRef(outer): resolved when embedded
	outerF *Field      // the resolved outer field
}

// dateParts are the transforms of time fields: pub_date__year, pub_date__month__gte.
// dayParts are the transforms that also apply to date fields.
var dayParts = map[string]bool{"year": true, "month": true, "day": true, "quarter": true,
	"week_day": true, "iso_week_day": true, "week": true, "iso_year": true}

// clockParts are the transforms that also apply to time-of-day fields.
var clockParts = map[string]bool{"hour": true, "minute": true, "second": true}

// Besides the integer parts, date compares the UTC calendar date, week_day
// counts 1 = Sunday … 7 = Saturday (as Django), iso_week_day 1 = Monday …
// 7 = Sunday, week and iso_year are ISO 8601's.
var dateParts = map[string]bool{"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
	"date": true, "week_day": true, "iso_week_day": true, "week": true, "iso_year": true, "quarter": true}

// lookups maps a lookup name to the kinds it applies to (nil: every kind).
var lookups = map[string][]Kind{
	"exact":  nil,
	"iexact": {KindString, KindText},
	"gt":     nil, "gte": nil, "lt": nil, "lte": nil,
	"in":     nil,
	"isnull": nil,
	"range":  nil,

	"contains": {KindString, KindText}, "icontains": {KindString, KindText},
	"startswith": {KindString, KindText}, "istartswith": {KindString, KindText},
	"endswith": {KindString, KindText}, "iendswith": {KindString, KindText},
	"regex": {KindString, KindText}, "iregex": {KindString, KindText},
}

func lookupNames() string {
	names := make([]string, 0, len(lookups))
	for n := range lookups {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// relCondition tests rows through a relation: a foreign key's target rows
// (forward) or the rows whose foreign key refers to this one (reverse),
// rendered as an IN subquery, so it never duplicates rows.
type relCondition struct {
	outer *Field // forward: the foreign key; reverse: nil (the primary key is used)
	owner *Model // the model of the outer query
	inner *Model // the model the subquery reads
	fk    *Field // reverse: the inner model's foreign key
	cond  expr
}

func (r relCondition) render(b *builder) {
	if r.fk == nil { // forward: fk IN (SELECT pk FROM target WHERE …)
		b.column(r.outer)
		b.sql.WriteString(" IN (SELECT ")
		b.column(r.inner.PK)
	} else { // reverse: pk IN (SELECT fk FROM other WHERE …)
		b.column(r.owner.PK)
		b.sql.WriteString(" IN (SELECT ")
		b.column(r.fk)
	}
	b.sql.WriteString(" FROM ")
	b.table(r.inner)
	b.sql.WriteString(" WHERE ")
	r.cond.render(b)
	b.sql.WriteString(")")
}

// newLookup builds the condition for a lookup, following relations:
// "question__pub_date__year" on Choice, "choices__votes__gt" on Question.
func newLookup(m *Model, text string, value any) (expr, error) {
	rel, plain, err := lookupExpr(m, text, value)
	switch {
	case err != nil:
		return nil, err
	case rel != nil:
		return rel, nil
	}
	return plain, nil
}

// lookupExpr is newLookup returning a condition on m's own columns unboxed
// (rel nil), so a caller can store it without an allocation.
func lookupExpr(m *Model, text string, value any) (rel expr, plain condition, err error) {
	name, rest, more := strings.Cut(text, "__")
	if more {
		if f, ok := m.Field(name); ok && f.Kind == KindForeignKey && f.Related != nil {
			next, _, _ := strings.Cut(rest, "__")
			_, isMany := f.Related.many[next]
			if _, isField := f.Related.Field(next); isField || isMany || f.Related.reverse[next] != nil {
				inner, err := newLookup(f.Related, rest, value)
				if err != nil {
					return nil, condition{}, relabel(err, m, text)
				}
				return relCondition{outer: f, owner: m, inner: f.Related, cond: inner}, condition{}, nil
			}
		}
		if e, ok := m.many[name]; ok { // many-to-many (m2m.go)
			rel, err = manyLookup(m, e, text, rest, value)
			return rel, condition{}, err
		}
		if fk, ok := m.reverse[name]; ok {
			inner, err := newLookup(fk.model, rest, value)
			if err != nil {
				return nil, condition{}, relabel(err, m, text)
			}
			return relCondition{owner: m, inner: fk.model, fk: fk, cond: inner}, condition{}, nil
		}
	} else if e, ok := m.many[name]; ok { // "tags", tag.ID: by the related key
		rel, err = manyLookup(m, e, text, e.farModel().PK.Name, value)
		return rel, condition{}, err
	} else if fk, ok := m.reverse[name]; ok {
		return nil, condition{}, &LookupError{Model: m.Label(), Lookup: text, Reason: fmt.Sprintf("%s is a reverse relation: name a field of %s after it (%s__<field>)", name, fk.model.Label(), name)}
	}
	if f, ok := m.Field(name); ok && f.Kind == KindJSON {
		rel, err = newJSONCondition(m, f, text, rest, value)
		return rel, condition{}, err
	}
	plain, err = newCondition(m, text, value)
	return nil, plain, err
}

// relabel reports an error from inside a relation against the outer lookup.
func relabel(err error, m *Model, text string) error {
	if le, ok := err.(*LookupError); ok {
		return &LookupError{Model: m.Label(), Lookup: text, Reason: le.Reason + " (in " + le.Model + ")"}
	}
	return err
}

func newCondition(m *Model, text string, value any) (condition, error) {
	fail := func(format string, args ...any) (condition, error) {
		return condition{}, &LookupError{Model: m.Label(), Lookup: text, Reason: fmt.Sprintf(format, args...)}
	}
	name, lookup, _ := strings.Cut(text, "__")
	f, ok := m.Field(name)
	if !ok {
		return fail("no field %q (fields: %s)", name, strings.Join(m.FieldNames(), ", "))
	}
	if nv, ok := value.(nullField); ok { // a Null[T] value: its V, or nil
		if v, valid := nv.nullValue(); valid {
			value = v
		} else {
			value = nil
		}
	}
	part := ""
	if p, rest, _ := strings.Cut(lookup, "__"); dateParts[p] {
		if f.Kind != KindTime && !(f.Kind == KindDate && dayParts[p]) && !(f.Kind == KindTimeOfDay && clockParts[p]) {
			switch f.Kind {
			case KindDate:
				return fail("%s applies to time fields; a date takes year, month, day, quarter, week_day, iso_week_day, week and iso_year", p)
			case KindTimeOfDay:
				return fail("%s applies to time fields; a time of day takes hour, minute and second", p)
			}
			return fail("%s applies to time fields, and %s is %s", p, f.Name, f.Kind)
		}
		part, lookup = p, rest
		switch lookup {
		case "", "exact", "gt", "gte", "lt", "lte", "in", "range":
		default:
			return fail("after %s, use exact, gt, gte, lt, lte, in or range", p)
		}
		datePart, clockPart := f.Kind == KindDate, f.Kind == KindTimeOfDay
		if p == "date" {
			// Compared as the date's text (YYYY-MM-DD), from time.Time values.
			f = &Field{Name: f.Name + "__" + p, Column: f.Column, Kind: KindTime, Type: timeType, model: f.model, pos: f.pos}
		} else {
			// The transformed column is an integer.
			f = &Field{Name: f.Name + "__" + p, Column: f.Column, Kind: KindInt, Type: reflect.TypeFor[int](), model: f.model, pos: f.pos}
		}
		if datePart {
			part = "date:" + p
		} else if clockPart {
			part = "clock:" + p
		}
	}
	if lookup == "" {
		lookup = "exact"
	}
	kinds, ok := lookups[lookup]
	if !ok {
		if f.Kind == KindForeignKey && f.Related != nil {
			return fail("unknown lookup %q, and %s has no field %q (lookups: %s)", lookup, f.Related.Label(), strings.Split(lookup, "__")[0], lookupNames())
		}
		return fail("unknown lookup %q (lookups: %s)", lookup, lookupNames())
	}
	if kinds != nil && !containsKind(kinds, f.Kind) {
		return fail("%s applies to text fields, and %s is %s", lookup, f.Name, f.Kind)
	}
	c := condition{field: f, lookup: lookup, part: part}
	switch lookup {
	case "isnull":
		b, ok := value.(bool)
		if !ok {
			return fail("isnull takes true or false, not %T", value)
		}
		c.value = b
	case "in", "range":
		if sub, ok := value.(Subquery); ok && lookup == "in" {
			if err := checkSub(m, sub); err != nil {
				return condition{}, err
			}
			if col := sub.subColumn(); !refComparable(f, col) {
				return fail("the subquery selects %s.%s (%s), which cannot be compared with %s (%s); pick its column with Only", col.model.Label(), col.Name, col.Kind, f.Name, f.Kind)
			}
			c.sub = sub
			break
		}
		rv := reflect.ValueOf(value)
		if value == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
			return fail("%s takes a slice of values, not %T", lookup, value)
		}
		if lookup == "range" && rv.Len() != 2 {
			return fail("range takes exactly two values (low, high), got %d", rv.Len())
		}
		for i := 0; i < rv.Len(); i++ {
			v, err := bindable(f, rv.Index(i).Interface())
			if err != nil {
				return fail("%s value %d: %v", lookup, i, err)
			}
			c.values = append(c.values, v)
		}
	default:
		if ref, ok := value.(OuterRef); ok {
			if lookup != "exact" && lookup != "gt" && lookup != "gte" && lookup != "lt" && lookup != "lte" {
				return fail("%s cannot compare with an OuterRef", lookup)
			}
			if part != "" {
				return fail("%s cannot compare with an OuterRef", part)
			}
			c.outer = string(ref)
			break
		}
		if e, ok := value.(Expr); ok {
			if lookup != "exact" && lookup != "gt" && lookup != "gte" && lookup != "lt" && lookup != "lte" {
				return fail("%s cannot compare with an F expression", lookup)
			}
			r, rf, err := e.resolve(m)
			if err == nil {
				err = decimalsMatch(f, rf)
			}
			if err != nil {
				return fail("%v", err)
			}
			c.rhs = r
			break
		}
		if value == nil {
			if lookup != "exact" {
				return fail("%s cannot compare with nil (use isnull)", lookup)
			}
			c.value = nil
			break
		}
		v, err := bindable(f, value)
		if err != nil {
			return fail("%v", err)
		}
		c.value = v
	}
	if part == "date" {
		if c.rhs != nil {
			return fail("date cannot compare with an F expression")
		}
		if t, ok := c.value.(time.Time); ok {
			c.value = t.UTC().Format(time.DateOnly)
		}
		for i, v := range c.values {
			if t, ok := v.(time.Time); ok {
				c.values[i] = t.UTC().Format(time.DateOnly)
			}
		}
	}
	return c, nil
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// bindable checks that v suits field f and returns it in the form to bind.
// Common types are checked with a type switch; named types by their kind.
func bindable(f *Field, v any) (any, error) {
	wrong := func() (any, error) {
		return nil, fmt.Errorf("%s is a %s field; a %T value does not fit", f.Name, f.Kind, v)
	}
	if nv, ok := v.(nullField); ok { // Null[T] inside in/range or F arithmetic
		inner, valid := nv.nullValue()
		if !valid {
			return nil, fmt.Errorf("%s: an invalid (NULL) orm.Null compares with nothing; use isnull", f.Name)
		}
		v = inner
	}
	if v == nil {
		return nil, fmt.Errorf("%s: nil is no value to compare with here (use isnull)", f.Name)
	}
	key := f.Kind
	if f.Kind == KindForeignKey && f.Related != nil {
		key = f.Related.PK.Kind
	}
	switch x := v.(type) {
	case Decimal:
		if key != KindDecimal {
			return wrong()
		}
		pkf := f
		if f.Kind == KindForeignKey {
			pkf = f.Related.PK
		}
		if err := x.fits(pkf.Digits, pkf.Places); err != nil {
			return nil, fmt.Errorf("%s: %s %v", f.Name, x, err)
		}
		return decimalArg{x, pkf.Places}, nil
	case UUID:
		if key != KindUUID {
			return wrong()
		}
		return x.String(), nil
	case Date:
		if key != KindDate {
			return wrong()
		}
		if !x.Valid() {
			return nil, fmt.Errorf("%s: %s is not a valid date", f.Name, x)
		}
		return x.String(), nil
	case TimeOfDay:
		if key != KindTimeOfDay {
			return wrong()
		}
		if !x.Valid() {
			return nil, fmt.Errorf("%s: %s is not a valid time of day", f.Name, x)
		}
		return x.String(), nil
	}
	if s, ok := v.(string); ok && key == KindUUID {
		u, err := ParseUUID(s) // a key from a URL path
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f.Name, err)
		}
		return u.String(), nil
	}
	if key == KindDecimal || key == KindUUID || key == KindDate || key == KindTimeOfDay {
		return wrong()
	}
	switch x := v.(type) {
	case string:
		if f.Kind == KindString || f.Kind == KindText || f.Kind == KindForeignKey && f.relKey.Kind() == reflect.String {
			return x, nil
		}
		return wrong()
	case bool:
		if f.Kind == KindBool {
			return x, nil
		}
		return wrong()
	case int, int64, int32, int16, int8, uint8, uint16, uint32:
		if f.Kind == KindInt {
			return v, nil
		}
		if f.Kind == KindForeignKey && f.relKey.Kind() == reflect.Int64 {
			return reflect.ValueOf(v).Convert(f.relKey).Interface(), nil
		}
		if f.Kind == KindFloat {
			return reflect.ValueOf(v).Convert(reflect.TypeFor[float64]()).Interface(), nil
		}
		return wrong()
	case float64, float32:
		if f.Kind == KindFloat {
			return v, nil
		}
		return wrong()
	case time.Time:
		if f.Kind == KindTime {
			return x, nil
		}
		return wrong()
	case time.Duration:
		if f.Kind == KindDuration {
			return x, nil
		}
		return wrong()
	case []byte:
		if f.Kind == KindBytes {
			return x, nil
		}
		return wrong()
	case driver.Valuer:
		if f.Kind == KindForeignKey && reflect.TypeOf(v) == f.Type {
			return x.Value() // a Ref: its key
		}
		return wrong()
	}
	if f.Kind == KindForeignKey {
		// A bare key: of the referenced primary key's type.
		rv := reflect.ValueOf(v)
		if rv.Kind() == f.relKey.Kind() || rv.CanInt() && f.relKey.Kind() == reflect.Int64 {
			if rv.CanInt() {
				return rv.Int(), nil
			}
			return rv.Convert(f.relKey).Interface(), nil
		}
		return wrong()
	}
	rv := reflect.ValueOf(v)
	want := f.valueType
	if want == nil {
		want = f.Type
	}
	if want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	if rv.Type() == want || rv.Type().ConvertibleTo(want) && rv.Kind() == want.Kind() {
		return rv.Convert(baseType(want)).Interface(), nil
	}
	return wrong()
}

func (c condition) render(b *builder) {
	col := func() {
		if c.annot != nil {
			c.annot.render(b)
			return
		}
		if part, ok := strings.CutPrefix(c.part, "date:"); ok {
			if de, ok := b.d.(DateExtractor); ok {
				b.sql.WriteString(de.ExtractDate(part, b.d.QuoteIdent(c.field.Column)))
			} else {
				b.sql.WriteString(b.d.Extract(part, b.d.QuoteIdent(c.field.Column)))
			}
			return
		}
		if part, ok := strings.CutPrefix(c.part, "clock:"); ok {
			te, ok := b.d.(TimeOfDayExtractor)
			if !ok {
				b.fail(&LookupError{Model: c.field.model.Label(), Lookup: c.field.Name, Reason: "the " + b.d.Name() + " dialect cannot extract parts of a time of day"})
				b.sql.WriteString("NULL")
				return
			}
			b.sql.WriteString(te.ExtractTimeOfDay(part, b.d.QuoteIdent(c.field.Column)))
			return
		}
		if c.part != "" {
			b.sql.WriteString(b.d.Extract(c.part, b.d.QuoteIdent(c.field.Column)))
			return
		}
		b.column(c.field)
	}
	switch c.lookup {
	case "exact":
		if c.outer != "" {
			col()
			b.sql.WriteString(" = ")
			c.renderOuter(b)
			return
		}
		if c.rhs != nil {
			col()
			b.sql.WriteString(" = ")
			c.rhs.render(b)
			return
		}
		if c.value == nil {
			col()
			b.sql.WriteString(" IS NULL")
			return
		}
		col()
		b.sql.WriteString(" = ")
		b.arg(c.value)
	case "iexact":
		b.sql.WriteString("LOWER(")
		col()
		b.sql.WriteString(") = LOWER(")
		b.arg(c.value)
		b.sql.WriteString(")")
	case "gt", "gte", "lt", "lte":
		col()
		b.sql.WriteString(map[string]string{"gt": " > ", "gte": " >= ", "lt": " < ", "lte": " <= "}[c.lookup])
		switch {
		case c.outer != "":
			c.renderOuter(b)
		case c.rhs != nil:
			c.rhs.render(b)
		default:
			b.arg(c.value)
		}
	case "isnull":
		col()
		if c.value.(bool) {
			b.sql.WriteString(" IS NULL")
		} else {
			b.sql.WriteString(" IS NOT NULL")
		}
	case "in":
		if c.sub != nil {
			col()
			b.sql.WriteString(" IN (")
			c.sub.renderSub(b, c.sub.subColumn(), c.field.model)
			b.sql.WriteString(")")
			return
		}
		if len(c.values) == 0 {
			b.sql.WriteString("1 = 0") // IN () matches nothing, portably
			return
		}
		col()
		b.sql.WriteString(" IN (")
		b.argList(c.values)
		b.sql.WriteString(")")
	case "regex", "iregex":
		rd, ok := b.d.(RegexDialect)
		if !ok {
			b.fail(&LookupError{Model: c.field.model.Label(), Lookup: c.field.Name + "__" + c.lookup, Reason: "the " + b.d.Name() + " dialect has no regular expressions"})
			return
		}
		sql, arg, err := rd.Regex(b.db.q(c.field.model).columns[c.field.pos], b.d.Placeholder(len(b.args)+1), c.value.(string), c.lookup == "iregex")
		if err != nil {
			b.fail(&LookupError{Model: c.field.model.Label(), Lookup: c.field.Name + "__" + c.lookup, Reason: err.Error(), Err: err})
			return
		}
		b.args = append(b.args, arg)
		b.sql.WriteString(sql)
	case "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith":
		fold := c.lookup[0] == 'i'
		kind := c.lookup
		if fold {
			kind = kind[1:]
		}
		col := b.db.q(c.field.model).columns[c.field.pos]
		if b.inline { // DDL: the pattern as a literal
			_, pattern := b.d.Match(kind, fold, col, "", c.value.(string))
			lit, err := Literal(pattern)
			if err != nil {
				b.fail(err)
			}
			sql, _ := b.d.Match(kind, fold, col, lit, c.value.(string))
			b.sql.WriteString(sql)
			break
		}
		sql, pattern := b.d.Match(kind, fold, col, b.d.Placeholder(len(b.args)+1), c.value.(string))
		b.args = append(b.args, pattern)
		b.sql.WriteString(sql)
	case "range":
		col()
		b.sql.WriteString(" BETWEEN ")
		b.arg(c.values[0])
		b.sql.WriteString(" AND ")
		b.arg(c.values[1])
	}
}
