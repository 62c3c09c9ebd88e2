package orm

import "encoding/json"

// ownHolder reads a column of one of the ORM's own field types for
// ValuesMap and annotations: an orm.Decimal (at the field's places), UUID,
// Date or TimeOfDay, or a JSON document as json.RawMessage; nil for NULL.
func ownHolder(f *Field) (valueHolder, bool) {
	switch f.Kind {
	case KindDecimal:
		var v Null[Decimal]
		return valueHolder{&decimalDest{places: int32(f.Places), null: &v}, func() any { return nullable(v.Valid, v.V) }}, true
	case KindUUID:
		var v Null[UUID]
		return valueHolder{&v, func() any { return nullable(v.Valid, v.V) }}, true
	case KindDate:
		var v Null[Date]
		return valueHolder{&v, func() any { return nullable(v.Valid, v.V) }}, true
	case KindTimeOfDay:
		var v Null[TimeOfDay]
		return valueHolder{&v, func() any { return nullable(v.Valid, v.V) }}, true
	case KindJSON:
		var v Null[[]byte]
		return valueHolder{&v, func() any {
			if !v.Valid {
				return nil
			}
			return json.RawMessage(v.V)
		}}, true
	}
	return valueHolder{}, false
}
