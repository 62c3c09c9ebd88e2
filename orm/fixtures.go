package orm

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unsafe"
)

// fixtureObject is one object in a fixture, in Django's shape:
// {"model": "polls.question", "pk": 1, "fields": {"question_text": "…"}}.
type fixtureObject struct {
	Model  string                     `json:"model"`
	PK     json.RawMessage            `json:"pk"`
	Fields map[string]json.RawMessage `json:"fields"`
}

// fieldKey is a field's name in fixtures: the snake-case Go name
// ("pub_date", "question" for a foreign key).
func fieldKey(f *Field) string { return snakeCase(f.Name) }

// Dump writes the rows of the named models as a JSON fixture: labels are
// module names ("polls") or model labels ("polls.Question", any case); none
// means every model. Models come in dependency order and rows by primary
// key, so Load can read the output back.
func Dump(ctx context.Context, db *DB, w io.Writer, labels ...string) error {
	models, err := db.registry.Ordered()
	if err != nil {
		return err
	}
	want, err := selectModels(db.registry, models, labels)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	first := true
	for _, m := range models {
		if !want[m] || m.through != nil && m.through.Auto {
			continue // generated through rows go in their owner's fields, as in Django
		}
		pairs, err := dumpPairs(ctx, db, m)
		if err != nil {
			return err
		}
		q := &QuerySet[struct{}]{db: db, model: m, limit: -1, order: []orderTerm{{field: m.PK}}, queryOpts: &queryOpts{}}
		b := q.selectSQL()
		rows, err := db.Conn(ctx).Query(ctx, b.sql.String(), b.args...)
		if err != nil {
			return fmt.Errorf("orm: dump %s: %w", m.Label(), err)
		}
		dest := make([]any, len(m.Fields))
		obj := m.newObj()
		for i, f := range m.Fields {
			dest[i] = f.acc.dest(unsafe.Add(obj, f.acc.offset))
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return fmt.Errorf("orm: dump %s: %w", m.Label(), err)
			}
			fo := fixtureObject{Model: strings.ToLower(m.Label()), Fields: map[string]json.RawMessage{}}
			for _, f := range m.Fields {
				raw, err := json.Marshal(fieldValue(f, obj).Interface())
				if err != nil {
					rows.Close()
					return fmt.Errorf("orm: dump %s.%s: %w", m.Label(), f.Name, err)
				}
				if f.PrimaryKey {
					fo.PK = raw
				} else {
					fo.Fields[fieldKey(f)] = raw
				}
			}
			for _, mm := range m.ManyToMany {
				if !mm.Auto {
					continue // an explicit through model is dumped as itself
				}
				keys := pairs[mm][pkOf(m, obj)]
				if keys == nil {
					keys = []any{}
				}
				raw, _ := json.Marshal(keys)
				fo.Fields[snakeCase(mm.Name)] = raw
			}
			out, _ := json.MarshalIndent(fo, "  ", "  ")
			if !first {
				bw.WriteString(",")
			}
			first = false
			bw.WriteString("\n  ")
			bw.Write(out)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("orm: dump %s: %w", m.Label(), err)
		}
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// fieldValue is the field of the object at p as a reflect.Value; a foreign
// key's value is its key (NULL as nil for a nullable one left empty).
func fieldValue(f *Field, p unsafe.Pointer) reflect.Value {
	at := unsafe.Add(p, f.acc.offset)
	if f.Kind == KindForeignKey {
		v := reflect.NewAt(f.relKey, at).Elem() // Ref's ID is its first field
		if f.Null && v.IsZero() {
			return reflect.ValueOf((*int)(nil))
		}
		return v
	}
	return reflect.NewAt(f.Type, at).Elem()
}

func selectModels(r *Registry, models []*Model, labels []string) (map[*Model]bool, error) {
	want := map[*Model]bool{}
	if len(labels) == 0 {
		for _, m := range models {
			want[m] = true
		}
		return want, nil
	}
	for _, l := range labels {
		found := false
		for _, m := range models {
			if strings.EqualFold(m.Label(), l) || m.Module == l {
				want[m], found = true, true
			}
		}
		if !found {
			var known []string
			for _, m := range models {
				known = append(known, m.Label())
			}
			return nil, fmt.Errorf("orm: no module or model %q (models: %s)", l, strings.Join(known, ", "))
		}
	}
	return want, nil
}

// Load reads a JSON fixture (as Dump writes it) and saves every object in one
// transaction, in dependency order: an object whose key exists is updated,
// others are inserted with their keys, and auto-increment counters are moved
// past the loaded keys. Any error — an unknown model or field, a value of the
// wrong type, a constraint — rolls everything back and names the object. It
// returns the number of objects loaded.
func Load(ctx context.Context, db *DB, r io.Reader) (int, error) {
	var objs []fixtureObject
	dec := json.NewDecoder(r)
	if err := dec.Decode(&objs); err != nil {
		return 0, fmt.Errorf("orm: fixture: %w", err)
	}
	models, err := db.registry.Ordered()
	if err != nil {
		return 0, err
	}
	rank := map[*Model]int{}
	for i, m := range models {
		rank[m] = i
	}
	type item struct {
		m   *Model
		idx int
		p   unsafe.Pointer
	}
	var items []item
	type link struct { // a many-to-many field's keys, set once every object is in
		idx  int
		m    *Model
		e    manyEnd
		p    unsafe.Pointer
		keys []any
	}
	var links []link
	for i, fo := range objs {
		var m *Model
		for _, cand := range models {
			if strings.EqualFold(cand.Label(), fo.Model) {
				m = cand
			}
		}
		if m == nil {
			return 0, fmt.Errorf("orm: fixture object %d: no model %q", i, fo.Model)
		}
		p := m.newObj()
		if err := setFixtureValue(m.PK, p, fo.PK); err != nil {
			return 0, fmt.Errorf("orm: fixture object %d (%s): pk: %w", i, m.Label(), err)
		}
		for name, raw := range fo.Fields {
			if e, ok := m.many[name]; ok && e.forward {
				keys, err := fixtureKeys(e.farModel(), raw)
				if err != nil {
					return 0, fmt.Errorf("orm: fixture object %d (%s): field %s: %w", i, m.Label(), name, err)
				}
				links = append(links, link{idx: i, m: m, e: e, p: p, keys: keys})
				continue
			}
			f, ok := m.Field(name)
			if !ok || f.PrimaryKey {
				return 0, fmt.Errorf("orm: fixture object %d (%s): no field %q (fields: %s)", i, m.Label(), name, strings.Join(m.FieldNames(), ", "))
			}
			if err := setFixtureValue(f, p, raw); err != nil {
				return 0, fmt.Errorf("orm: fixture object %d (%s): field %s: %w", i, m.Label(), name, err)
			}
		}
		items = append(items, item{m, i, p})
	}
	sort.SliceStable(items, func(a, b int) bool { return rank[items[a].m] < rank[items[b].m] })
	err = db.Atomic(ctx, func(ctx context.Context) error {
		touched := map[*Model]bool{}
		for _, it := range items {
			if err := it.m.validate(it.p); err != nil {
				return fmt.Errorf("orm: fixture object %d (%s): %w", it.idx, it.m.Label(), err)
			}
			n, err := updateRow(ctx, db, it.m, it.p)
			if err == nil && n == 0 {
				err = insertWithKey(ctx, db, it.m, it.p)
			}
			if err != nil {
				return fmt.Errorf("orm: fixture object %d (%s): %w", it.idx, it.m.Label(), err)
			}
			touched[it.m] = true
		}
		for _, l := range links {
			if err := setPairs(ctx, db, l.e, pkOf(l.m, l.p), l.keys); err != nil {
				return fmt.Errorf("orm: fixture object %d (%s): %w", l.idx, l.m.Label(), err)
			}
			touched[l.e.mm.Through] = true
		}
		for m := range touched {
			if !m.PK.AutoIncrement {
				continue
			}
			qm := db.q(m)
			if stmt := db.dialect.ResetSequence(qm.table, qm.columns[m.PK.pos]); stmt != "" {
				rows, err := db.Conn(ctx).QueryWrite(ctx, stmt)
				if err != nil {
					return fmt.Errorf("orm: resetting the key sequence of %s: %w", m.Label(), err)
				}
				rows.Close()
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(items), nil
}

// setFixtureValue decodes raw into field f of the object at p.
func setFixtureValue(f *Field, p unsafe.Pointer, raw json.RawMessage) error {
	if len(raw) == 0 {
		return fmt.Errorf("missing value")
	}
	at := unsafe.Add(p, f.acc.offset)
	if f.Kind == KindForeignKey {
		if string(raw) == "null" {
			if !f.Null {
				return fmt.Errorf("null for a foreign key that is not null")
			}
			return nil
		}
		return json.Unmarshal(raw, reflect.NewAt(f.relKey, at).Interface())
	}
	if string(raw) == "null" && !f.Null {
		return fmt.Errorf("null for a field that is not null")
	}
	return json.Unmarshal(raw, reflect.NewAt(f.Type, at).Interface())
}

// insertWithKey inserts the object at p including its primary key.
func insertWithKey(ctx context.Context, db *DB, m *Model, p unsafe.Pointer) error {
	b := newBuilder(db)
	b.sql.WriteString("INSERT INTO ")
	b.table(m)
	b.sql.WriteString(" (" + db.q(m).list + ") VALUES ")
	valuesRow(b, m.Fields, p)
	_, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
	return err
}

// dumpPairs reads the pairs of m's many-to-many fields whose through model
// was generated: for each field, the related keys by owner key, in key order.
func dumpPairs(ctx context.Context, db *DB, m *Model) (map[*ManyToMany]map[any][]any, error) {
	out := map[*ManyToMany]map[any][]any{}
	for _, mm := range m.ManyToMany {
		if !mm.Auto {
			continue
		}
		byOwner := map[any][]any{}
		b := newBuilder(db)
		qt := db.q(mm.Through)
		from, to := qt.columns[mm.From.pos], qt.columns[mm.To.pos]
		b.sql.WriteString("SELECT " + from + ", " + to + " FROM " + qt.table + " ORDER BY " + from + ", " + to)
		rows, err := db.Conn(ctx).Query(ctx, b.sql.String())
		if err != nil {
			return nil, fmt.Errorf("orm: dump %s.%s: %w", m.Label(), mm.Name, err)
		}
		for rows.Next() {
			var o, k any
			if err := rows.Scan(&o, &k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("orm: dump %s.%s: %w", m.Label(), mm.Name, err)
			}
			byOwner[normKey(o)] = append(byOwner[normKey(o)], normKey(k))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("orm: dump %s.%s: %w", m.Label(), mm.Name, err)
		}
		out[mm] = byOwner
	}
	return out, nil
}

// fixtureKeys decodes a list of primary keys of model m.
func fixtureKeys(m *Model, raw json.RawMessage) ([]any, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("want a list of %s keys: %w", m.Label(), err)
	}
	keys := make([]any, len(items))
	for i, it := range items {
		v := reflect.New(m.PK.Type)
		if err := json.Unmarshal(it, v.Interface()); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		keys[i] = normKey(v.Elem().Interface())
	}
	return keys, nil
}

// setPairs makes keys exactly the related keys of owner through e.
func setPairs(ctx context.Context, db *DB, e manyEnd, owner any, keys []any) error {
	s := &ManySet[struct{}]{db: db, end: e, key: owner}
	if err := s.remove(ctx, keys, true); err != nil {
		return err
	}
	return s.add(ctx, keys)
}
