package sqlite

import (
	"fmt"
	"time"
)

// timeLayout is how time.Time values are stored: UTC with a fixed width,
// so that the text sorts in time order.
const timeLayout = "2006-01-02 15:04:05.000000000"

// bindArgs converts the arguments the driver would store in a form that does
// not sort (time.Time) or that it rejects. It returns args itself, without
// allocating, when there is nothing to convert; it never modifies args,
// which may be the caller's slice.
func bindArgs(args []any) ([]any, error) {
	for i, a := range args {
		switch a.(type) {
		case time.Time, *time.Time, time.Duration, *time.Duration:
		default:
			continue
		}
		out := make([]any, len(args))
		copy(out, args[:i])
		for j := i; j < len(args); j++ {
			v, err := bindArg(args[j])
			if err != nil {
				return nil, fmt.Errorf("sqlite: argument %d: %w", j+1, err)
			}
			out[j] = v
		}
		return out, nil
	}
	return args, nil
}

func bindArg(a any) (any, error) {
	switch v := a.(type) {
	case time.Time:
		return formatTime(v)
	case *time.Time:
		if v == nil {
			return nil, nil
		}
		return formatTime(*v)
	case time.Duration:
		return int64(v), nil
	case *time.Duration:
		if v == nil {
			return nil, nil
		}
		return int64(*v), nil
	}
	return a, nil
}

func formatTime(t time.Time) (string, error) {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return "", fmt.Errorf("time %s is outside the years 0000–9999 that SQLite can store in order", t)
	}
	return t.Format(timeLayout), nil
}

// parseTime reads a time the driver returned as text: one this package
// stored, or one of the other forms SQLite's date functions produce.
func parseTime(s string) (time.Time, error) {
	for _, layout := range [...]string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02 15:04",
		"2006-01-02T15:04",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("sqlite: cannot read %q as a time (want %s)", s, timeLayout)
}
