package orm

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Agg is an aggregate over a field, named by an alias, for Annotate and
// Aggregate: CountOf("choices").As("n_choices"), SumOf("votes").As("total").
// The field is a field of the model, or a reverse relation followed by a
// field of the related model ("choices__votes"; "choices" alone counts the
// related rows). Its zero value is not usable; build one with CountOf,
// SumOf, AvgOf, MinOf or MaxOf.
type Agg struct {
	fn       string // COUNT, SUM, AVG, MIN, MAX
	field    string
	distinct bool
	alias    string
}

// CountOf counts the rows where field is not NULL.
func CountOf(field string) Agg { return Agg{fn: "COUNT", field: field} }

// SumOf adds up a number or duration field; NULL (nil) over no rows.
func SumOf(field string) Agg { return Agg{fn: "SUM", field: field} }

// AvgOf averages a number or duration field, as a float64; NULL (nil) over
// no rows.
func AvgOf(field string) Agg { return Agg{fn: "AVG", field: field} }

// MinOf is the smallest value of a number, duration, text, time or date
// field; NULL (nil) over no rows.
func MinOf(field string) Agg { return Agg{fn: "MIN", field: field} }

// MaxOf is the largest value of a number, duration, text, time or date
// field; NULL (nil) over no rows.
func MaxOf(field string) Agg { return Agg{fn: "MAX", field: field} }

// Distinct makes the aggregate consider each distinct value once
// (COUNT(DISTINCT …)).
func (a Agg) Distinct() Agg { a.distinct = true; return a }

// As names the aggregate. An alias is letters, digits and _, starting with a
// letter or _, and must not be a field of the model.
func (a Agg) As(alias string) Agg { a.alias = alias; return a }

// annotation is an Agg checked against a model, ready to render.
type annotation struct {
	alias    string
	fn       string
	distinct bool
	field    *Field // the aggregated field: of the model, or of the related model
	rel      *Field // a reverse relation's foreign key (nil: the model's own rows)
	result   *Field // what the aggregate yields, for lookups and reading rows
	pos      int    // position among the query's annotations, for subquery aliases
}

var aliasRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// aliasClash describes the name of m an annotation alias would shadow — a
// field by Go name or column, a reverse or many-to-many relation, a Many[T]
// holder — or returns "". Names are compared ignoring case: SQLite folds
// identifier case, and "Votes" beside "votes" would confuse any reader.
func aliasClash(m *Model, alias string) string {
	for _, f := range m.Fields {
		if strings.EqualFold(alias, f.Name) || strings.EqualFold(alias, f.Column) || strings.EqualFold(alias, snakeCase(f.Name)) {
			return fmt.Sprintf("the field %s (column %s)", f.Name, f.Column)
		}
	}
	for name := range m.reverse {
		if strings.EqualFold(alias, name) {
			return "the reverse relation " + name
		}
	}
	for name := range m.many {
		if strings.EqualFold(alias, name) {
			return "the many-to-many relation " + name
		}
	}
	for related, h := range m.holders {
		if strings.EqualFold(alias, h.name) || strings.EqualFold(alias, related) {
			return fmt.Sprintf("the field %s (holding the relation %s)", h.name, related)
		}
	}
	for _, mm := range m.ManyToMany {
		if strings.EqualFold(alias, mm.Name) {
			return "the many-to-many field " + mm.Name
		}
	}
	return ""
}

