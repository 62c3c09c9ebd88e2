package orm

import (
	"context"
	"fmt"
	"unsafe"
)

// BulkUpdate writes the named fields of every object in objs to its row, by
// primary key, in as few statements as the databases' parameter limits allow
// (up to 1000 objects each): UPDATE … SET f = CASE pk WHEN … THEN … END …
// WHERE pk IN (…). It returns the number of rows changed; an object whose
// row is gone changes nothing. Like Django's bulk_update, it runs no hooks
// and does not check that objects were loaded with every field, so name only
// the fields you mean to write. Every object's values are checked first, as
// Save checks them: a value outside the choices, a decimal with too many
// digits or places, or one that cannot be encoded as JSON is a *ValueError
// (errors.Is ErrInvalidValue), and nothing is written. Wrap it in Atomic to
// make all batches one unit.
func BulkUpdate[T any](ctx context.Context, db *DB, objs []T, fields ...string) (int64, error) {
	m, err := ModelOf[T](db.registry)
	if err != nil {
		return 0, err
	}
	fs, err := fieldList(m, "BulkUpdate", fields)
	if err != nil {
		return 0, err
	}
	if len(fs) == 0 {
		return 0, &LookupError{Model: m.Label(), Reason: "BulkUpdate needs at least one field"}
	}
	for _, f := range fs {
		if f.PrimaryKey {
			return 0, &LookupError{Model: m.Label(), Lookup: f.Name, Reason: "BulkUpdate: the primary key cannot be updated"}
		}
	}
	pk := m.PK
	for i := range objs {
		p := unsafe.Pointer(&objs[i])
		if pk.AutoIncrement && isZeroInt(pk, unsafe.Add(p, pk.acc.offset)) {
			return 0, fmt.Errorf("orm: bulk update %s: object %d has no primary key (create it first)", m.Label(), i)
		}
		if err := validateFields(fs, p); err != nil {
			return 0, fmt.Errorf("orm: bulk update %s: object %d: %w", m.Label(), i, err)
		}
	}
	// Each object binds its key and value once per field, and its key once
	// more in the IN list.
	caster, _ := db.dialect.(ParamCaster)
	var total int64
	err = eachBatch(len(objs), batchRows(2*len(fs)+1, 0), func(start, end int) error {
		rows := objs[start:end]
		b := newBuilder(db)
		b.sql.WriteString("UPDATE ")
		b.table(m)
		b.sql.WriteString(" SET ")
		for i, f := range fs {
			if i > 0 {
				b.sql.WriteString(", ")
			}
			b.column(f)
			b.sql.WriteString(" = CASE ")
			b.column(pk)
			for r := range rows {
				p := unsafe.Pointer(&rows[r])
				b.sql.WriteString(" WHEN ")
				b.arg(pk.acc.arg(unsafe.Add(p, pk.acc.offset)))
				b.sql.WriteString(" THEN ")
				b.args = append(b.args, b.bindable(f.acc.arg(unsafe.Add(p, f.acc.offset))))
				ph := b.d.Placeholder(len(b.args))
				if caster != nil {
					var err error
					if ph, err = caster.CastParam(ph, f); err != nil {
						return fmt.Errorf("orm: bulk update %s: %s: %w", m.Label(), f.Name, err)
					}
				}
				b.sql.WriteString(ph)
			}
			b.sql.WriteString(" END")
		}
		b.sql.WriteString(" WHERE ")
		b.column(pk)
		b.sql.WriteString(" IN (")
		for r := range rows {
			if r > 0 {
				b.sql.WriteString(", ")
			}
			b.arg(pk.acc.arg(unsafe.Add(unsafe.Pointer(&rows[r]), pk.acc.offset)))
		}
		b.sql.WriteString(")")
		n, err := db.Conn(ctx).Exec(ctx, b.sql.String(), b.args...)
		if err != nil {
			return wrapWrite(m, "bulk update", err)
		}
		total += n
		return nil
	})
	return total, err
}
