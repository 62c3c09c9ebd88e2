package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// QuerySet is a lazy, immutable query over the rows of model T: every method
// that refines it returns a new QuerySet, so one can be kept and reused, and
// nothing runs until a method that takes a ctx. Errors found while building
// (an unknown field, a bad lookup, a value of the wrong type) are kept and
// returned by that method, before any SQL is sent.
type QuerySet[T any] struct {
	db     *DB
	model  *Model
	where  []expr
	order  []orderTerm
	limit  int
	offset int
	err    error

	// fresh marks the QuerySet From returns, pkGet a fresh one refined by a
	// single primary-key exact Filter, which Get runs as the model's
	// precomputed statement. clone clears both, so any other refinement
	// takes the general path.
	fresh, pkGet bool
	// cond0 and where0 hold the first plain condition inline, so a
	// one-Filter query allocates nothing but the QuerySet. where may point at
	// another QuerySet's where0: never written once the QuerySet is returned.
	cond0  condition
	where0 [1]expr

	defaultOrder bool // order is Meta.Ordering, not chosen by OrderBy

	// The options few queries use live apart, shared by a QuerySet and its
	// refinements until one changes them (own), so that the common
	// refinements copy a small QuerySet.
	*queryOpts
	owned bool // queryOpts is this QuerySet's own copy
}

// queryOpts are the QuerySet options that most queries leave unset.
type queryOpts struct {
	lock      string         // "", "FOR UPDATE", "FOR UPDATE NOWAIT", "FOR UPDATE SKIP LOCKED"
	prefetch  []*Field       // foreign keys to load after the main query
	joins     []join         // foreign keys SelectRelated loads in the same query
	many      []prefetchMany // reverse and many-to-many relations to load after it
	distinct  bool           // SELECT DISTINCT
	only      []*Field       // the fields to load, in model order (nil: all)
	onlyNamed []*Field       // the fields Only named, for a subquery's column
	annots    []*annotation  // Annotate, in order
	having    []expr         // conditions on aggregate annotations
	groupBy   []*Field       // GroupBy fields (nil: by primary key when aggregating)
	outerRefs bool           // uses OuterRef: runs only as a subquery
}

type orderTerm struct {
	field *Field
	annot *annotation // ordering by an annotation instead of a field
	desc  bool
	hops  []*Field // foreign keys followed to reach field ("question__pub_date")
}

// From starts a query over model T on db. T must be registered.
//
// QuerySets are immutable, so From returns the same unrefined one for T on
// every call after the first.
func From[T any](db *DB) *QuerySet[T] {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return &QuerySet[T]{db: db, err: err, limit: -1, queryOpts: &queryOpts{}}
	}
	qm := db.q(m)
	if q, ok := qm.base.Load().(*QuerySet[T]); ok {
		return q
	}
	q := &QuerySet[T]{db: db, model: m, limit: -1, fresh: true, defaultOrder: true, queryOpts: &queryOpts{}}
	for _, o := range m.Meta.Ordering {
		f, _ := m.Field(strings.TrimPrefix(o, "-"))
		q.order = append(q.order, orderTerm{field: f, desc: strings.HasPrefix(o, "-")})
	}
	qm.base.Store(q)
	return q
}

// clone returns a copy to refine. Every refining method starts with it.
func (q *QuerySet[T]) clone() *QuerySet[T] {
	c := *q
	// Share the slices, clipped: the first append in the clone copies, and
	// the original never sees it.
	c.where = slices.Clip(q.where)
	c.order = slices.Clip(q.order)
	c.fresh, c.pkGet, c.owned = false, false, false
	return &c
}

// own gives q, a QuerySet being refined, its own copy of the options, to
// change; the slices are shared, clipped, so appending copies them.
func (q *QuerySet[T]) own() *queryOpts {
	if !q.owned {
		o := *q.queryOpts
		o.prefetch = slices.Clip(o.prefetch)
		o.joins = slices.Clip(o.joins)
		o.many = slices.Clip(o.many)
		o.annots = slices.Clip(o.annots)
		o.having = slices.Clip(o.having)
		q.queryOpts, q.owned = &o, true
	}
	return q.queryOpts
}

