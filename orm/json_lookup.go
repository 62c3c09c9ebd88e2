package orm

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSONDialect is the optional Dialect interface JSON lookups need. The key
// path is user text (it comes from the lookup string), so it is always bound
// as one parameter in the dialect's path form, never written into the SQL;
// values are bound as JSON text.
type JSONDialect interface {
	// JSONPath returns the argument to bind for a key path of object keys
	// (string) and array indexes (int), in the form JSONExtract and JSONType
	// take: PostgreSQL a text[] for #>, SQLite a JSON path string with
	// every key quoted and escaped.
	JSONPath(path []any) any
	// JSONExtract renders the value at the bound path pathPH in column col
	// (quoted), comparable with JSONValue (=, <, IN …).
	JSONExtract(col, pathPH string) string
	// JSONValue renders the JSON text bound at ph as a value comparable
	// with JSONExtract.
	JSONValue(ph string) string
	// JSONType renders the JSON type name of the value at the bound path
	// ("null" for a JSON null), NULL where the path does not exist.
	JSONType(col, pathPH string) string
	// JSONExtractText renders the value at the bound path as SQL text, for
	// the text lookups (iexact, contains, startswith, endswith and their
	// case-insensitive forms): a JSON string's content without quotes, NULL
	// where the path does not exist.
	JSONExtractText(col, pathPH string) string
}

// jsonLookups are the lookups a JSON key path can end with.
var jsonLookups = map[string]bool{
	"exact": true, "gt": true, "gte": true, "lt": true, "lte": true, "in": true, "isnull": true,
	"has_key": true, "has_keys": true, "has_any_keys": true,
	"iexact": true, "contains": true, "icontains": true, "startswith": true, "istartswith": true,
	"endswith": true, "iendswith": true,
}

// jsonCondition tests a JSON field at a key path.
type jsonCondition struct {
	field  *Field
	path   []any  // keys (string) and array indexes (int)
	lookup string // one of jsonLookups
	values []string
	keys   [][]any // has_key(s): the full paths tested
	isnull bool
	text   string // a text lookup's value, matched literally
}

// newJSONCondition parses "data__owner__name__exact" (rest is the text after
// the field name) into a key path and a lookup, as Django's JSONField does:
// path elements that are non-negative integers index arrays.
func newJSONCondition(m *Model, f *Field, text, rest string, value any) (expr, error) {
	fail := func(format string, args ...any) (expr, error) {
		return nil, &LookupError{Model: m.Label(), Lookup: text, Reason: fmt.Sprintf(format, args...)}
	}
	var parts []string
	if rest != "" {
		parts = strings.Split(rest, "__")
	}
	lookup := "exact"
	if n := len(parts); n > 0 && jsonLookups[parts[n-1]] {
		lookup, parts = parts[n-1], parts[:n-1]
	}
	c := jsonCondition{field: f, lookup: lookup}
	for _, p := range parts {
		if err := checkJSONKey(p); err != nil {
			return fail("%v", err)
		}
		if i, err := strconv.Atoi(p); err == nil && i >= 0 && strconv.Itoa(i) == p {
			c.path = append(c.path, i)
		} else {
			c.path = append(c.path, p)
		}
	}
	if nv, ok := value.(nullField); ok {
		if v, valid := nv.nullValue(); valid {
			value = v
		} else {
			value = nil
		}
	}
	switch lookup {
	case "isnull":
		b, ok := value.(bool)
		if !ok {
			return fail("isnull takes true or false, not %T", value)
		}
		c.isnull = b
	case "has_key", "has_keys", "has_any_keys":
		var keys []string
		switch v := value.(type) {
		case string:
			if lookup != "has_key" {
				return fail("%s takes a []string of keys", lookup)
			}
			keys = []string{v}
		case []string:
			if lookup == "has_key" {
				return fail("has_key takes one key (a string); use has_keys or has_any_keys for several")
			}
			keys = v
		default:
			return fail("%s takes a string key or a []string, not %T", lookup, value)
		}
		if len(keys) == 0 {
			return fail("%s needs at least one key", lookup)
		}
		for _, k := range keys {
			if err := checkJSONKey(k); err != nil {
				return fail("%v", err)
			}
			c.keys = append(c.keys, append(append([]any(nil), c.path...), k))
		}
	case "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith":
		if len(c.path) == 0 {
			return fail("%s compares the text at a key path: name a key after %s (%s__<key>__%s)", lookup, f.Name, f.Column, lookup)
		}
		rv := reflect.ValueOf(value)
		if value == nil || rv.Kind() != reflect.String {
			return fail("%s takes a string, not %T", lookup, value)
		}
		c.text = rv.String()
	case "in":
		vals, ok := value.([]any)
		if !ok {
			if ss, isStr := value.([]string); isStr {
				for _, s := range ss {
					vals = append(vals, s)
				}
			} else if is, isInt := value.([]int); isInt {
				for _, i := range is {
					vals = append(vals, i)
				}
			} else {
				return fail("in takes a []any, []string or []int, not %T", value)
			}
		}
		for i, v := range vals {
			b, err := json.Marshal(v)
			if err != nil {
				return fail("in value %d: %v", i, err)
			}
			c.values = append(c.values, string(b))
		}
	default:
		if value == nil && lookup != "exact" {
			return fail("%s cannot compare with nil", lookup)
		}
		if len(c.path) == 0 && value == nil {
			return fail("a JSON field compares with nil only at a key path (use isnull for the column)")
		}
		if j, ok := value.(interface{ jsonValue() any }); ok {
			value = j.jsonValue()
		}
		b, err := json.Marshal(value)
		if err != nil {
			return fail("value: %v", err)
		}
		c.values = []string{string(b)}
	}
	return c, nil
}

