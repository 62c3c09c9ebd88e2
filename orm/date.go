package orm

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"time"
	"unsafe"
)

// Date is a calendar date without a time or time zone, like Django's
// DateField: DATE on PostgreSQL, ISO 8601 text ("2026-03-01") on SQLite,
// which sorts in date order. Lookups take a Date; the year, month and day
// transforms work on it ("birthday__month", 3). Its zero value is not a
// valid date, and writing it is a *ValueError (use orm.Null[orm.Date] for
// "no date").
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, normalised as time.Date does (Jan 32 is Feb 1).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("orm: invalid date %q (want YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar date in the years 1 to 9999.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && NewDate(d.Year, d.Month, d.Day) == d
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp.Compare(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp.Compare(d.Month, e.Month)
	}
	return cmp.Compare(d.Day, e.Day)
}

// String returns "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText returns String.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses with ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Scan reads a DATE (PostgreSQL gives a time.Time at midnight UTC) or ISO
// text.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		if len(v) > 10 {
			v = v[:10] // a DATETIME-style value: the date part
		}
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.Scan(string(v))
	case nil:
		return fmt.Errorf("orm: cannot read NULL into a Date (use orm.Null[orm.Date])")
	}
	return fmt.Errorf("orm: cannot read %T as a Date", src)
}

// Value binds the ISO text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

func (d Date) bindValue() any { return d.String() }
func (Date) kind() Kind       { return KindDate }
func (Date) accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	return ownAccessors[Date](mode)
}

// TimeOfDay is a wall-clock time without a date, like Django's TimeField,
// to the microsecond: TIME on PostgreSQL, text "15:04:05" or
// "15:04:05.000001" on SQLite (the fraction only when not zero, always six
// digits, so text order is time order). Writing an out-of-range value is a
// *ValueError.
type TimeOfDay struct {
	Hour, Minute, Second, Microsecond int
}

// TimeOfDayOf returns the wall-clock time of t in t's location.
func TimeOfDayOf(t time.Time) TimeOfDay {
	return TimeOfDay{t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000}
}

// ParseTimeOfDay reads "15:04", "15:04:05" or "15:04:05.999999".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	for _, layout := range [...]string{"15:04:05.999999", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			if layout == "15:04:05.999999" && len(s) > 15 {
				break // more than microseconds
			}
			return TimeOfDayOf(t), nil
		}
	}
	return TimeOfDay{}, fmt.Errorf("orm: invalid time of day %q (want HH:MM[:SS[.ffffff]])", s)
}

// Valid reports whether every part is in range.
func (t TimeOfDay) Valid() bool {
	return t.Hour >= 0 && t.Hour < 24 && t.Minute >= 0 && t.Minute < 60 && t.Second >= 0 && t.Second < 60 && t.Microsecond >= 0 && t.Microsecond < 1e6
}

// Compare returns -1, 0 or +1 as t is earlier than, equal to or later
// than u.
func (t TimeOfDay) Compare(u TimeOfDay) int {
	return cmp.Compare(t.micros(), u.micros())
}

func (t TimeOfDay) micros() int {
	return ((t.Hour*60+t.Minute)*60+t.Second)*1e6 + t.Microsecond
}

// String returns "15:04:05", with ".ffffff" when Microsecond is not zero.
func (t TimeOfDay) String() string {
	if t.Microsecond != 0 {
		return fmt.Sprintf("%02d:%02d:%02d.%06d", t.Hour, t.Minute, t.Second, t.Microsecond)
	}
	return fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
}

// MarshalText returns String.
func (t TimeOfDay) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText parses with ParseTimeOfDay.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Scan reads a TIME value (text on both databases).
func (t *TimeOfDay) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return t.UnmarshalText([]byte(v))
	case []byte:
		return t.UnmarshalText(v)
	case time.Time:
		*t = TimeOfDayOf(v)
		return nil
	case nil:
		return fmt.Errorf("orm: cannot read NULL into a TimeOfDay (use orm.Null[orm.TimeOfDay])")
	}
	return fmt.Errorf("orm: cannot read %T as a TimeOfDay", src)
}

// Value binds the text form.
func (t TimeOfDay) Value() (driver.Value, error) { return t.String(), nil }

func (t TimeOfDay) bindValue() any { return t.String() }
func (TimeOfDay) kind() Kind       { return KindTimeOfDay }
func (TimeOfDay) accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	return ownAccessors[TimeOfDay](mode)
}
