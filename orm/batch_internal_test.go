package orm

import (
	"errors"
	"slices"
	"testing"
)

func TestBatchRows(t *testing.T) {
	for _, tc := range []struct{ perRow, want, got int }{
		{3, 0, 1000},     // the default cap
		{3, 7, 7},        // what was asked for
		{3, 20000, 1000}, // over the parameter limit: the largest allowed, capped
		{0, 0, 1000},     // no parameters per row
		{60, 0, 500},     // the parameter limit below the cap
		{60, 501, 500},   // over the limit
		{60, -1, 500},    // negative means the default
	} {
		if got := batchRows(tc.perRow, tc.want); got != tc.got {
			t.Errorf("batchRows(%d, %d) = %d, want %d", tc.perRow, tc.want, got, tc.got)
		}
	}
}

func TestEachBatch(t *testing.T) {
	var got [][2]int
	err := eachBatch(7, 3, func(start, end int) error {
		got = append(got, [2]int{start, end})
		return nil
	})
	if err != nil || !slices.Equal(got, [][2]int{{0, 3}, {3, 6}, {6, 7}}) {
		t.Errorf("eachBatch(7, 3) = %v, %v", got, err)
	}
	calls := 0
	stop := errors.New("stop")
	if err := eachBatch(10, 2, func(start, end int) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("eachBatch after an error: %v, %d calls", err, calls)
	}
	if err := eachBatch(0, 5, func(start, end int) error { t.Error("called for no items"); return nil }); err != nil {
		t.Error(err)
	}
}