// Filter keeps rows matching lookup ("votes__gt", "pub_date__lte", "text":
// a field name, Go or column, and an optional "__" lookup; exact by default)
// against value. Several Filters are ANDed.
func (q *QuerySet[T]) Filter(lookup string, value any) *QuerySet[T] {
	return q.addCondition(lookup, value, false)
}

// Exclude drops rows matching lookup against value (NOT).
func (q *QuerySet[T]) Exclude(lookup string, value any) *QuerySet[T] {
	return q.addCondition(lookup, value, true)
}

func (q *QuerySet[T]) addCondition(lookup string, value any, not bool) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	if a := c.annotation(lookup); a != nil {
		cond, err := a.condition(c.model, lookup, value)
		if err != nil {
			c.err = err
			return c
		}
		if not {
			cond = group{op: "NOT", items: []expr{cond}}
		}
		if a.rel == nil {
			c.own().having = append(c.having, cond)
		} else {
			c.where = append(c.where, cond)
		}
		return c
	}
	var rel expr
	plain, ok := pkCondition(c.model, lookup, value)
	if !ok {
		var err error
		if rel, plain, err = lookupExpr(c.model, lookup, value); err != nil {
			c.err = err
			return c
		}
	}
	if usesOuterRef(value) {
		c.own().outerRefs = true
	}
	var cond expr = rel
	if rel == nil {
		if len(c.where) == 0 {
			c.cond0 = plain
			cond = &c.cond0
		} else {
			cond = plain
		}
		c.pkGet = q.fresh && !not && plain.isPKExact()
	}
	if not {
		cond = group{op: "NOT", items: []expr{cond}}
	}
	if len(c.where) == 0 {
		c.where0[0] = cond
		c.where = c.where0[:1:1]
	} else {
		c.where = append(c.where, cond)
	}
	return c
}

// Where keeps rows matching every condition; conditions combine with And,
// Or and Not, and may name annotations (a condition testing an aggregate of
// the query's own rows becomes HAVING as a whole).
func (q *QuerySet[T]) Where(conds ...Cond) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	for _, cond := range conds {
		e, having, err := cond.resolveWith(c.model, c.annots)
		if err != nil {
			c.err = err
			return c
		}
		if cond.usesOuterRef() {
			c.own().outerRefs = true
		}
		if having {
			c.own().having = append(c.having, e)
			continue
		}
		c.where = append(c.where, e)
	}
	return c
}

