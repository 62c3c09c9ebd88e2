// Package bytesize parses the sizes Anode's settings take: a number of
// bytes with an optional unit, decimal (KB, MB, GB) or binary (KiB, MiB,
// GiB, and the short K, M, G), case-insensitive: "10MB", "512KiB",
// "1.5g", "1048576".
package bytesize

import (
	"fmt"
	"strconv"
	"strings"
)

var units = map[string]int64{
	"": 1, "b": 1,
	"kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30,
}

// Parse returns the number of bytes s names, or an error for an unknown
// unit, a size that is not positive, or one above max.
func Parse(s string, max int64) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	mult, ok := units[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("bad size %q", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 || f*float64(mult) > float64(max) {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(f * float64(mult)), nil
}
