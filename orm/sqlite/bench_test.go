package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

const benchSchema = `CREATE TABLE polls_question (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	text VARCHAR(200) NOT NULL,
	pub_date DATETIME NOT NULL,
	votes INTEGER NOT NULL
)`

func BenchmarkInsert(b *testing.B) {
	db, _ := open(b, fileURL(b), orm.OpenOptions{})
	mustExec(b, db, benchSchema)
	ctx := context.Background()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Exec(ctx, "INSERT INTO polls_question (text, pub_date, votes) VALUES (?, ?, ?)", "What is up?", now, 3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSelectByID(b *testing.B) {
	db, _ := open(b, fileURL(b), orm.OpenOptions{})
	mustExec(b, db, benchSchema)
	ctx := context.Background()
	const n = 1000
	tx, err := db.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for range n {
		mustExec(b, tx, "INSERT INTO polls_question (text, pub_date, votes) VALUES (?, ?, ?)", "What is up?", time.Now(), 3)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i = i%n + 1
		rows, err := db.Query(ctx, "SELECT id, text, pub_date, votes FROM polls_question WHERE id = ?", i)
		if err != nil {
			b.Fatal(err)
		}
		var (
			id, votes int64
			text      string
			pub       time.Time
		)
		if !rows.Next() {
			b.Fatal("no row", rows.Err())
		}
		if err := rows.Scan(&id, &text, &pub, &votes); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		if id != i {
			b.Fatalf("id %d, want %d", id, i)
		}
	}
}
