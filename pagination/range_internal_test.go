package pagination

import (
	"strconv"
	"strings"
	"testing"
)

func TestElidedRange(t *testing.T) {
	tests := []struct {
		number, last, side, ends int
		want                     string
	}{
		{1, 1, 3, 2, "[1]"},
		{3, 10, 3, 2, "1 2 [3] 4 5 6 7 8 9 10"}, // few pages: all of them
		{8, 20, 1, 2, "1 2 … 7 [8] 9 … 19 20"},
		{1, 20, 3, 2, "[1] 2 3 4 … 19 20"},
		{20, 20, 3, 2, "1 2 … 17 18 19 [20]"},
		{7, 20, 3, 2, "1 2 3 4 5 6 [7] 8 9 10 … 19 20"}, // a gap of one page is shown, not elided
		{10, 20, 3, 2, "1 2 … 7 8 9 [10] 11 12 13 … 19 20"},
		{14, 20, 3, 2, "1 2 … 11 12 13 [14] 15 16 17 18 19 20"},
		{5, 100, 0, 0, "… [5] …"},
	}
	for _, tt := range tests {
		var parts []string
		for _, l := range elidedRange(tt.number, tt.last, tt.side, tt.ends) {
			switch {
			case l.Ellipsis():
				parts = append(parts, "…")
			case l.Current:
				parts = append(parts, "["+strconv.Itoa(l.Number)+"]")
			default:
				parts = append(parts, strconv.Itoa(l.Number))
			}
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("page %d of %d (%d, %d): %q, want %q", tt.number, tt.last, tt.side, tt.ends, got, tt.want)
		}
	}
}
