package sqlite_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

func TestDialect(t *testing.T) {
	_, d := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	if got := d.Name(); got != "sqlite" {
		t.Errorf("Name() = %q", got)
	}
	for _, n := range []int{1, 2, 100} {
		if got := d.Placeholder(n); got != "?" {
			t.Errorf("Placeholder(%d) = %q, want ?", n, got)
		}
	}
	if got, want := d.AutoPrimaryKey(), "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"; got != want {
		t.Errorf("AutoPrimaryKey() = %q, want %q", got, want)
	}
}

func TestQuoteIdent(t *testing.T) {
	db, d := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	tests := []struct{ name, want string }{
		{"polls_question", `"polls_question"`},
		{"order", `"order"`},
		{`we"ird`, `"we""ird"`},
		{`"`, `""""`},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := d.QuoteIdent(tt.name); got != tt.want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
	// The quoted names work in SQL, including an injection attempt.
	for _, name := range []string{"order", `we"ird`, `x" INTEGER); DROP TABLE t; --`} {
		q := d.QuoteIdent(name)
		mustExec(t, db, "CREATE TABLE "+q+" ("+q+" INTEGER)")
		mustExec(t, db, "INSERT INTO "+q+" ("+q+") VALUES (?)", 7)
		if n := queryInt(t, db, "SELECT "+q+" FROM "+q); n != 7 {
			t.Errorf("table %s: read %d, want 7", q, n)
		}
	}
}

func TestColumnType(t *testing.T) {
	_, d := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	tests := []struct {
		field   orm.Field
		want    string
		wantErr string
	}{
		{field: orm.Field{Kind: orm.KindBool}, want: "BOOLEAN"},
		{field: orm.Field{Kind: orm.KindInt}, want: "INTEGER"},
		{field: orm.Field{Kind: orm.KindFloat}, want: "REAL"},
		{field: orm.Field{Kind: orm.KindString, MaxLength: 200}, want: "VARCHAR(200)"},
		{field: orm.Field{Kind: orm.KindText}, want: "TEXT"},
		{field: orm.Field{Kind: orm.KindBytes}, want: "BLOB"},
		{field: orm.Field{Kind: orm.KindTime}, want: "DATETIME"},
		{field: orm.Field{Kind: orm.KindDuration}, want: "BIGINT"},
		{field: orm.Field{Name: "Title", Column: "title", Kind: orm.KindString}, wantErr: "field Title (column title): kind string needs a positive MaxLength"},
		{field: orm.Field{Name: "X", Column: "x", Kind: 0}, wantErr: "no column type for kind kind(0)"},
		{field: orm.Field{Name: "X", Column: "x", Kind: 200}, wantErr: "no column type for kind kind(200)"},
	}
	for _, tt := range tests {
		t.Run(tt.field.Kind.String(), func(t *testing.T) {
			got, err := d.ColumnType(&tt.field)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "sqlite: ") {
					t.Fatalf("ColumnType = %q, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ColumnType = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTranslateErrorPassesOthersThrough(t *testing.T) {
	db, d := open(t, "sqlite:///:memory:", orm.OpenOptions{})
	if d.TranslateError(nil) != nil {
		t.Error("TranslateError(nil) != nil")
	}
	if err := d.TranslateError(io.EOF); err != io.EOF {
		t.Errorf("TranslateError(io.EOF) = %v", err)
	}
	_, err := db.Exec(t.Context(), "SELEKT 1")
	if err == nil {
		t.Fatal("syntax error not reported")
	}
	var ie *orm.IntegrityError
	if errors.As(err, &ie) || errors.As(d.TranslateError(err), &ie) {
		t.Errorf("syntax error %v translated into an IntegrityError", err)
	}
}
