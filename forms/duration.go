package forms

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads a duration as Django's DurationField does,
// "[-][D [days, ]][[HH:]MM:]SS[.ffffff]" (a number alone is seconds; up to
// nine fractional digits), or in Go's notation ("1h30m", "-90s"). A leading
// minus negates the whole duration. ok is false for anything else and for a
// duration beyond time.Duration's range.
func parseDuration(s string) (d time.Duration, ok bool) {
	if s == "" || len(s) > 64 {
		return 0, false
	}
	if d, ok := parseClock(s); ok {
		return d, true
	}
	if strings.ContainsAny(s, "hmsuµn") { // a unit: Go's notation
		d, err := time.ParseDuration(s)
		return d, err == nil
	}
	return 0, false
}

// parseClock reads Django's "[-][D [days, ]][[HH:]MM:]SS[.fffffffff]". The
// first clock part is unbounded ("36:00:00", "90:00"); the ones after it are
// below 60.
func parseClock(s string) (time.Duration, bool) {
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	}
	var days uint64
	if d, rest, ok := strings.Cut(s, " "); ok {
		n, ok := digits(d)
		if !ok {
			return 0, false
		}
		days = n
		for _, word := range [...]string{"days, ", "day, "} {
			if r, ok := strings.CutPrefix(rest, word); ok {
				rest = r
				break
			}
		}
		s = rest
	}
	var frac uint64
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		f := s[i+1:]
		if len(f) == 0 || len(f) > 9 {
			return 0, false
		}
		n, ok := digits(f)
		if !ok {
			return 0, false
		}
		frac = n * uint64(math.Pow10(9-len(f)))
		s = s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, false
	}
	var secs uint64
	for i, p := range parts {
		n, ok := digits(p)
		if !ok || i > 0 && (len(p) > 2 || n >= 60) {
			return 0, false
		}
		secs = secs*60 + n
	}
	secs += days * 86400 // digits caps each at 10 digits: no overflow here
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // time.Duration reaches one nanosecond further below zero
	}
	if secs > limit/uint64(time.Second) || secs*uint64(time.Second) > limit-frac {
		return 0, false
	}
	ns := secs*uint64(time.Second) + frac
	if neg {
		return time.Duration(-ns), true // two's complement: right for the minimum too
	}
	return time.Duration(ns), true
}

// digits reads 1 to 10 ASCII digits.
func digits(s string) (uint64, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// formatDuration writes d as "[-]HH:MM:SS[.ffffff]", hours not wrapped
// into days, with microseconds (or nanoseconds when it has them), which
// parseDuration reads back.
func formatDuration(d time.Duration) string {
	var b []byte
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u
	}
	sec := u / uint64(time.Second)
	b = appendPad(b, sec/3600)
	b = append(b, ':')
	b = appendPad(b, sec/60%60)
	b = append(b, ':')
	b = appendPad(b, sec%60)
	if ns := u % uint64(time.Second); ns != 0 {
		f := strconv.FormatUint(ns+uint64(time.Second), 10)[1:] // nine digits
		if ns%1000 == 0 {
			f = f[:6]
		}
		b = append(b, '.')
		b = append(b, f...)
	}
	return string(b)
}

func appendPad(b []byte, n uint64) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, n, 10)
}
