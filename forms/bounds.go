package forms

import (
	"cmp"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/anode-go/anode/orm"
)

// setBounds reads min= and max=: lengths for text, counts for slices,
// values for numbers, dates, times and durations.
func (f *field) setBounds(minText, maxText string) error {
	if minText == "" && maxText == "" {
		return nil
	}
	if f.base == baseString || f.multi {
		for _, b := range [...]struct {
			text string
			dst  *int
		}{{minText, &f.minLen}, {maxText, &f.maxLen}} {
			if b.text == "" {
				continue
			}
			n, err := strconv.Atoi(b.text)
			if err != nil || n < 0 {
				return fmt.Errorf("min/max=%q: want a number of characters or items", b.text)
			}
			*b.dst = n
		}
		if f.minLen >= 0 && f.maxLen >= 0 && f.minLen > f.maxLen {
			return fmt.Errorf("min=%d is more than max=%d", f.minLen, f.maxLen)
		}
		return nil
	}
	switch f.base {
	case baseBool, baseFile, baseUUID, baseJSON:
		return fmt.Errorf("min and max do not apply to a %s field", f.kind)
	}
	var err error
	if minText != "" {
		if f.min, err = f.parseBound(minText); err != nil {
			return fmt.Errorf("min=%q: %v", minText, err)
		}
	}
	if maxText != "" {
		if f.max, err = f.parseBound(maxText); err != nil {
			return fmt.Errorf("max=%q: %v", maxText, err)
		}
	}
	if f.min != nil && f.max != nil && compare(f.min, f.max) > 0 {
		return fmt.Errorf("min=%s is more than max=%s", minText, maxText)
	}
	return nil
}

func (f *field) parseBound(s string) (any, error) {
	if f.base == baseTime && f.kind == KindDate {
		d, err := orm.ParseDate(s)
		if err != nil {
			return nil, err
		}
		return d.Time(time.UTC), nil
	}
	v, key := f.parse(s, time.UTC)
	if key != "" {
		return nil, fmt.Errorf("not a valid %s", f.elem)
	}
	return toBound(v), nil
}

// toBound turns a parsed value into the comparable form bounds use.
func toBound(v reflect.Value) any {
	switch {
	case v.Type() == durationType:
		return time.Duration(v.Int())
	case v.CanInt():
		return v.Int()
	case v.CanUint():
		return v.Uint()
	case v.CanFloat():
		return v.Float()
	}
	return v.Interface()
}

// compare orders two bounds of one field's type.
func compare(a, b any) int {
	switch a := a.(type) {
	case int64:
		return cmp.Compare(a, b.(int64))
	case uint64:
		return cmp.Compare(a, b.(uint64))
	case float64:
		return cmp.Compare(a, b.(float64))
	case orm.Decimal:
		return a.Cmp(b.(orm.Decimal))
	case orm.Date:
		return a.Compare(b.(orm.Date))
	case orm.TimeOfDay:
		return a.Compare(b.(orm.TimeOfDay))
	case time.Time:
		return a.Compare(b.(time.Time))
	case time.Duration:
		return cmp.Compare(a, b.(time.Duration))
	}
	return 0
}
