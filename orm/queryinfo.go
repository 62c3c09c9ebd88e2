package orm

import "strings"

// Model returns the metadata of the model the query reads, or nil when T is
// not registered (Err says why). Packages that build on QuerySets
// (pagination, forms, the admin) read fields and the primary key from it.
func (q *QuerySet[T]) Model() *Model { return q.model }

// Ordering returns the query's ordering in the form OrderBy takes: Go field
// names, "__" across foreign keys, annotation aliases, "-" for descending.
// Without an OrderBy it is the model's Meta.Ordering; nil means unordered.
// q.OrderBy(q.Ordering()...) orders the same way.
func (q *QuerySet[T]) Ordering() []string {
	if len(q.order) == 0 {
		return nil
	}
	out := make([]string, len(q.order))
	for i, o := range q.order {
		var b strings.Builder
		if o.desc {
			b.WriteByte('-')
		}
		if o.annot != nil {
			b.WriteString(o.annot.alias)
		} else {
			for _, hop := range o.hops {
				b.WriteString(hop.Name)
				b.WriteString("__")
			}
			b.WriteString(o.field.Name)
		}
		out[i] = b.String()
	}
	return out
}
