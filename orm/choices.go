package orm

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// RowChoice is one row of a model offered as a choice (a form's select of
// related objects): the row's primary key and a label for people.
type RowChoice struct {
	Key   any
	Label string
}

// RowChoices returns up to max rows of m as choices, in m's default
// ordering (by primary key without one). A row's label is its String
// method's result when the model implements fmt.Stringer on its value,
// else its key. more reports that m has more than max rows; the choices
// are then the first max. It is for callers that hold a *Model rather than
// a Go type (forms, the admin); with the type at hand, query it.
func RowChoices(ctx context.Context, db *DB, m *Model, max int) (choices []RowChoice, more bool, err error) {
	q := &QuerySet[struct{}]{db: db, model: m, limit: max + 1, queryOpts: &queryOpts{}}
	for _, o := range m.Meta.Ordering {
		f, _ := m.Field(strings.TrimPrefix(o, "-"))
		q.order = append(q.order, orderTerm{field: f, desc: strings.HasPrefix(o, "-")})
	}
	if len(q.order) == 0 {
		q.order = []orderTerm{{field: m.PK}}
	}
	b := q.selectSQL()
	rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return nil, false, fmt.Errorf("orm: choices of %s: %w", m.Label(), err)
	}
	defer rows.Close()
	dest := make([]any, len(m.Fields))
	obj := m.newObj()
	for i, f := range m.Fields {
		dest[i] = f.acc.dest(unsafe.Add(obj, f.acc.offset))
	}
	stringer := m.Type.Implements(reflect.TypeFor[fmt.Stringer]())
	for rows.Next() {
		if len(choices) == max {
			more = true
			break
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, false, fmt.Errorf("orm: choices of %s: %w", m.Label(), err)
		}
		c := RowChoice{Key: pkOf(m, obj)}
		if stringer {
			c.Label = reflect.NewAt(m.Type, obj).Elem().Interface().(fmt.Stringer).String()
		} else {
			c.Label = fmt.Sprint(c.Key)
		}
		choices = append(choices, c)
	}
	return choices, more, rows.Err()
}