// resolveAgg checks a against model m; taken lists the aliases already used.
func resolveAgg(m *Model, a Agg, taken []*annotation) (*annotation, error) {
	fail := func(format string, args ...any) (*annotation, error) {
		return nil, &LookupError{Model: m.Label(), Lookup: a.alias, Reason: fmt.Sprintf(format, args...)}
	}
	if a.fn == "" {
		return fail("an aggregate is built with CountOf, SumOf, AvgOf, MinOf or MaxOf")
	}
	switch {
	case a.alias == "":
		return fail("%s(%q) needs an alias: .As(\"name\")", strings.ToLower(a.fn), a.field)
	case !aliasRE.MatchString(a.alias) || len(a.alias) > maxIdentLen:
		return fail("alias: want letters, digits and _ (at most %d), starting with a letter or _", maxIdentLen)
	case strings.Contains(a.alias, "__"):
		return fail("alias: __ separates lookups, so an alias cannot contain it")
	case strings.HasPrefix(strings.ToLower(a.alias), "anode_"):
		return fail("alias: the prefix anode_ is reserved")
	}
	if clash := aliasClash(m, a.alias); clash != "" {
		return fail("alias clashes with %s of %s (names are compared ignoring case; pick another alias)", clash, m.Label())
	}
	for _, t := range taken {
		if strings.EqualFold(t.alias, a.alias) {
			return fail("alias is already used by another annotation")
		}
	}
	an := &annotation{alias: a.alias, fn: a.fn, distinct: a.distinct, pos: len(taken)}
	name, rest, more := strings.Cut(a.field, "__")
	target := m
	if fk, ok := m.reverse[name]; ok {
		an.rel, target = fk, fk.model
		if !more {
			rest = fk.model.PK.Name
		}
		if a.fn != "COUNT" && !more {
			return fail("%s over the relation %s needs a field of %s (%s__<field>)", strings.ToLower(a.fn), name, target.Label(), name)
		}
		name = rest
	} else if more {
		return fail("%q: %s has no reverse relation %q (aggregates follow one reverse relation, then a field)", a.field, m.Label(), name)
	}
	f, ok := target.Field(name)
	if !ok {
		return fail("%s(%q): %s has no field %q (fields: %s)", strings.ToLower(a.fn), a.field, target.Label(), name, strings.Join(target.FieldNames(), ", "))
	}
	an.field = f
	res := &Field{Name: a.alias, Column: a.alias, model: m}
	switch a.fn {
	case "COUNT":
		res.Kind, res.Type = KindInt, reflect.TypeFor[int64]()
	case "AVG":
		if !isNumber(f.Kind) {
			return fail("avg needs a number or duration field, and %s is %s", f.Name, f.Kind)
		}
		res.Kind, res.Type = KindFloat, reflect.TypeFor[float64]()
	case "SUM":
		if !isNumber(f.Kind) {
			return fail("sum needs a number or duration field, and %s is %s", f.Name, f.Kind)
		}
		res.Kind, res.Type = f.Kind, resultTypes[f.Kind]
	case "MIN", "MAX":
		if resultTypes[f.Kind] == nil {
			return fail("%s needs a number, duration, text, time or date field, and %s is %s", strings.ToLower(a.fn), f.Name, f.Kind)
		}
		res.Kind, res.Type = f.Kind, resultTypes[f.Kind]
	}
	res.Null = a.fn != "COUNT"
	an.result = res
	return an, nil
}

// resultTypes are the Go types of MIN, MAX and SUM results by field kind.
var resultTypes = map[Kind]reflect.Type{KindInt: reflect.TypeFor[int64](), KindFloat: reflect.TypeFor[float64](),
	KindDuration: durationType, KindString: reflect.TypeFor[string](), KindText: reflect.TypeFor[string](),
	KindTime: timeType, KindDate: reflect.TypeFor[Date]()}

func isNumber(k Kind) bool { return k == KindInt || k == KindFloat || k == KindDuration }

