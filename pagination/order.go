package pagination

import (
	"fmt"
	"strings"

	"github.com/anode-go/anode/orm"
)

// term is one field of a stable ordering.
type term struct {
	name  string     // as OrderBy takes it, without "-"
	desc  bool       // descending
	field *orm.Field // the model's own field; nil across relations or for an annotation
}

// stableOrder returns qs ordered by its ordering and then the primary key,
// unless the ordering already ends in a unique, non-null field of the model,
// with the terms of that ordering.
func stableOrder[T any](qs *orm.QuerySet[T]) (*orm.QuerySet[T], []term, error) {
	if err := qs.Err(); err != nil {
		return nil, nil, err
	}
	m := qs.Model()
	var terms []term
	for _, o := range qs.Ordering() {
		t := term{name: strings.TrimPrefix(o, "-"), desc: strings.HasPrefix(o, "-")}
		if f, ok := m.Field(t.name); ok && !strings.Contains(t.name, "__") {
			t.field = f
		}
		terms = append(terms, t)
	}
	if n := len(terms); n > 0 && unique(terms[n-1].field) {
		return qs, terms, nil
	}
	desc := len(terms) > 0 && terms[len(terms)-1].desc
	terms = append(terms, term{name: m.PK.Name, desc: desc, field: m.PK})
	names := make([]string, len(terms))
	for i, t := range terms {
		names[i] = t.orderBy(false)
	}
	qs = qs.OrderBy(names...)
	if err := qs.Err(); err != nil {
		return nil, nil, fmt.Errorf("pagination: ordering %s by %s: %w", m.Label(), strings.Join(names, ", "), err)
	}
	return qs, terms, nil
}

// unique reports whether no two rows share a value of f.
func unique(f *orm.Field) bool {
	return f != nil && (f.PrimaryKey || f.Unique && !f.Null)
}

// orderBy returns the term as OrderBy takes it, reversed if asked.
func (t term) orderBy(reverse bool) string {
	if t.desc != reverse {
		return "-" + t.name
	}
	return t.name
}
