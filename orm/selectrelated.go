package orm

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// join is one foreign key SelectRelated follows: its target's columns come
// from a subquery aliased "anode_s<n>" whose columns are renamed
// "anode_s<n>_<i>", so no name in the outer query is ambiguous — the
// filters and ordering of the QuerySet keep naming the base table's columns
// unqualified — and a model joined to itself (parent) is just another alias.
type join struct {
	path   string
	fk     *Field
	parent int  // index of the join whose object holds fk; -1: the base row
	left   bool // LEFT JOIN: fk or one before it may be NULL
}

// SelectRelated loads the objects the named foreign keys refer to in the
// same query, with JOINs, like Django's select_related: each row's Ref then
// returns its object from Loaded (and Get) without another query. Paths
// follow foreign keys with "__" ("question", "question__author"); a
// nullable key is a LEFT JOIN, so rows whose key is NULL are kept with
// nothing loaded. Self-references work (each hop has its own alias). A name
// that is not a foreign key makes the QuerySet return a *LookupError listing
// the model's foreign keys. With no paths, as in Django, it follows every
// foreign key that is not null, and theirs, five levels deep at most.
func (q *QuerySet[T]) SelectRelated(paths ...string) *QuerySet[T] {
	c := q.clone()
	if c.err != nil {
		return c
	}
	c.own()
	if len(paths) == 0 {
		paths = requiredPaths(c.model, "", 0)
	}
	for _, path := range paths {
		parent, cur, left := -1, c.model, false
		parts := strings.Split(path, "__")
		for i, part := range parts {
			f, ok := cur.Field(part)
			if !ok || f.Kind != KindForeignKey || f.Related == nil || cur.through != nil {
				c.err = &LookupError{Model: c.model.Label(), Lookup: path, Reason: fmt.Sprintf("SelectRelated: %q is not a foreign key of %s (foreign keys: %s)", part, cur.Label(), strings.Join(foreignKeyNames(cur), ", "))}
				return c
			}
			left = left || f.Null
			prefix := strings.Join(parts[:i+1], "__")
			idx := slices.IndexFunc(c.joins, func(j join) bool { return j.path == prefix })
			if idx < 0 {
				c.joins = append(c.joins, join{path: prefix, fk: f, parent: parent, left: left})
				idx = len(c.joins) - 1
			}
			parent, cur = idx, f.Related
		}
	}
	return c
}

// requiredPaths lists the paths of every non-null foreign key reachable
// from m through non-null keys, as Django's select_related() with no
// arguments follows them, five levels at most (a required self-reference
// would go on forever).
func requiredPaths(m *Model, prefix string, depth int) []string {
	if depth == 5 || m.through != nil {
		return nil
	}
	var out []string
	for _, f := range m.Fields {
		if f.Kind != KindForeignKey || f.Null || f.Related == nil {
			continue
		}
		path := prefix + snakeCase(f.Name)
		out = append(out, path)
		out = append(out, requiredPaths(f.Related, path+"__", depth+1)...)
	}
	return out
}

