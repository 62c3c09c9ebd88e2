package orm_test

import (
	"context"
	"slices"
	"testing"

	"github.com/anode-go/anode/orm"
)

type QiAuthor struct {
	ID   int64
	Name string `anode:"max=50"`
}

type QiBook struct {
	ID     int64
	Title  string           `anode:"max=50"`
	Author orm.FK[QiAuthor] `anode:"on_delete=cascade"`
}

func TestQuerySetOrdering(t *testing.T) {
	forEachDB(t, []any{QiAuthor{}, QiBook{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		tests := []struct {
			name string
			qs   *orm.QuerySet[QiBook]
			want []string
		}{
			{"unordered", orm.From[QiBook](db), nil},
			{"OrderBy", orm.From[QiBook](db).OrderBy("-title", "id"), []string{"-Title", "ID"}},
			{"across a foreign key", orm.From[QiBook](db).OrderBy("author__name"), []string{"Author__Name"}},
			{"annotation alias", orm.From[QiBook](db).Annotate(orm.CountOf("id").As("n")).OrderBy("-n"), []string{"-n"}},
			{"OrderBy() clears", orm.From[QiBook](db).OrderBy("title").OrderBy(), nil},
		}
		for _, tt := range tests {
			got := tt.qs.Ordering()
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: Ordering() = %q, want %q", tt.name, got, tt.want)
			}
			// Ordering by it again gives the same statement, which runs.
			want, _, err := tt.qs.SQL()
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			again := tt.qs.OrderBy(got...)
			if sql, _, _ := again.SQL(); sql != want {
				t.Errorf("%s: re-ordered SQL\n%s\nwant\n%s", tt.name, sql, want)
			}
			if _, err := orm.ValuesMap(ctx, again); err != nil {
				t.Errorf("%s: running it: %v", tt.name, err)
			}
		}
		if m := orm.From[QiBook](db).Model(); m == nil || m.Name != "QiBook" || m.PK.Name != "ID" {
			t.Errorf("Model() = %+v", m)
		}
		type unregistered struct{ ID int64 }
		if q := orm.From[unregistered](db); q.Model() != nil || q.Err() == nil {
			t.Error("Model() of an unregistered type is not nil with an error")
		}
	})
}
