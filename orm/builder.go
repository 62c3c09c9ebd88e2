package orm

import "strings"

// builder accumulates SQL text and bound arguments.
type builder struct {
	d     Dialect
	db    *DB
	sql   strings.Builder
	args  []any
	scope []string // the quoted table or alias of each enclosing query, innermost last
	err   error    // the first error found while rendering (a pattern the dialect refuses)

	scope0 [2]string // scope's first levels, so rendering a query does not allocate them

	scaled bool // the dialect stores decimals as scaled integers
	inline bool // render values as SQL literals (DDL: CHECK, partial indexes)
}

// push enters a (sub)query whose rows are read from table (a quoted name or
// alias); pop leaves it.
func (b *builder) push(table string) { b.scope = append(b.scope, table) }
func (b *builder) pop()              { b.scope = b.scope[:len(b.scope)-1] }

// current is the quoted table or alias of the query being rendered, for
// qualified references from a correlated subquery; def when there is none.
func (b *builder) current(def string) string {
	if len(b.scope) == 0 {
		return def
	}
	return b.scope[len(b.scope)-1]
}

// fail records the first rendering error; the caller checks b.err before
// sending the SQL.
func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func newBuilder(db *DB) *builder {
	_, scaled := db.dialect.(ScaledDecimals)
	b := &builder{d: db.dialect, db: db, args: make([]any, 0, 4), scaled: scaled}
	b.scope = b.scope0[:0]
	b.sql.Grow(256)
	return b
}

// table writes m's quoted table name.
func (b *builder) table(m *Model) { b.sql.WriteString(b.db.q(m).table) }

// column writes f's quoted column name.
func (b *builder) column(f *Field) { b.sql.WriteString(b.db.q(f.model).columns[f.pos]) }

// columns writes the quoted columns of fs, fields of the model quoted in
// qm, separated by ", ": every column list is written by it.
func (b *builder) columns(qm *quotedModel, fs []*Field) {
	for i, f := range fs {
		if i > 0 {
			b.sql.WriteString(", ")
		}
		b.sql.WriteString(qm.columns[f.pos])
	}
}

// argList binds each of vs, separated by ", " (an IN list).
func (b *builder) argList(vs []any) {
	for i, v := range vs {
		if i > 0 {
			b.sql.WriteString(", ")
		}
		b.arg(v)
	}
}

func (b *builder) arg(v any) {
	if b.inline {
		lit, err := Literal(b.bindable(v))
		if err != nil {
			b.fail(err)
		}
		b.sql.WriteString(lit)
		return
	}
	b.args = append(b.args, b.bindable(v))
	b.sql.WriteString(b.d.Placeholder(len(b.args)))
}

// bindable turns a field value from an accessor into what the dialect
// binds: a decimal as text or, for a ScaledDecimals dialect, a scaled
// int64; a JSON value as its text. Other values pass unchanged.
func (b *builder) bindable(v any) any {
	switch x := v.(type) {
	case decimalArg:
		// Checked against the field's places and digits before a write or
		// in the lookup; should the check be missed, the text form still
		// binds rather than a rounded number.
		if bv, err := x.bind(b.scaled); err == nil {
			return bv
		}
		return x.d.String()
	case jsonArg:
		return x.text
	}
	return v
}
