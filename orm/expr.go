package orm

import (
	"fmt"
	"strings"
)

// Expr is a column expression evaluated by the database, like Django's F:
// F("votes").Add(1) renders "votes" + 1, so an update based on it is atomic
// (no read-modify-write race). Use it as a value in Filter (field-to-field
// comparisons) and in Set.
type Expr struct {
	field string // F(field)
	op    string // "", "+", "-", "*", "/"
	left  *Expr
	right any // a value or an Expr
}

// F refers to a field of the model being queried.
func F(field string) Expr { return Expr{field: field} }

// Add returns e + v (v a value or an Expr).
func (e Expr) Add(v any) Expr { return e.arith("+", v) }

// Sub returns e - v.
func (e Expr) Sub(v any) Expr { return e.arith("-", v) }

// Mul returns e * v.
func (e Expr) Mul(v any) Expr { return e.arith("*", v) }

// Div returns e / v.
func (e Expr) Div(v any) Expr { return e.arith("/", v) }

func (e Expr) arith(op string, v any) Expr {
	l := e
	return Expr{op: op, left: &l, right: v}
}

// resolved is an Expr checked against a model, ready to render.
type resolved struct {
	field *Field
	op    string
	left  *resolved
	value any       // a bound value
	right *resolved // or an expression
}

// resolve checks e's fields against m and, for arithmetic, that the fields
// are numeric; the kind of the result is that of its first field.
func (e Expr) resolve(m *Model) (*resolved, *Field, error) {
	if e.op == "" {
		f, ok := m.Field(e.field)
		if !ok {
			return nil, nil, fmt.Errorf("F(%q): no such field (fields: %s)", e.field, strings.Join(m.FieldNames(), ", "))
		}
		return &resolved{field: f}, f, nil
	}
	left, f, err := e.left.resolve(m)
	if err != nil {
		return nil, nil, err
	}
	if f.Kind == KindDecimal && e.op != "+" && e.op != "-" {
		// SQLite stores decimals scaled by 10^places: only sums and
		// differences at the same places stay exact there.
		return nil, nil, fmt.Errorf("%s %s …: decimal fields support Add and Sub in the database; multiply in Go with Decimal.Mul", f.Name, e.op)
	}
	if f.Kind != KindInt && f.Kind != KindFloat && f.Kind != KindDuration && f.Kind != KindDecimal {
		return nil, nil, fmt.Errorf("%s %s …: arithmetic needs a number field, and %s is %s", f.Name, e.op, f.Name, f.Kind)
	}
	r := &resolved{op: e.op, left: left}
	if ex, ok := e.right.(Expr); ok {
		rr, rf, err := ex.resolve(m)
		if err != nil {
			return nil, nil, err
		}
		if (f.Kind == KindDecimal || rf.Kind == KindDecimal) && (rf.Kind != f.Kind || rf.Places != f.Places) {
			return nil, nil, fmt.Errorf("%s %s %s: decimal arithmetic needs decimal fields with the same places", f.Name, e.op, rf.Name)
		}
		r.right = rr
		return r, f, nil
	}
	v, err := bindable(f, e.right)
	if err != nil {
		return nil, nil, err
	}
	r.value = v
	return r, f, nil
}

func (r *resolved) render(b *builder) {
	if r.op == "" {
		b.column(r.field)
		return
	}
	b.sql.WriteString("(")
	r.left.render(b)
	b.sql.WriteString(" " + r.op + " ")
	if r.right != nil {
		r.right.render(b)
	} else {
		b.arg(r.value)
	}
	b.sql.WriteString(")")
}

// Cond is a condition for QuerySet.Where, combinable like Django's Q objects:
//
//	q.Where(orm.Or(orm.Q("votes__gt", 10), orm.Not(orm.Q("closed__isnull", true))))
type Cond struct {
	lookup string
	value  any
	op     string // "", "AND", "OR", "NOT", "EXISTS"
	items  []Cond
	sub    Subquery // EXISTS
}

// Q is one lookup condition, the same as Filter's arguments.
func Q(lookup string, value any) Cond { return Cond{lookup: lookup, value: value} }

// And is true when every condition is.
func And(conds ...Cond) Cond { return Cond{op: "AND", items: conds} }

// Or is true when any condition is.
func Or(conds ...Cond) Cond { return Cond{op: "OR", items: conds} }

// Not negates a condition.
func Not(c Cond) Cond { return Cond{op: "NOT", items: []Cond{c}} }

// expr is a rendered boolean expression.
type expr interface{ render(b *builder) }

type group struct {
	op    string
	items []expr
}

func (g group) render(b *builder) {
	switch {
	case g.op == "NOT":
		b.sql.WriteString("NOT (")
		g.items[0].render(b)
		b.sql.WriteString(")")
	case len(g.items) == 0 && g.op == "OR":
		b.sql.WriteString("1 = 0")
	case len(g.items) == 0:
		b.sql.WriteString("1 = 1")
	default:
		b.sql.WriteString("(")
		for i, it := range g.items {
			if i > 0 {
				b.sql.WriteString(" " + g.op + " ")
			}
			it.render(b)
		}
		b.sql.WriteString(")")
	}
}

func (c Cond) resolve(m *Model) (expr, error) {
	e, _, err := c.resolveWith(m, nil)
	return e, err
}

// resolveWith resolves c against m and the query's annotations, and reports
// whether it tests an aggregate of the query's own rows (so it belongs in
// HAVING).
func (c Cond) resolveWith(m *Model, annots []*annotation) (expr, bool, error) {
	if c.op == "" {
		name, _, _ := strings.Cut(c.lookup, "__")
		for _, a := range annots {
			if a.alias == name {
				e, err := a.condition(m, c.lookup, c.value)
				return e, a.rel == nil, err
			}
		}
		e, err := newLookup(m, c.lookup, c.value)
		return e, false, err
	}
	if c.op == "EXISTS" {
		if err := checkSub(m, c.sub); err != nil {
			return nil, false, err
		}
		return existsExpr{sub: c.sub, outer: m}, false, nil
	}
	g := group{op: c.op}
	having := false
	for _, it := range c.items {
		e, h, err := it.resolveWith(m, annots)
		if err != nil {
			return nil, false, err
		}
		having = having || h
		g.items = append(g.items, e)
	}
	return g, having, nil
}

// Assignment is one column update for QuerySet.Update, built with Set.
type Assignment struct {
	field string
	value any // a value or an Expr
}

// Set assigns value (a value, or an Expr such as F("votes").Add(1)) to field.
func Set(field string, value any) Assignment { return Assignment{field: field, value: value} }
