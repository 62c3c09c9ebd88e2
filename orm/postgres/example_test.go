package postgres_test

import (
	"context"
	"errors"
	"log"
	"log/slog"

	"github.com/anode-go/anode/orm"
	"github.com/anode-go/anode/orm/postgres"
)

// Open a pool explicitly, with a query log, and tell a duplicate from other
// failures.
func ExampleOpen() {
	ctx := context.Background()
	db, _, err := postgres.Open(ctx, "postgres://app:secret@localhost:5432/app?sslmode=disable&search_path=polls",
		orm.OpenOptions{MaxConns: 20, Logger: slog.Default()})
	if err != nil {
		log.Fatal(err) // never shows the password
	}
	defer db.Close()

	_, err = db.Exec(ctx, "INSERT INTO users (email) VALUES ($1)", "ada@example.com")
	var ie *orm.IntegrityError
	if errors.As(err, &ie) && ie.Kind == orm.IntegrityUnique {
		log.Printf("%v already taken", ie.Columns) // [email]
	}
}
