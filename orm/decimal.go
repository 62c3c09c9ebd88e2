package orm

import (
	"database/sql/driver"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unsafe"
)

// Decimal is an exact decimal number: an integer coefficient of any size
// (math/big) and a number of places after the point, so 12.50 is 1250 with
// 2 places. Arithmetic never rounds: Add, Sub and Mul are exact. Its zero
// value is 0. A Decimal is immutable and safe to copy and share.
//
// As a field it needs the tag options digits=N and places=M (Django's
// max_digits and decimal_places): NUMERIC(N, M) on PostgreSQL; on SQLite,
// which has no exact decimal type, an INTEGER holding the value times 10^M
// (so 12.50 with places=2 is stored as 1250), which keeps round trips exact
// and ordering, comparisons and Sum/Min/Max correct; SQLite therefore allows
// at most 18 digits. Writing a value with more places or digits than
// declared is a *ValueError, never silent rounding.
type Decimal struct {
	coef  *big.Int // nil is zero; never modified once set
	scale int32    // places after the point, >= 0
}

// NewDecimal returns unscaled × 10^-places: NewDecimal(1250, 2) is 12.50.
func NewDecimal(unscaled int64, places int) Decimal {
	if places < 0 {
		places = 0
	}
	return Decimal{coef: big.NewInt(unscaled), scale: int32(places)}
}

// ParseDecimal reads a decimal in plain notation: an optional sign, digits,
// and an optional point and digits ("-12.50", "0.001", "7"). Exponents,
// NaN and infinities are refused.
func ParseDecimal(s string) (Decimal, error) {
	bad := func() (Decimal, error) {
		return Decimal{}, fmt.Errorf("orm: invalid decimal %q (want digits with an optional sign and point, e.g. -12.50)", s)
	}
	t := s
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	intPart, frac, hasPoint := strings.Cut(t, ".")
	if intPart == "" && frac == "" || hasPoint && frac == "" && intPart == "" {
		return bad()
	}
	for _, part := range [...]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return bad()
			}
		}
	}
	if len(frac) > 1<<20 || len(intPart) > 1<<20 {
		return bad()
	}
	c, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return bad()
	}
	if neg {
		c.Neg(c)
	}
	return Decimal{coef: c, scale: int32(len(frac))}, nil
}

// MustDecimal is ParseDecimal for constants in code; it panics on invalid
// text, so never pass it user input.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Decimal) c() *big.Int {
	if d.coef == nil {
		return new(big.Int)
	}
	return d.coef
}

// String returns plain notation with exactly d's places ("12.50", "-0.05").
func (d Decimal) String() string {
	s := d.c().String()
	if d.scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if n := int(d.scale) + 1 - len(s); n > 0 {
		s = strings.Repeat("0", n) + s
	}
	p := len(s) - int(d.scale)
	s = s[:p] + "." + s[p:]
	if neg {
		s = "-" + s
	}
	return s
}

// Places returns the number of places after the point d carries.
func (d Decimal) Places() int { return int(d.scale) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.c().Sign() }

// IsZero reports whether d is 0 (at any scale).
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// rescaled returns d's coefficient at scale s >= d.scale.
func (d Decimal) rescaled(s int32) *big.Int {
	if s == d.scale {
		return d.c()
	}
	m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s-d.scale)), nil)
	return m.Mul(m, d.c())
}

// Cmp compares d and e numerically (1.5 equals 1.50): -1, 0 or +1.
func (d Decimal) Cmp(e Decimal) int {
	s := max(d.scale, e.scale)
	return d.rescaled(s).Cmp(e.rescaled(s))
}

// Equal reports whether d and e are numerically equal.
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Add returns d + e, exactly (with the larger number of places).
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	return Decimal{coef: new(big.Int).Add(d.rescaled(s), e.rescaled(s)), scale: s}
}

// Sub returns d - e, exactly.
func (d Decimal) Sub(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	return Decimal{coef: new(big.Int).Sub(d.rescaled(s), e.rescaled(s)), scale: s}
}

// Mul returns d × e, exactly (places add up: 1.5 × 1.25 = 1.875).
func (d Decimal) Mul(e Decimal) Decimal {
	return Decimal{coef: new(big.Int).Mul(d.c(), e.c()), scale: d.scale + e.scale}
}

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{coef: new(big.Int).Neg(d.c()), scale: d.scale} }

// trimmed drops trailing zero places (12.50 → 12.5).
func (d Decimal) trimmed() Decimal {
	c, s := d.c(), d.scale
	ten := big.NewInt(10)
	var q, r big.Int
	for s > 0 {
		q.QuoRem(c, ten, &r)
		if r.Sign() != 0 {
			break
		}
		c = new(big.Int).Set(&q)
		s--
	}
	return Decimal{coef: c, scale: s}
}