// render writes the aggregate: FN(col) over the query's own rows, or for a
// reverse relation a correlated subquery over the related rows, which never
// multiplies the outer rows the way a JOIN would with two relations.
func (a *annotation) render(b *builder) {
	col := b.db.q(a.field.model).columns[a.field.pos]
	if a.rel != nil {
		alias := b.d.QuoteIdent(fmt.Sprintf("anode_a%d_%d", len(b.scope), a.pos))
		col = alias + "." + col
		owner := a.rel.Related
		b.sql.WriteString("(SELECT ")
		a.renderFn(b, col)
		b.sql.WriteString(" FROM " + b.db.q(a.rel.model).table + " AS " + alias + " WHERE " + alias + "." +
			b.db.q(a.rel.model).columns[a.rel.pos] + " = " + b.current(b.db.q(owner).table) + "." + b.db.q(owner).columns[owner.PK.pos] + ")")
		return
	}
	a.renderFn(b, col)
}

func (a *annotation) renderFn(b *builder, col string) {
	inner := col
	if a.distinct {
		inner = "DISTINCT " + col
	}
	switch {
	case a.fn == "AVG":
		// Both databases then return a floating-point average.
		b.sql.WriteString("AVG(" + strings.TrimSuffix(inner, col) + "CAST(" + col + " AS DOUBLE PRECISION))")
	case a.fn == "SUM" && a.field.Kind != KindFloat:
		// PostgreSQL sums integers as NUMERIC; keep them integers.
		b.sql.WriteString("CAST(SUM(" + inner + ") AS BIGINT)")
	default:
		b.sql.WriteString(a.fn + "(" + inner + ")")
	}
}

// condition builds a Filter/Exclude condition on an annotation: "n", "n__gt".
func (a *annotation) condition(m *Model, text string, value any) (expr, error) {
	_, lookup, _ := strings.Cut(text, "__")
	switch lookup {
	case "", "exact", "gt", "gte", "lt", "lte", "in", "range", "isnull":
	default:
		return nil, &LookupError{Model: m.Label(), Lookup: text, Reason: fmt.Sprintf("annotation %s takes exact, gt, gte, lt, lte, in, range or isnull", a.alias)}
	}
	c, err := newCondition(annotModel(m, a), text, value)
	if err != nil {
		return nil, err
	}
	c.annot = a
	return c, nil
}

// annotModel is a stand-in model holding only the annotation's result, so
// lookups on it reuse newCondition's checks.
func annotModel(m *Model, a *annotation) *Model {
	return &Model{Module: m.Module, Name: m.Name, Fields: []*Field{a.result}, byName: map[string]*Field{a.alias: a.result}}
}

// annotation returns the annotation a lookup or order text names, if any.
func (q *QuerySet[T]) annotation(text string) *annotation {
	if len(q.annots) == 0 {
		return nil
	}
	name, _, _ := strings.Cut(text, "__")
	for _, a := range q.annots {
		if a.alias == name {
			return a
		}
	}
	return nil
}

// aggregating reports whether an annotation aggregates the query's own rows
// (so the query needs GROUP BY).
func (q *QuerySet[T]) aggregating() bool {
	for _, a := range q.annots {
		if a.rel == nil {
			return true
		}
	}
	return false
}

// Annotate adds a computed value to each row, named by its alias, like
// Django's annotate:
//
//	orm.From[Question](db).Annotate(orm.CountOf("choices").As("n_choices")).
//		Filter("n_choices__gte", 2).OrderBy("-n_choices")
//
// An aggregate over a reverse relation is computed per row by a correlated
// subquery. An aggregate over the model's own fields groups the rows: by
// GroupBy's fields, or else by primary key. Later Filter, Exclude and
// OrderBy calls may name the alias (a filter on an own-rows aggregate
// becomes HAVING). Read the values with Values into a struct with a field
// per alias; All returns the model's rows without them.
func (q *QuerySet[T]) Annotate(aggs ...Agg) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	for _, a := range aggs {
		an, err := resolveAgg(c.model, a, c.annots)
		if err != nil {
			c.err = err
			return c
		}
		c.own().annots = append(c.annots, an)
	}
	return c
}

