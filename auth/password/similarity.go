package password

import (
	"context"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Similarity rejects a password too similar to one of the user's
// Attributes: to a whole value or to any part of it split at non-alphanumeric
// characters (so "jane.doe@example.com" is also compared as "jane", "doe",
// "example" and "com"). Similarity is measured without regard to case by
// Ratio. Key: "password_too_similar" {"attribute"}.
type Similarity struct {
	// MaxRatio is the highest Ratio allowed; 0 means 0.7. Values below 0.1
	// reject too much to be useful and are raised to 0.1.
	MaxRatio float64
}

var _ Validator = Similarity{}

// Validate rejects password if it resembles a value in user. The
// attributes are checked in name order and the first too similar is named.
func (s Similarity) Validate(_ context.Context, password string, user Attributes) error {
	limit := s.MaxRatio
	if limit == 0 {
		limit = 0.7
	}
	limit = max(limit, 0.1)
	pw := []rune(strings.ToLower(password))
	for _, name := range slices.Sorted(maps.Keys(user)) {
		value := strings.ToLower(user[name])
		if value == "" {
			continue
		}
		candidates := append([]string{value}, strings.FieldsFunc(value, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})...)
		for _, c := range candidates {
			if similar(pw, []rune(c), limit) {
				return &Violation{Key: "password_too_similar", Params: map[string]any{"attribute": name},
					Message: "The password is too similar to the " + strings.ReplaceAll(name, "_", " ") + "."}
			}
		}
	}
	return nil
}

// similar reports whether ratio(a, b) >= limit, skipping the measurement
// when the lengths alone rule it out: the ratio can be at most
// 2*min(len)/(len(a)+len(b)). This also keeps a long password cheap.
func similar(a, b []rune, limit float64) bool {
	total := len(a) + len(b)
	if total == 0 || float64(2*min(len(a), len(b)))/float64(total) < limit {
		return false
	}
	return ratio(a, b) >= limit
}

// Ratio returns how alike a and b are, from 0 (nothing in common) to 1
// (equal), as Ratcliff and Obershelp's gestalt pattern matching defines it:
// twice the number of matching characters over the total length, where the
// matches are the longest common substring plus, recursively, the matches
// to its left and to its right. Ratio is case-sensitive and counts runes.
func Ratio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra)+len(rb) == 0 {
		return 1
	}
	return ratio(ra, rb)
}

func ratio(a, b []rune) float64 {
	return 2 * float64(matches(a, b)) / float64(len(a)+len(b))
}

// matches counts the characters of a and b matched by Ratcliff/Obershelp.
func matches(a, b []rune) int {
	i, j, n := longestCommon(a, b)
	if n == 0 {
		return 0
	}
	return n + matches(a[:i], b[:j]) + matches(a[i+n:], b[j+n:])
}

// longestCommon returns the start in a, the start in b and the length of
// the first longest substring a and b share, by dynamic programming over
// one row of run lengths (O(len(a)*len(b)) time, O(len(b)) space).
func longestCommon(a, b []rune) (ai, bi, n int) {
	if len(a) == 0 || len(b) == 0 {
		return 0, 0, 0
	}
	// run[j+1] is the length of the common run ending at a[i] and b[j].
	run := make([]int, len(b)+1)
	for i := range a {
		// Walk b backwards so run[j] still holds the previous row's value.
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] != b[j] {
				run[j+1] = 0
				continue
			}
			run[j+1] = run[j] + 1
			if k := run[j+1]; k > n || (k == n && i-k+1 == ai && j-k+1 < bi) {
				ai, bi, n = i-k+1, j-k+1, k
			}
		}
	}
	return ai, bi, n
}
