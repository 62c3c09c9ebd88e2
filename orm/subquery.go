package orm

import (
	"fmt"
	"reflect"
	"strconv"
)

// Subquery is a QuerySet of any model embedded in another query: the value
// of an __in lookup, or the query of Exists. Only *QuerySet implements it.
type Subquery interface {
	subModel() *Model
	subErr() error
	// subColumn is the field an __in subquery selects: the one Only field,
	// or the primary key.
	subColumn() *Field
	// renderSub writes SELECT <col or 1> FROM table AS alias WHERE …, with
	// OuterRef conditions bound to outer.
	renderSub(b *builder, col *Field, outer *Model)
}

var _ Subquery = (*QuerySet[struct{}])(nil)

func (q *QuerySet[T]) subModel() *Model { return q.model }
func (q *QuerySet[T]) subErr() error    { return q.err }

func (q *QuerySet[T]) subColumn() *Field {
	if len(q.onlyNamed) == 1 {
		return q.onlyNamed[0]
	}
	return q.model.PK
}

func (q *QuerySet[T]) renderSub(b *builder, col *Field, outer *Model) {
	if len(q.annots) > 0 || q.groupBy != nil {
		b.fail(fmt.Errorf("orm: %s: a subquery cannot use Annotate or GroupBy yet", q.model.Label()))
		return
	}
	alias := b.d.QuoteIdent("anode_s" + strconv.Itoa(len(b.scope)))
	b.sql.WriteString("SELECT ")
	if q.distinct {
		b.sql.WriteString("DISTINCT ")
	}
	if col == nil {
		b.sql.WriteString("1")
	} else {
		b.sql.WriteString(alias + "." + b.db.q(q.model).columns[col.pos])
	}
	b.sql.WriteString(" FROM " + b.db.q(q.model).table + " AS " + alias)
	b.push(alias)
	defer b.pop()
	for i, c := range q.where {
		if i == 0 {
			b.sql.WriteString(" WHERE ")
		} else {
			b.sql.WriteString(" AND ")
		}
		c, err := bindOuter(c, outer)
		if err != nil {
			b.fail(err)
			return
		}
		c.render(b)
	}
	if q.limit >= 0 || q.offset > 0 {
		if len(q.order) > 0 {
			q.renderOrder(b)
		}
		q.renderLimit(b)
	}
}

// OuterRef refers to a field of the enclosing query from inside a subquery,
// like Django's OuterRef:
//
//	recent := orm.From[Choice](db).Filter("question", orm.OuterRef("id")).Filter("votes__gt", 0)
//	orm.From[Question](db).Where(orm.Exists(recent))
//
// A query using it runs only as a subquery (Exists, an __in lookup); the
// field is checked against the enclosing model when the subquery is
// embedded.
type OuterRef string

// usesOuterRef reports whether a Filter value refers to the outer query.
func usesOuterRef(v any) bool { _, ok := v.(OuterRef); return ok }

// usesOuterRef reports whether c or any condition in it does.
func (c Cond) usesOuterRef() bool {
	if usesOuterRef(c.value) {
		return true
	}
	for _, it := range c.items {
		if it.usesOuterRef() {
			return true
		}
	}
	return false
}

// bindOuter returns e with its OuterRef conditions resolved against outer
// (a copy; e is shared by QuerySets and never changed).
func bindOuter(e expr, outer *Model) (expr, error) {
	switch x := e.(type) {
	case *condition:
		return bindOuter(*x, outer)
	case condition:
		if x.outer == "" {
			return x, nil
		}
		f, ok := outer.Field(string(x.outer))
		if !ok {
			return nil, &LookupError{Model: outer.Label(), Lookup: x.outer, Reason: fmt.Sprintf("OuterRef: no field %q (fields: %s)", x.outer, fieldNames(outer.Fields))}
		}
		if !refComparable(x.field, f) {
			return nil, &LookupError{Model: outer.Label(), Lookup: x.outer, Reason: fmt.Sprintf("OuterRef: %s (%s) cannot be compared with %s.%s (%s)", f.Name, f.Kind, x.field.model.Label(), x.field.Name, x.field.Kind)}
		}
		x.outerF = f
		return x, nil
	case group:
		items := make([]expr, len(x.items))
		for i, it := range x.items {
			r, err := bindOuter(it, outer)
			if err != nil {
				return nil, err
			}
			items[i] = r
		}
		return group{op: x.op, items: items}, nil
	case relCondition:
		r, err := bindOuter(x.cond, outer)
		if err != nil {
			return nil, err
		}
		x.cond = r
		return x, nil
	}
	return e, nil
}

// refComparable reports whether inner and outer fields hold the same kind of
// value (a foreign key compares with its target's key type).
func refComparable(inner, outer *Field) bool {
	kind := func(f *Field) reflect.Kind {
		if f.Kind == KindForeignKey {
			return f.relKey.Kind()
		}
		if f.Kind == KindInt {
			return reflect.Int64
		}
		if f.Kind == KindString || f.Kind == KindText {
			return reflect.String
		}
		return reflect.Invalid
	}
	if k := kind(inner); k != reflect.Invalid {
		return k == kind(outer)
	}
	return inner.Kind == outer.Kind
}

// renderOuter writes the outer query's column for a bound OuterRef.
func (c condition) renderOuter(b *builder) {
	if c.outerF == nil {
		b.fail(fmt.Errorf("orm: OuterRef(%q) outside a subquery", c.outer))
		b.sql.WriteString("NULL")
		return
	}
	table := b.db.q(c.outerF.model).table
	if len(b.scope) >= 2 {
		table = b.scope[len(b.scope)-2]
	}
	b.sql.WriteString(table + "." + b.db.q(c.outerF.model).columns[c.outerF.pos])
}

// existsExpr is EXISTS (subquery), from Exists.
type existsExpr struct {
	sub   Subquery
	outer *Model
}

func (e existsExpr) render(b *builder) {
	b.sql.WriteString("EXISTS (")
	e.sub.renderSub(b, nil, e.outer)
	b.sql.WriteString(")")
}

// Exists is a condition for Where that holds when the subquery has rows;
// with OuterRef it is correlated with the enclosing row, and Not(Exists(…))
// is NOT EXISTS:
//
//	orm.From[Question](db).Where(orm.Exists(orm.From[Choice](db).Filter("question", orm.OuterRef("id"))))
func Exists(sub Subquery) Cond { return Cond{op: "EXISTS", sub: sub} }

// checkSub verifies that a subquery may be embedded in a query on m.
func checkSub(m *Model, s Subquery) error {
	if s == nil || reflect.ValueOf(s).IsNil() {
		return &LookupError{Model: m.Label(), Lookup: "Exists", Reason: "the subquery is nil"}
	}
	return s.subErr()
}
