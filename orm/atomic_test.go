package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Entry struct {
	ID   int64
	Name string `anode:"max=50,unique"`
}

// names returns the names in app_entry, in id order, through db's pool or the
// transaction in ctx.
func names(t *testing.T, ctx context.Context, db *orm.DB) []string {
	t.Helper()
	rows, err := db.Conn(ctx).Query(ctx, "SELECT name FROM app_entry ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func insert(ctx context.Context, db *orm.DB, name string) error {
	_, err := db.Conn(ctx).Exec(ctx, "INSERT INTO app_entry (name) VALUES ("+db.Dialect().Placeholder(1)+")", name)
	return err
}

var errBoom = errors.New("boom")

func TestAtomic(t *testing.T) {
	forEachDB(t, []any{Entry{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		var committed []string

		// Commit, with nested savepoints: an inner failure rolls back only the inner block.
		err := db.Atomic(ctx, func(ctx context.Context) error {
			insert(ctx, db, "a")
			db.OnCommit(ctx, func() { committed = append(committed, "outer") })
			inner := db.Atomic(ctx, func(ctx context.Context) error {
				insert(ctx, db, "b")
				db.OnCommit(ctx, func() { committed = append(committed, "dropped") })
				return errBoom
			})
			if !errors.Is(inner, errBoom) {
				return fmt.Errorf("inner error %v", inner)
			}
			if got := fmt.Sprint(names(t, ctx, db)); got != "[a]" {
				return fmt.Errorf("inside after inner rollback: %s", got)
			}
			return db.Atomic(ctx, func(ctx context.Context) error {
				db.OnCommit(ctx, func() { committed = append(committed, "kept") })
				return insert(ctx, db, "c")
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(names(t, ctx, db)); got != "[a c]" {
			t.Fatalf("after commit: %s", got)
		}
		if fmt.Sprint(committed) != "[outer kept]" {
			t.Fatalf("OnCommit callbacks ran: %v", committed)
		}

		// An error rolls the whole transaction back; callbacks do not run.
		committed = nil
		err = db.Atomic(ctx, func(ctx context.Context) error {
			insert(ctx, db, "d")
			db.OnCommit(ctx, func() { committed = append(committed, "never") })
			return errBoom
		})
		if !errors.Is(err, errBoom) || len(committed) != 0 {
			t.Fatalf("rollback: err %v, callbacks %v", err, committed)
		}

		// A panic rolls back and keeps panicking.
		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Fatalf("panic %v", p)
				}
			}()
			db.Atomic(ctx, func(ctx context.Context) error {
				insert(ctx, db, "e")
				panic("kaboom")
			})
		}()
		if got := fmt.Sprint(names(t, ctx, db)); got != "[a c]" {
			t.Fatalf("after rollback and panic: %s", got)
		}

		// Integrity errors are typed, and the transaction can go on after a failed savepoint.
		err = db.Atomic(ctx, func(ctx context.Context) error {
			dup := db.Atomic(ctx, func(ctx context.Context) error { return insert(ctx, db, "a") })
			var ie *orm.IntegrityError
			if !errors.As(dup, &ie) || ie.Kind != orm.IntegrityUnique {
				return fmt.Errorf("duplicate insert: %v", dup)
			}
			return insert(ctx, db, "f")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(names(t, ctx, db)); got != "[a c f]" {
			t.Fatalf("after savepoint recovery: %s", got)
		}

		// Outside a transaction OnCommit runs at once.
		ran := false
		db.OnCommit(ctx, func() { ran = true })
		if !ran {
			t.Fatal("OnCommit outside a transaction did not run")
		}
	})
}

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"nonsense", "want scheme://"},
		{"mongodb://u:hunter2@h/db", `no dialect for scheme "mongodb"`},
	} {
		_, err := orm.Open(context.Background(), tt.url, orm.NewRegistry(), orm.OpenOptions{})
		if err == nil || !contains(err.Error(), tt.want) || contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) = %v, want an error containing %q without the password", tt.url, err, tt.want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