// Update sets fields on every matching row in one statement and returns how
// many rows it changed. Values may be F expressions, which the database
// evaluates per row, so Set("votes", F("votes").Add(1)) never loses a vote
// to a concurrent update. (Limit, Offset and ordering do not apply.)
func (q *QuerySet[T]) Update(ctx context.Context, sets ...Assignment) (int64, error) {
	if err := q.runErr(); err != nil {
		return 0, err
	}
	if len(sets) == 0 {
		return 0, fmt.Errorf("orm: %s: Update needs at least one Set", q.model.Label())
	}
	if len(q.having) > 0 || q.groupBy != nil {
		return 0, fmt.Errorf("orm: %s: Update cannot apply to groups or filter on an aggregate annotation", q.model.Label())
	}
	b := q.builder()
	b.sql.WriteString("UPDATE ")
	b.table(q.model)
	b.sql.WriteString(" SET ")
	for i, s := range sets {
		f, ok := q.model.Field(s.field)
		if !ok {
			return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: "Update: no such field (fields: " + strings.Join(q.model.FieldNames(), ", ") + ")"}
		}
		if f.PrimaryKey {
			return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: "Update: the primary key cannot be updated"}
		}
		if i > 0 {
			b.sql.WriteString(", ")
		}
		b.column(f)
		b.sql.WriteString(" = ")
		value := s.value
		if nv, ok := value.(nullField); ok { // Set(field, orm.Null[T]{…}): V, or NULL
			if inner, valid := nv.nullValue(); valid {
				value = inner
			} else {
				value = nil
			}
		}
		switch v := value.(type) {
		case Expr:
			r, rf, err := v.resolve(q.model)
			if err == nil {
				err = decimalsMatch(f, rf)
			}
			if err != nil {
				return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: err.Error()}
			}
			r.render(b)
		case nil:
			if !f.Null {
				return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: "Update: " + f.Name + " cannot be NULL"}
			}
			b.arg(nil)
		default:
			if f.Kind == KindJSON {
				v = bindForm(v)
				if ja, ok := v.(jsonArg); ok {
					if err := f.checkValue(ja); err != nil {
						return 0, err
					}
					b.arg(ja)
					break
				}
				return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: fmt.Sprintf("Update: %s is a json field; set it to an orm.JSON value, not %T", f.Name, v)}
			}
			bv, err := bindable(f, v)
			if err != nil {
				return 0, &LookupError{Model: q.model.Label(), Lookup: s.field, Reason: err.Error()}
			}
			if err := f.checkValue(bv); err != nil {
				return 0, err
			}
			b.arg(bv)
		}
	}
	q.renderWhere(b)
	if b.err != nil {
		return 0, b.err
	}
	return q.db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
}

// OrderBy replaces the ordering: field names, "-" for descending.
func (q *QuerySet[T]) OrderBy(fields ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	c.order = nil
	c.defaultOrder = false
	for _, name := range fields {
		if a := c.annotation(strings.TrimPrefix(name, "-")); a != nil {
			c.order = append(c.order, orderTerm{annot: a, desc: strings.HasPrefix(name, "-")})
			continue
		}
		term, err := orderPath(c.model, name)
		if err != nil {
			c.err = err
			return c
		}
		c.order = append(c.order, term)
	}
	return c
}

// orderPath resolves "-question__pub_date": foreign keys to follow, then a
// field of the last model.
func orderPath(m *Model, name string) (orderTerm, error) {
	term := orderTerm{desc: strings.HasPrefix(name, "-")}
	parts := strings.Split(strings.TrimPrefix(name, "-"), "__")
	cur := m
	for i, part := range parts {
		f, ok := cur.Field(part)
		if !ok {
			return term, &LookupError{Model: m.Label(), Lookup: name, Reason: fmt.Sprintf("OrderBy: %s has no field %q (fields: %s)", cur.Label(), part, strings.Join(cur.FieldNames(), ", "))}
		}
		if i == len(parts)-1 {
			term.field = f
			return term, nil
		}
		if f.Kind != KindForeignKey || f.Related == nil {
			return term, &LookupError{Model: m.Label(), Lookup: name, Reason: fmt.Sprintf("OrderBy: %s is not a foreign key, so %q cannot follow it", f.Name, parts[i+1])}
		}
		term.hops = append(term.hops, f)
		cur = f.Related
	}
	return term, nil
}

// render writes the ordering expression: the column, or for a path through
// foreign keys a correlated subquery, one aliased level per hop (so a
// self-reference such as parent__name stays unambiguous).
func (o orderTerm) render(b *builder) {
	if o.annot != nil {
		b.sql.WriteString(b.d.QuoteIdent(o.annot.alias))
		return
	}
	if len(o.hops) == 0 {
		b.column(o.field)
		return
	}
	// (SELECT (SELECT a2.col FROM t2 AS a2 WHERE a2.pk = a1.fk2) FROM t1 AS a1 WHERE a1.pk = outer.fk1)
	outer := b.current(b.db.q(o.hops[0].model).table)
	closings := make([]string, len(o.hops))
	for i, fk := range o.hops {
		alias := b.d.QuoteIdent("anode_o" + strconv.Itoa(i+1))
		target := b.db.q(fk.Related)
		b.sql.WriteString("(SELECT ")
		closings[i] = " FROM " + target.table + " AS " + alias + " WHERE " + alias + "." + target.columns[fk.Related.PK.pos] +
			" = " + outer + "." + b.db.q(fk.model).columns[fk.pos] + ")"
		outer = alias
	}
	b.sql.WriteString(outer + "." + b.db.q(o.field.model).columns[o.field.pos])
	for i := len(closings) - 1; i >= 0; i-- {
		b.sql.WriteString(closings[i])
	}
}

