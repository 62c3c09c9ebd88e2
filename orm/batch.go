package orm

// maxBindArgs keeps a batch under every dialect's limit on bound parameters
// (SQLite allows 32766, PostgreSQL 65535).
const maxBindArgs = 30000

// batchRows is the number of rows per statement when each row binds perRow
// parameters: want when it is positive and within the databases' limit,
// else the largest batch the limit allows, up to 1000 rows.
func batchRows(perRow, want int) int {
	limit := maxBindArgs / max(perRow, 1)
	if want <= 0 || want > limit {
		return min(limit, 1000)
	}
	return want
}

// eachBatch calls fn with the bounds [start, end) of consecutive batches of
// at most size of n items, in order, and stops at the first error. The bulk
// writes (BulkCreate, BulkCreateWith, BulkUpdate, ManySet.Add) share it.
func eachBatch(n, size int, fn func(start, end int) error) error {
	for start := 0; start < n; start += size {
		if err := fn(start, min(start+size, n)); err != nil {
			return err
		}
	}
	return nil
}
