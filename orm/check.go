package orm

import (
	"fmt"
	"strings"
)

// Check is a named CHECK constraint over a model's own fields, declared in
// Meta.Checks, like Django's CheckConstraint:
//
//	func (Product) Meta() orm.Meta {
//		return orm.Meta{Checks: []orm.Check{
//			{Name: "shop_product_price_positive", Cond: orm.Q("Price__gt", orm.MustDecimal("0"))},
//		}}
//	}
//
// The condition is written with Q, And, Or and Not, as for Where, on the
// model's own fields (no relations, JSON paths or regex); its values are
// rendered as SQL literals by Literal, so only typed values reach the DDL.
// A write that violates it fails with an *IntegrityError of kind
// IntegrityCheck whose Constraint is Name, on every database.
type Check struct {
	// Name is the constraint name: lowercase letters, digits and _, at most
	// 63 characters, unique in the database (prefix it with the table).
	Name string
	// Cond is the condition every row must satisfy.
	Cond Cond
}

// isZero reports whether c is the zero Cond (no condition).
func (c Cond) isZero() bool {
	return c.lookup == "" && c.op == "" && c.items == nil && c.value == nil
}

// checkChecks validates Meta.Checks at registration.
func (m *Model) checkChecks() error {
	seen := map[string]bool{}
	for i, c := range m.Meta.Checks {
		if !identRE.MatchString(c.Name) || len(c.Name) > maxIdentLen {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Checks[%d]: name %q: want lowercase letters, digits and _ (at most %d)", i, c.Name, maxIdentLen)}
		}
		if seen[c.Name] {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Checks: name %q is used twice", c.Name)}
		}
		seen[c.Name] = true
		if c.Cond.isZero() {
			return &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Checks %s: no condition", c.Name)}
		}
		if err := checkCondition(m, "Meta.Checks "+c.Name, c.Cond); err != nil {
			return err
		}
	}
	return nil
}

// checkCondition resolves c against m's own fields and refuses what a
// CHECK constraint or an index predicate cannot hold.
func checkCondition(m *Model, where string, c Cond) error {
	e, err := c.resolve(m)
	if err != nil {
		return &ModelError{Model: m.Label(), Reason: where + ": " + err.Error()}
	}
	if reason := ddlSafe(e); reason != "" {
		return &ModelError{Model: m.Label(), Reason: where + ": " + reason}
	}
	return nil
}

// ddlSafe returns why e cannot be rendered in DDL, or "".
func ddlSafe(e expr) string {
	switch x := e.(type) {
	case condition:
		switch {
		case x.lookup == "regex" || x.lookup == "iregex":
			return "regex lookups cannot be used in a constraint"
		case x.rhs != nil:
			return ""
		}
		for _, v := range append([]any{x.value}, x.values...) {
			if v == nil {
				continue
			}
			if _, err := Literal(v); err != nil {
				if _, dec := v.(decimalArg); !dec {
					return fmt.Sprintf("%s: %v", x.field.Name, err)
				}
			}
		}
		return ""
	case *condition:
		return ddlSafe(*x)
	case group:
		for _, it := range x.items {
			if r := ddlSafe(it); r != "" {
				return r
			}
		}
		return ""
	}
	return fmt.Sprintf("only conditions on the model's own fields can be used in a constraint, not %T", e)
}

// inlineCondition renders c for DDL in dialect d, with literals instead of
// bound parameters.
func inlineCondition(d Dialect, m *Model, c Cond) (string, error) {
	e, err := c.resolve(m)
	if err != nil {
		return "", err
	}
	if reason := ddlSafe(e); reason != "" {
		return "", fmt.Errorf("%s", reason)
	}
	b := newBuilder(&DB{dialect: d})
	b.inline = true
	e.render(b)
	if b.err != nil {
		return "", b.err
	}
	if len(b.args) > 0 {
		return "", fmt.Errorf("the condition needs bound parameters, which DDL cannot take")
	}
	return b.sql.String(), nil
}

// lowerTerm recognises the index term "Lower(Field)".
func lowerTerm(name string) (string, bool) {
	inner, ok := strings.CutPrefix(name, "Lower(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", false
	}
	return strings.TrimSuffix(inner, ")"), true
}

// indexTerms returns an index's columns (for its derived name) and its
// rendered terms: quoted columns, or LOWER(column) for "Lower(Field)".
func indexTerms(d Dialect, m *Model, names []string) (columns, terms []string) {
	for _, n := range names {
		if inner, ok := lowerTerm(n); ok {
			f := m.byName[inner]
			columns = append(columns, "lower_"+f.Column)
			terms = append(terms, "LOWER("+d.QuoteIdent(f.Column)+")")
			continue
		}
		f := m.byName[n]
		columns = append(columns, f.Column)
		terms = append(terms, d.QuoteIdent(f.Column))
	}
	return columns, terms
}