// Limit returns at most n rows.
func (q *QuerySet[T]) Limit(n int) *QuerySet[T] {
	c := q.clone()
	if n < 0 && c.err == nil {
		c.err = fmt.Errorf("orm: Limit(%d): want 0 or more", n)
	}
	c.limit = n
	return c
}

// Offset skips the first n rows.
func (q *QuerySet[T]) Offset(n int) *QuerySet[T] {
	c := q.clone()
	if n < 0 && c.err == nil {
		c.err = fmt.Errorf("orm: Offset(%d): want 0 or more", n)
	}
	c.offset = n
	return c
}

// LockMode picks how SelectForUpdate waits for rows another transaction has
// locked.
type LockMode uint8

// Lock modes.
const (
	LockWait       LockMode = iota // wait for the other transaction
	LockNoWait                     // fail at once
	LockSkipLocked                 // leave locked rows out (job queues)
)

// SelectForUpdate locks the selected rows until the transaction ends, like
// Django's select_for_update. It must run inside Atomic. On PostgreSQL it is
// SELECT … FOR UPDATE (NOWAIT / SKIP LOCKED by mode); on SQLite the
// transaction already holds the database's single write lock (BEGIN
// IMMEDIATE), so no other writer can change the rows and the clause is left
// out.
func (q *QuerySet[T]) SelectForUpdate(mode LockMode) *QuerySet[T] {
	c := q.clone()
	if mode > LockSkipLocked {
		if c.err == nil {
			c.err = fmt.Errorf("orm: SelectForUpdate(%d): want LockWait, LockNoWait or LockSkipLocked", mode)
		}
		return c
	}
	c.own().lock = [...]string{"FOR UPDATE", "FOR UPDATE NOWAIT", "FOR UPDATE SKIP LOCKED"}[mode]
	return c
}

// Err returns the first error found while building the query, if any.
func (q *QuerySet[T]) Err() error { return q.err }