// fits reports why d does not fit digits/places, or nil.
func (d Decimal) fits(digits, places int) error {
	t := d.trimmed()
	if int(t.scale) > places {
		return fmt.Errorf("has %d places after the point; the field allows %d (round it first)", t.scale, places)
	}
	intPart := new(big.Int).Quo(new(big.Int).Abs(t.rescaled(int32(places))), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	intDigits := 0
	if intPart.Sign() != 0 {
		intDigits = len(intPart.String())
	}
	if intDigits > digits-places {
		return fmt.Errorf("has %d digits before the point; the field allows %d (digits=%d, places=%d)", intDigits, digits-places, digits, places)
	}
	return nil
}

// MarshalJSON writes d as a JSON string ("12.50"), as Django's serializers
// do, so no JSON reader turns it into an inexact float.
func (d Decimal) MarshalJSON() ([]byte, error) { return strconv.AppendQuote(nil, d.String()), nil }

// UnmarshalJSON reads a JSON string or number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText returns String.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses with ParseDecimal.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Scan reads a decimal from text (PostgreSQL's NUMERIC) or an integer (read
// as a whole number; a field's own scan knows its places).
func (d *Decimal) Scan(src any) error { return d.scanAt(src, 0) }

func (d *Decimal) scanAt(src any, places int32) error {
	switch v := src.(type) {
	case int64:
		*d = Decimal{coef: big.NewInt(v), scale: places}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case nil:
		return fmt.Errorf("orm: cannot read NULL into a Decimal (use orm.Null[orm.Decimal])")
	}
	return fmt.Errorf("orm: cannot read %T as a Decimal", src)
}

// Value binds the text form.
func (d Decimal) Value() (driver.Value, error) { return d.String(), nil }

func (d Decimal) bindValue() any { return d.String() }
func (Decimal) kind() Kind       { return KindDecimal }
func (Decimal) accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	return ownAccessors[Decimal](mode)
}

// ScaledDecimals is an optional interface of a Dialect that stores decimal
// fields as INTEGER holding the value times 10^places (SQLite). The ORM then
// binds such fields as int64 and reads integers back at the field's places.
type ScaledDecimals interface {
	ScaledDecimals()
}

// decimalArg is a decimal field's bound value, with the field's places;
// builder.arg turns it into text or a scaled int64 for the dialect.
type decimalArg struct {
	d      Decimal
	places int
}

func (a decimalArg) bind(scaled bool) (any, error) {
	c := a.d.trimmed()
	if int(c.scale) > a.places {
		return nil, fmt.Errorf("orm: decimal %s has more than %d places", a.d, a.places)
	}
	r := c.rescaled(int32(a.places))
	if scaled {
		if !r.IsInt64() {
			return nil, fmt.Errorf("orm: decimal %s is too large for a scaled 64-bit integer column", a.d)
		}
		return r.Int64(), nil
	}
	return Decimal{coef: r, scale: int32(a.places)}.String(), nil
}

// decimalDest scans a decimal field, reading integers at the field's places.
type decimalDest struct {
	places int32
	plain  *Decimal
	ptr    **Decimal
	null   *Null[Decimal]
}

func (s *decimalDest) Scan(src any) error {
	if src == nil {
		switch {
		case s.ptr != nil:
			*s.ptr = nil
			return nil
		case s.null != nil:
			*s.null = Null[Decimal]{}
			return nil
		}
	}
	var d Decimal
	if err := d.scanAt(src, s.places); err != nil {
		return err
	}
	switch {
	case s.ptr != nil:
		*s.ptr = &d
	case s.null != nil:
		*s.null = Null[Decimal]{V: d, Valid: true}
	default:
		*s.plain = d
	}
	return nil
}

// decimalAccessors read and bind a decimal field with its places.
func decimalAccessors(offset uintptr, places int, mode fieldMode) accessors {
	a := accessors{offset: offset}
	pl := int32(places)
	switch mode {
	case pointerField:
		a.dest = func(p unsafe.Pointer) any { return &decimalDest{places: pl, ptr: (**Decimal)(p)} }
		a.arg = func(p unsafe.Pointer) any {
			if d := *(**Decimal)(p); d != nil {
				return decimalArg{*d, places}
			}
			return nil
		}
	case nullWrapped:
		a.dest = func(p unsafe.Pointer) any { return &decimalDest{places: pl, null: (*Null[Decimal])(p)} }
		a.arg = func(p unsafe.Pointer) any {
			if n := (*Null[Decimal])(p); n.Valid {
				return decimalArg{n.V, places}
			}
			return nil
		}
	default:
		a.dest = func(p unsafe.Pointer) any { return &decimalDest{places: pl, plain: (*Decimal)(p)} }
		a.arg = func(p unsafe.Pointer) any { return decimalArg{*(*Decimal)(p), places} }
	}
	return a
}

// Value binds the text form at the field's places, should a decimalArg
// reach a driver without passing through the builder.
func (a decimalArg) Value() (driver.Value, error) { return a.bind(false) }

// decimalsMatch refuses comparing or assigning a decimal field and an F
// expression of a decimal field with different places (or a decimal with
// another kind): on SQLite both are integers scaled by their own places.
func decimalsMatch(f, rf *Field) error {
	if rf == nil || f.Kind != KindDecimal && rf.Kind != KindDecimal {
		return nil
	}
	if f.Kind != rf.Kind || f.Places != rf.Places {
		return fmt.Errorf("%s and %s: decimal fields combine only with decimal fields of the same places", f.Name, rf.Name)
	}
	return nil
}

// decimalScanDest wraps a *Decimal, **Decimal or *Null[Decimal] scan
// destination for decimal field f so it reads at f's places; other
// destinations pass unchanged.
func decimalScanDest(f *Field, p any) any {
	if f == nil || f.Kind != KindDecimal {
		return p
	}
	pl := int32(f.Places)
	switch d := p.(type) {
	case *Decimal:
		return &decimalDest{places: pl, plain: d}
	case **Decimal:
		return &decimalDest{places: pl, ptr: d}
	case *Null[Decimal]:
		return &decimalDest{places: pl, null: d}
	}
	return p
}