func foreignKeyNames(m *Model) []string {
	var names []string
	for _, f := range m.Fields {
		if f.Kind == KindForeignKey {
			names = append(names, snakeCase(f.Name))
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// joinAlias is the quoted alias of join i, and of its column pos.
func joinAlias(b *builder, i int) string { return b.d.QuoteIdent("anode_s" + strconv.Itoa(i+1)) }

func joinColumn(b *builder, i, pos int) string {
	return b.d.QuoteIdent("anode_s" + strconv.Itoa(i+1) + "_" + strconv.Itoa(pos))
}

// renderJoinColumns writes ", alias.col, …" for every joined column.
func renderJoinColumns(b *builder, joins []join) {
	for i, j := range joins {
		a := joinAlias(b, i)
		for pos := range j.fk.Related.Fields {
			b.sql.WriteString(", " + a + "." + joinColumn(b, i, pos))
		}
	}
}

// renderJoins writes the JOIN clauses after "FROM base".
func renderJoins(b *builder, base *Model, joins []join) {
	for i, j := range joins {
		target := j.fk.Related
		qt := b.db.q(target)
		if j.left {
			b.sql.WriteString(" LEFT JOIN (SELECT ")
		} else {
			b.sql.WriteString(" INNER JOIN (SELECT ")
		}
		for pos := range target.Fields {
			if pos > 0 {
				b.sql.WriteString(", ")
			}
			b.sql.WriteString(qt.columns[pos] + " AS " + joinColumn(b, i, pos))
		}
		a := joinAlias(b, i)
		b.sql.WriteString(" FROM " + qt.table + ") AS " + a + " ON " + a + "." + joinColumn(b, i, target.PK.pos) + " = ")
		if j.parent < 0 {
			b.sql.WriteString(b.db.q(base).table + "." + b.db.q(base).columns[j.fk.pos])
		} else {
			b.sql.WriteString(joinAlias(b, j.parent) + "." + joinColumn(b, j.parent, j.fk.pos))
		}
	}
}

// slot receives one joined column that may be NULL (the joined row is
// missing) even when the field is not nullable, and stores it in the object.
type slot interface {
	dest() any
	null() bool
	store(obj unsafe.Pointer)
}

// typedSlot scans through a **T, which the drivers set to nil for NULL.
type typedSlot[T any] struct {
	v   *T
	off uintptr
}

func (s *typedSlot[T]) dest() any                { return &s.v }
func (s *typedSlot[T]) null() bool               { return s.v == nil }
func (s *typedSlot[T]) store(obj unsafe.Pointer) { *(*T)(unsafe.Add(obj, s.off)) = *s.v }

// reflectSlot serves other types (named types, the ORM's own types) the
// same way, copying with reflection.
type reflectSlot struct {
	v   reflect.Value // a **X
	t   reflect.Type  // X
	off uintptr
}

func (s *reflectSlot) dest() any  { return s.v.Interface() }
func (s *reflectSlot) null() bool { return s.v.Elem().IsNil() }
func (s *reflectSlot) store(obj unsafe.Pointer) {
	reflect.NewAt(s.t, unsafe.Add(obj, s.off)).Elem().Set(s.v.Elem().Elem())
}

func newSlot(f *Field) slot {
	t := f.Type
	if f.Kind == KindForeignKey {
		t = f.relKey // Ref's ID, its first field
	}
	off := f.acc.offset
	switch t {
	case reflect.TypeFor[int64]():
		return &typedSlot[int64]{off: off}
	case reflect.TypeFor[int]():
		return &typedSlot[int]{off: off}
	case reflect.TypeFor[int32]():
		return &typedSlot[int32]{off: off}
	case reflect.TypeFor[string]():
		return &typedSlot[string]{off: off}
	case reflect.TypeFor[bool]():
		return &typedSlot[bool]{off: off}
	case reflect.TypeFor[float64]():
		return &typedSlot[float64]{off: off}
	case timeType:
		return &typedSlot[time.Time]{off: off}
	case durationType:
		return &typedSlot[time.Duration]{off: off}
	case reflect.TypeFor[[]byte]():
		return &typedSlot[[]byte]{off: off}
	}
	return &reflectSlot{v: reflect.New(reflect.PointerTo(t)), t: t, off: off}
}

// joinScan holds one query's scan state for the joined objects.
type joinScan struct {
	joins []join
	objs  []unsafe.Pointer
	slots [][]slot // per join, per field: nil for a nullable field scanned in place
	dest  []any    // the base row's destinations, then every joined column's
	base  int      // len(base fields)
}

func newJoinScan(joins []join, baseDest []any) *joinScan {
	s := &joinScan{joins: joins, objs: make([]unsafe.Pointer, len(joins)), slots: make([][]slot, len(joins)), base: len(baseDest)}
	s.dest = append(s.dest, baseDest...)
	for i, j := range joins {
		fields := j.fk.Related.Fields
		s.slots[i] = make([]slot, len(fields))
		for pos, f := range fields {
			if f.Null { // scans NULL itself: straight into the object, per row
				s.dest = append(s.dest, nil)
				continue
			}
			sl := newSlot(f)
			s.slots[i][pos] = sl
			s.dest = append(s.dest, sl.dest())
		}
	}
	return s
}

// prepare allocates the row's joined objects and points the nullable
// fields' destinations into them.
func (s *joinScan) prepare() {
	d := s.base
	for i, j := range s.joins {
		target := j.fk.Related
		obj := target.newObj()
		s.objs[i] = obj
		for pos, f := range target.Fields {
			if s.slots[i][pos] == nil {
				s.dest[d] = f.acc.dest(unsafe.Add(obj, f.acc.offset))
			}
			d++
		}
	}
}

// attach stores the scanned columns and links each object to the Ref that
// refers to it; a NULL joined key leaves the Ref (and those below it) empty.
func (s *joinScan) attach(row unsafe.Pointer) {
	for i, j := range s.joins {
		parent := row
		if j.parent >= 0 {
			parent = s.objs[j.parent]
		}
		target := j.fk.Related
		if parent == nil || s.slots[i][target.PK.pos].null() {
			s.objs[i] = nil
			continue
		}
		obj := s.objs[i]
		for _, sl := range s.slots[i] {
			if sl != nil {
				sl.store(obj)
			}
		}
		*(*unsafe.Pointer)(unsafe.Add(parent, j.fk.objOffset)) = unsafe.Add(obj, j.fk.relEmbed)
	}
}

// eachJoined scans rows of a query with joins into fresh row values.
func (q *QuerySet[T]) eachJoined(rows Rows, fn func(*T) error) error {
	var row T
	p := unsafe.Pointer(&row)
	base := make([]any, len(q.model.Fields))
	for i, f := range q.model.Fields {
		base[i] = f.acc.dest(unsafe.Add(p, f.acc.offset))
	}
	s := newJoinScan(q.joins, base)
	for rows.Next() {
		var zero T
		row = zero
		s.prepare()
		if err := rows.Scan(s.dest...); err != nil {
			return fmt.Errorf("orm: scanning %s: %w", q.model.Label(), err)
		}
		s.attach(p)
		if err := fn(&row); err != nil {
			return err
		}
	}
	return rows.Err()
}