// All runs the query and returns every matching row.
func (q *QuerySet[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	if err := q.each(ctx, func(row *T) { out = append(out, *row) }); err != nil {
		return nil, err
	}
	if len(q.prefetch) > 0 || len(q.many) > 0 {
		if err := q.prefetchInto(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Iterate streams the matching rows one at a time, in constant memory, for
// use with range:
//
//	for q, err := range orm.From[Question](db).Iterate(ctx) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// The row value is reused between iterations' scans only after the loop body
// returns, so keeping a copy of it is safe. Stopping the loop early closes
// the rows.
func (q *QuerySet[T]) Iterate(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		stop := errors.New("stop")
		err := q.eachErr(ctx, func(row *T) error {
			if !yield(*row, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			var zero T
			yield(zero, err)
		}
	}
}

// First returns the first row in the query's order (by primary key when it
// has none), or ErrNotFound.
func (q *QuerySet[T]) First(ctx context.Context) (T, error) {
	c := q
	if len(c.order) == 0 && c.err == nil {
		c = q.clone()
		c.order = []orderTerm{{field: c.model.PK}}
	}
	return c.firstRow(ctx)
}

// Last returns the last row in the query's order — the first of the
// reversed order, by primary key descending when the query has none — or
// ErrNotFound.
func (q *QuerySet[T]) Last(ctx context.Context) (T, error) {
	c := q.clone()
	if c.err == nil && (c.limit >= 0 || c.offset > 0) {
		c.err = fmt.Errorf("orm: %s: Last cannot reverse a query with Limit or Offset", c.model.Label())
	}
	if c.err == nil {
		if len(c.order) == 0 {
			c.order = []orderTerm{{field: c.model.PK, desc: true}}
		} else {
			rev := make([]orderTerm, len(c.order))
			for i, o := range c.order {
				o.desc = !o.desc
				rev[i] = o
			}
			c.order = rev
		}
	}
	return c.firstRow(ctx)
}

func (q *QuerySet[T]) firstRow(ctx context.Context) (T, error) {
	rows, err := q.Limit(1).All(ctx)
	if err != nil || len(rows) == 0 {
		var zero T
		if err == nil {
			err = fmt.Errorf("orm: %s: %w", q.model.Label(), ErrNotFound)
		}
		return zero, err
	}
	return rows[0], nil
}

// Get returns the one row matching the query: ErrNotFound when there is none,
// ErrMultipleObjects when there are several.
func (q *QuerySet[T]) Get(ctx context.Context) (T, error) {
	if q.pkGet {
		return q.getByPK(ctx)
	}
	var zero T
	c := *q // a shallow copy suffices: only the limit changes
	c.limit = 2
	rows, err := c.All(ctx)
	switch {
	case err != nil:
		return zero, err
	case len(rows) == 0:
		return zero, fmt.Errorf("orm: %s: %w", q.model.Label(), ErrNotFound)
	case len(rows) > 1:
		return zero, fmt.Errorf("orm: %s: %w", q.model.Label(), ErrMultipleObjects)
	}
	return rows[0], nil
}

// Count returns the number of matching rows.
func (q *QuerySet[T]) Count(ctx context.Context) (int64, error) {
	if err := q.runErr(); err != nil {
		return 0, err
	}
	b := q.builder()
	if q.grouped() {
		// Count the groups (or distinct rows): the query as a derived table.
		b.sql.WriteString("SELECT COUNT(*) FROM (")
		q.renderSelect(b, q.loadFields(), false)
		b.sql.WriteString(") AS ")
		b.sql.WriteString(b.d.QuoteIdent("anode_count"))
	} else {
		b.sql.WriteString("SELECT COUNT(*) FROM ")
		b.table(q.model)
		q.renderWhere(b)
	}
	var n int64
	err := q.scalar(ctx, b, &n)
	return n, err
}

// Exists reports whether any row matches.
func (q *QuerySet[T]) Exists(ctx context.Context) (bool, error) {
	n, err := q.Limit(1).countLimited(ctx)
	return n > 0, err
}

// countLimited counts at most limit rows (for Exists).
func (q *QuerySet[T]) countLimited(ctx context.Context) (int64, error) {
	if err := q.runErr(); err != nil {
		return 0, err
	}
	b := q.builder()
	if q.grouped() {
		b.sql.WriteString("SELECT COUNT(*) FROM (")
		q.renderSelect(b, q.loadFields(), false)
		b.sql.WriteString(") AS sub")
	} else {
		b.sql.WriteString("SELECT COUNT(*) FROM (SELECT 1 FROM ")
		b.table(q.model)
		q.renderWhere(b)
		q.renderLimit(b)
		b.sql.WriteString(") AS sub")
	}
	var n int64
	err := q.scalar(ctx, b, &n)
	return n, err
}

// Delete deletes every matching row and returns how many it deleted.
// (Limit and Offset do not apply.) When protect or restrict foreign keys
// refer to the rows, it checks them first and returns a *ProtectedError,
// deleting nothing, if they refuse.
func (q *QuerySet[T]) Delete(ctx context.Context) (int64, error) {
	if err := q.runErr(); err != nil {
		return 0, err
	}
	if len(q.having) > 0 || q.groupBy != nil {
		return 0, fmt.Errorf("orm: %s: Delete cannot apply to groups or filter on an aggregate annotation", q.model.Label())
	}
	b := q.builder()
	b.sql.WriteString("DELETE FROM ")
	b.table(q.model)
	q.renderWhere(b)
	if b.err != nil {
		return 0, b.err
	}
	exec := func(ctx context.Context) (int64, error) { return q.db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...) }
	if q.model.deleteCheck { // protect/restrict references: check first (ondelete.go)
		return deleteChecked(ctx, q.db, q.model, q.deleteKeys, exec)
	}
	return exec(ctx)
}

// SQL returns the SELECT the query would run and its arguments, for logs and
// tests.
func (q *QuerySet[T]) SQL() (string, []any, error) {
	if err := q.runErr(); err != nil {
		return "", nil, err
	}
	b := q.selectSQL()
	if b.err != nil {
		return "", nil, b.err
	}
	return b.sql.String(), b.args, nil
}

// runErr is the error that stops the query from running on its own: a build
// error, or an OuterRef, which only a subquery can resolve.
func (q *QuerySet[T]) runErr() error {
	if q.err != nil {
		return q.err
	}
	if q.outerRefs {
		return fmt.Errorf("orm: %s: the query uses OuterRef, so it runs only as a subquery (in Exists or an __in lookup)", q.model.Label())
	}
	return nil
}

func (q *QuerySet[T]) each(ctx context.Context, fn func(*T)) error {
	return q.eachErr(ctx, func(row *T) error { fn(row); return nil })
}

func (q *QuerySet[T]) eachErr(ctx context.Context, fn func(*T) error) error {
	if err := q.runErr(); err != nil {
		return err
	}
	if q.groupBy != nil {
		return fmt.Errorf("orm: %s: a GroupBy query returns groups, not %s rows: read it with orm.Values", q.model.Label(), q.model.Name)
	}
	if len(q.joins) > 0 && (q.only != nil || len(q.annots) > 0) {
		return fmt.Errorf("orm: %s: SelectRelated cannot be combined with Only, Defer or Annotate yet: use PrefetchRelated", q.model.Label())
	}
	if q.lock != "" {
		if _, inTx := ctx.Value(txKey{q.db}).(*txState); !inTx {
			return fmt.Errorf("orm: %s: SelectForUpdate outside Atomic: the lock would end with the statement", q.model.Label())
		}
	}
	b := q.selectSQL()
	if b.err != nil {
		return b.err
	}
	rows, err := q.db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if q.only != nil || len(q.annots) > 0 {
		return q.eachPartial(rows, fn)
	}
	if len(q.joins) > 0 {
		return q.eachJoined(rows, fn) // selectrelated.go
	}
	buf := getScanBuf[T](q.db, q.model)
	defer buf.put()
	for rows.Next() {
		if err := buf.scan(rows); err != nil {
			return fmt.Errorf("orm: scanning %s: %w", q.model.Label(), err)
		}
		if err := fn(&buf.row); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (q *QuerySet[T]) scalar(ctx context.Context, b *builder, dst any) error {
	rows, err := q.db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("orm: %s: no result row", q.model.Label())
	}
	if err := rows.Scan(dst); err != nil {
		return err
	}
	return rows.Err()
}

func (q *QuerySet[T]) builder() *builder { return newBuilder(q.db) }

func (q *QuerySet[T]) selectSQL() *builder {
	b := q.builder()
	q.renderSelect(b, q.loadFields(), true)
	return b
}

func (q *QuerySet[T]) renderWhere(b *builder) {
	for i, c := range q.where {
		if i == 0 {
			b.sql.WriteString(" WHERE ")
		} else {
			b.sql.WriteString(" AND ")
		}
		c.render(b)
	}
}

func (q *QuerySet[T]) renderLimit(b *builder) {
	if q.limit >= 0 {
		b.sql.WriteString(" LIMIT ")
		b.sql.WriteString(strconv.Itoa(q.limit))
	}
	if q.offset > 0 {
		if q.limit < 0 && b.d.Name() == "sqlite" {
			b.sql.WriteString(" LIMIT -1") // SQLite takes OFFSET only after a LIMIT
		}
		b.sql.WriteString(" OFFSET ")
		b.sql.WriteString(strconv.Itoa(q.offset))
	}
}
