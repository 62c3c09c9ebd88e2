package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/anode-go/anode/orm"
	"modernc.org/sqlite"
)

const pollsSchema = `
CREATE TABLE polls_question (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	text VARCHAR(200) NOT NULL UNIQUE,
	votes INTEGER NOT NULL DEFAULT 0 CONSTRAINT votes_positive CHECK (votes >= 0),
	score INTEGER CHECK (score < 100)
);
CREATE TABLE polls_choice (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	question_id INTEGER NOT NULL REFERENCES polls_question (id),
	text VARCHAR(200) NOT NULL,
	UNIQUE (question_id, text)
);
CREATE TABLE polls_tag (name TEXT NOT NULL);
CREATE UNIQUE INDEX polls_tag_name_ci ON polls_tag (lower(name));
INSERT INTO polls_question (id, text) VALUES (1, 'What is up?');
INSERT INTO polls_choice (question_id, text) VALUES (1, 'Not much');
INSERT INTO polls_tag (name) VALUES ('go');
`

func TestIntegrityErrors(t *testing.T) {
	tests := []struct {
		name       string
		sql        string // ends in RETURNING id, for QueryWrite
		args       []any
		kind       orm.IntegrityKind
		table      string
		columns    []string
		constraint string
		code       int
	}{
		{"unique column", "INSERT INTO polls_question (text) VALUES (?) RETURNING id", []any{"What is up?"},
			orm.IntegrityUnique, "polls_question", []string{"text"}, "", 2067},
		{"unique together", "INSERT INTO polls_choice (question_id, text) VALUES (?, ?) RETURNING id", []any{1, "Not much"},
			orm.IntegrityUnique, "polls_choice", []string{"question_id", "text"}, "", 2067},
		{"primary key", "INSERT INTO polls_question (id, text) VALUES (?, ?) RETURNING id", []any{1, "other"},
			orm.IntegrityUnique, "polls_question", []string{"id"}, "", 1555},
		{"unique expression index", "INSERT INTO polls_tag (name) VALUES (?) RETURNING rowid", []any{"GO"},
			orm.IntegrityUnique, "", nil, "polls_tag_name_ci", 2067},
		{"foreign key", "INSERT INTO polls_choice (question_id, text) VALUES (?, ?) RETURNING id", []any{999, "Dangling"},
			orm.IntegrityForeignKey, "", nil, "", 787},
		{"named check", "INSERT INTO polls_question (text, votes) VALUES (?, ?) RETURNING id", []any{"q", -1},
			orm.IntegrityCheck, "", nil, "votes_positive", 275},
		{"unnamed check", "INSERT INTO polls_question (text, score) VALUES (?, ?) RETURNING id", []any{"q", 500},
			orm.IntegrityCheck, "", nil, "", 275},
		{"not null", "INSERT INTO polls_question (text) VALUES (?) RETURNING id", []any{nil},
			orm.IntegrityNotNull, "polls_question", []string{"text"}, "", 1299},
	}
	db, d := openFile(t)
	mustExec(t, db, pollsSchema)
	ctx := context.Background()
	paths := []struct {
		name string
		run  func(sql string, args []any) error
	}{
		{"Exec", func(sql string, args []any) error { _, err := db.Exec(ctx, sql, args...); return err }},
		{"QueryWrite", func(sql string, args []any) error { return queryWriteErr(db, sql, args...) }},
		{"Tx.Exec", func(sql string, args []any) error {
			tx, err := db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			_, err = tx.Exec(ctx, sql, args...)
			return err
		}},
		{"TranslateError twice", func(sql string, args []any) error {
			_, err := db.Exec(ctx, sql, args...)
			return d.TranslateError(d.TranslateError(err))
		}},
	}
	for _, tt := range tests {
		for _, p := range paths {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				err := p.run(tt.sql, tt.args)
				var ie *orm.IntegrityError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v (%T), want *orm.IntegrityError", err, err)
				}
				if ie.Kind != tt.kind || ie.Table != tt.table || !slices.Equal(ie.Columns, tt.columns) || ie.Constraint != tt.constraint {
					t.Errorf("got Kind %v, Table %q, Columns %q, Constraint %q; want %v, %q, %q, %q (%v)",
						ie.Kind, ie.Table, ie.Columns, ie.Constraint, tt.kind, tt.table, tt.columns, tt.constraint, err)
				}
				var se *sqlite.Error
				if !errors.As(ie.Err, &se) || se.Code() != tt.code {
					t.Errorf("Err = %v, want a *sqlite.Error with code %d", ie.Err, tt.code)
				}
			})
		}
	}
	// Nothing was written, and the writer is free again.
	if n := queryInt(t, db, "SELECT count(*) FROM polls_question"); n != 1 {
		t.Errorf("%d questions, want 1", n)
	}
	mustExec(t, db, "INSERT INTO polls_question (text) VALUES ('Another?')")
}

func TestForeignKeysEnforced(t *testing.T) {
	db, _ := openFile(t)
	mustExec(t, db, pollsSchema)
	ctx := context.Background()
	tests := []struct {
		name string
		sql  string
	}{
		{"insert dangling", "INSERT INTO polls_choice (question_id, text) VALUES (42, 'x')"},
		{"update to dangling", "UPDATE polls_choice SET question_id = 42"},
		{"delete referenced", "DELETE FROM polls_question WHERE id = 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Exec(ctx, tt.sql)
			var ie *orm.IntegrityError
			if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
				t.Fatalf("err = %v, want a foreign key IntegrityError", err)
			}
		})
	}
}