func (c jsonCondition) render(b *builder) {
	jd, ok := b.d.(JSONDialect)
	if !ok {
		b.sql.WriteString("1 = 0") // not reached: Open refuses JSON fields on such a dialect
		return
	}
	col := b.db.q(c.field.model).columns[c.field.pos]
	path := func(p []any) string {
		b.args = append(b.args, jd.JSONPath(p))
		return b.d.Placeholder(len(b.args))
	}
	value := func(v string) string {
		b.args = append(b.args, v)
		return jd.JSONValue(b.d.Placeholder(len(b.args)))
	}
	switch c.lookup {
	case "isnull":
		if len(c.path) == 0 {
			b.sql.WriteString(col)
		} else {
			b.sql.WriteString(jd.JSONType(col, path(c.path)))
		}
		if c.isnull {
			b.sql.WriteString(" IS NULL")
		} else {
			b.sql.WriteString(" IS NOT NULL")
		}
	case "has_key", "has_keys", "has_any_keys":
		op := " AND "
		if c.lookup == "has_any_keys" {
			op = " OR "
		}
		b.sql.WriteString("(")
		for i, k := range c.keys {
			if i > 0 {
				b.sql.WriteString(op)
			}
			b.sql.WriteString(jd.JSONType(col, path(k)) + " IS NOT NULL")
		}
		b.sql.WriteString(")")
	case "iexact":
		b.sql.WriteString("LOWER(" + jd.JSONExtractText(col, path(c.path)) + ") = LOWER(")
		b.arg(c.text)
		b.sql.WriteString(")")
	case "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith":
		fold := c.lookup[0] == 'i'
		kind := c.lookup
		if fold {
			kind = kind[1:]
		}
		text := jd.JSONExtractText(col, path(c.path)) // binds the path first
		sql, pattern := b.d.Match(kind, fold, text, b.d.Placeholder(len(b.args)+1), c.text)
		b.args = append(b.args, pattern)
		b.sql.WriteString(sql)
	case "in":
		if len(c.values) == 0 {
			b.sql.WriteString("1 = 0")
			return
		}
		b.sql.WriteString(jd.JSONExtract(col, path(c.path)) + " IN (")
		for i, v := range c.values {
			if i > 0 {
				b.sql.WriteString(", ")
			}
			b.sql.WriteString(value(v))
		}
		b.sql.WriteString(")")
	default:
		if c.values[0] == "null" {
			// JSON null, which extracts as SQL NULL on SQLite: test its type.
			b.sql.WriteString(jd.JSONType(col, path(c.path)) + " = ")
			b.arg("null")
			return
		}
		op := map[string]string{"exact": " = ", "gt": " > ", "gte": " >= ", "lt": " < ", "lte": " <= "}[c.lookup]
		b.sql.WriteString(jd.JSONExtract(col, path(c.path)) + op + value(c.values[0]))
	}
}

// checkJSONKey refuses keys no database can hold: invalid UTF-8, and NUL
// (PostgreSQL's text and JSONB cannot store it).
func checkJSONKey(k string) error {
	if !utf8.ValidString(k) {
		return fmt.Errorf("JSON key %q is not valid UTF-8", k)
	}
	if strings.IndexByte(k, 0) >= 0 {
		return fmt.Errorf("JSON key %q contains NUL", k)
	}
	return nil
}

// jsonValue lets a JSON[T] be a lookup value: its V.
func (j JSON[T]) jsonValue() any { return j.V }

// JSONPathText renders path as a JSON path string ("$.\"owner\"[0]") with
// every key quoted and escaped as a JSON string, so no key can end the
// quoted label or add a path step. SQLite binds it; other dialects may too.
func JSONPathText(path []any) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, p := range path {
		switch x := p.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(x))
			b.WriteByte(']')
		case string:
			q, _ := json.Marshal(x) // a string always marshals
			b.WriteByte('.')
			b.Write(q)
		}
	}
	return b.String()
}
