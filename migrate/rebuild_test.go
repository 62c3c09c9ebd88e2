package migrate_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

const rebuildRows = 100_000

// rebuildGraph creates a table of rebuildRows rows (0001), then widens
// and renames a column and makes another nullable (0002): an AlterField
// SQLite can only make by rebuilding the table.
func rebuildGraph(t testing.TB) *migrate.Graph {
	t.Helper()
	score := orm.FieldSpec{Name: "Score", Column: "score", Kind: orm.KindInt}
	label := orm.FieldSpec{Name: "Label", Column: "label", Kind: orm.KindString, MaxLength: 20}
	wider := label
	wider.MaxLength, wider.Null = 200, true
	spec := orm.ModelSpec{Module: "big", Name: "Row", Table: "big_row", Fields: []orm.FieldSpec{pkSpec, score, label},
		Indexes: []orm.Index{{Fields: []string{"Score"}}}}
	g, err := migrate.NewGraph([]migrate.Source{{Module: "big", Migrations: []*migrate.Migration{
		{Name: "0001_initial", Operations: []migrate.Operation{
			migrate.CreateModel{Model: spec},
			migrate.RunSQL{SQL: []string{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
				INSERT INTO big_row (score, label) SELECT i % 997, 'row ' || i FROM n`}, Reverse: []string{}},
		}},
		{Name: "0002_alter", Dependencies: []string{"big.0001_initial"}, Operations: []migrate.Operation{
			migrate.AlterField{Model: "big.Row", Field: wider},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// sums reads the row count and checksums of big_row.
func sums(t testing.TB, db *orm.DB) [3]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Conn(ctx).Query(ctx, "SELECT COUNT(*), SUM(score * id), SUM(LENGTH(label) * id) FROM big_row")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var s [3]int64
	if !rows.Next() {
		t.Fatal("no row")
	}
	if err := rows.Scan(&s[0], &s[1], &s[2]); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRebuildKeepsRows alters a field of a 100,000-row SQLite table: the
// rebuild keeps every row, its values and its index, and the new column
// definition holds.
func TestRebuildKeepsRows(t *testing.T) {
	ctx := context.Background()
	db := open(t, "sqlite:///"+filepath.Join(t.TempDir(), "big.db"))
	mig, err := migrate.NewMigrator(db, rebuildGraph(t), migrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mig.Migrate(ctx, migrate.Target{Module: "big", Name: "0001_initial"}); err != nil {
		t.Fatal(err)
	}
	before := sums(t, db)
	if before[0] != rebuildRows {
		t.Fatalf("seeded %d rows", before[0])
	}
	if _, err := mig.Migrate(ctx, migrate.Target{}); err != nil {
		t.Fatal(err)
	}
	if after := sums(t, db); after != before {
		t.Fatalf("after the rebuild: %v, before %v", after, before)
	}
	if got := query(t, db, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name = 'big_row_score_idx'"); got != "big_row_score_idx|big_row" {
		t.Errorf("the index after the rebuild: %q", got)
	}
	exec(t, db, "UPDATE big_row SET label = NULL WHERE id = 1")
	if _, err := db.Conn(ctx).Exec(ctx, "UPDATE big_row SET score = NULL WHERE id = 2"); !isIntegrity(err) {
		t.Errorf("score took NULL after the rebuild: %v", err)
	}
}

// BenchmarkRebuild100k times the AlterField rebuild of a 100,000-row
// SQLite table (/alterfield) next to the bare copy it is built on
// (/copy: CREATE TABLE … AS SELECT of the same rows), in the same run.
func BenchmarkRebuild100k(b *testing.B) {
	ctx := context.Background()
	b.Run("alterfield", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := open(b, "sqlite:///"+filepath.Join(b.TempDir(), "big.db"))
			mig, err := migrate.NewMigrator(db, rebuildGraph(b), migrate.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := mig.Migrate(ctx, migrate.Target{Module: "big", Name: "0001_initial"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := mig.Migrate(ctx, migrate.Target{}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := open(b, "sqlite:///"+filepath.Join(b.TempDir(), "big.db"))
			mig, err := migrate.NewMigrator(db, rebuildGraph(b), migrate.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := mig.Migrate(ctx, migrate.Target{Module: "big", Name: "0001_initial"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := db.Conn(ctx).Exec(ctx, "CREATE TABLE big_copy AS SELECT * FROM big_row"); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
}