// GroupBy groups the rows by fields, for Annotate's aggregates over the
// model's own rows: From[Choice](db).GroupBy("question").Annotate(
// orm.SumOf("votes").As("total")) gives one row per question. The query
// then selects only the group fields and the annotations; read it with
// Values (All refuses it). The model's default ordering does not apply.
func (q *QuerySet[T]) GroupBy(fields ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	fs, err := fieldList(c.model, "GroupBy", fields)
	if err != nil {
		c.err = err
		return c
	}
	if len(fs) == 0 {
		c.err = &LookupError{Model: c.model.Label(), Lookup: "", Reason: "GroupBy needs at least one field"}
		return c
	}
	c.own().groupBy = fs
	return c
}

// fieldList resolves field names of m for op, in the order given, without
// duplicates.
func fieldList(m *Model, op string, names []string) ([]*Field, error) {
	var out []*Field
	for _, n := range names {
		f, ok := m.Field(n)
		if !ok {
			return nil, &LookupError{Model: m.Label(), Lookup: n, Reason: fmt.Sprintf("%s: no field %q (fields: %s)", op, n, strings.Join(m.FieldNames(), ", "))}
		}
		if !containsField(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

func containsField(fs []*Field, f *Field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// Aggregate computes several aggregates over the query's rows in one
// statement and returns them by alias:
//
//	res, err := orm.From[Choice](db).Aggregate(ctx, orm.CountOf("id").As("n"), orm.SumOf("votes").As("total"))
//	total := res["total"].(int64)
//
// Values are int64 for counts and integer sums, float64 for averages and
// float fields, time.Duration for duration fields, string for text, and nil
// for an aggregate over no rows (except counts, which are 0). A query with
// Limit, Offset, Distinct or GroupBy is aggregated as a derived table.
// Aggregates here cover the model's own fields, not relations.
func (q *QuerySet[T]) Aggregate(ctx context.Context, aggs ...Agg) (map[string]any, error) {
	if err := q.runErr(); err != nil {
		return nil, err
	}
	if len(aggs) == 0 {
		return nil, fmt.Errorf("orm: %s: Aggregate needs at least one aggregate", q.model.Label())
	}
	var ans []*annotation
	for _, a := range aggs {
		an, err := resolveAgg(q.model, a, ans)
		if err != nil {
			return nil, err
		}
		if an.rel != nil {
			return nil, &LookupError{Model: q.model.Label(), Lookup: a.alias, Reason: "Aggregate covers the model's own fields; aggregate a relation from the related model's query"}
		}
		ans = append(ans, an)
	}
	b := q.builder()
	b.sql.WriteString("SELECT ")
	for i, a := range ans {
		if i > 0 {
			b.sql.WriteString(", ")
		}
		a.render(b)
		b.sql.WriteString(" AS ")
		b.sql.WriteString(b.d.QuoteIdent(a.alias))
	}
	b.sql.WriteString(" FROM ")
	if q.limit >= 0 || q.offset > 0 || q.grouped() || len(q.annots) > 0 {
		// Column names stay unqualified, so they name the derived table's.
		b.sql.WriteString("(")
		q.renderSelect(b, q.loadFields(), false)
		b.sql.WriteString(") AS " + b.d.QuoteIdent("anode_agg"))
	} else {
		b.table(q.model)
		q.renderWhere(b)
	}
	if b.err != nil {
		return nil, b.err
	}
	holders := make([]valueHolder, len(ans))
	dest := make([]any, len(ans))
	for i, a := range ans {
		holders[i] = newHolder(a.result)
		dest[i] = holders[i].dest
	}
	rows, err := q.db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("orm: %s: no result row", q.model.Label())
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, fmt.Errorf("orm: aggregating %s: %w", q.model.Label(), err)
	}
	out := make(map[string]any, len(ans))
	for i, a := range ans {
		out[a.alias] = holders[i].get()
	}
	return out, rows.Err()
}

// aliasNames lists a query's annotation aliases, for messages.
func aliasNames(as []*annotation) []string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.alias
	}
	sort.Strings(names)
	return names
}
