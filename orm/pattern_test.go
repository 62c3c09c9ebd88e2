package orm_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type Phrase struct {
	ID   int64
	Text string
}

func TestPatternLookups(t *testing.T) {
	forEachDB(t, []any{Phrase{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, s := range []string{"Lunch?", "lunch?", "100% sure", "a_b", "axb", "a*b", "[x]", "x", "back\\slash", "Straße"} {
			if err := orm.Create(ctx, db, &Phrase{Text: s}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			lookup, value string
			want          []string
		}{
			{"contains", "unch", []string{"Lunch?", "lunch?"}},
			{"contains", "Unch", nil},
			{"icontains", "UNCH", []string{"Lunch?", "lunch?"}},
			{"startswith", "L", []string{"Lunch?"}},
			{"istartswith", "l", []string{"Lunch?", "lunch?"}},
			{"endswith", "?", []string{"Lunch?", "lunch?"}},
			{"iendswith", "H?", []string{"Lunch?", "lunch?"}},
			// Wildcards of LIKE and GLOB in the value match literally.
			{"contains", "%", []string{"100% sure"}},
			{"icontains", "%", []string{"100% sure"}},
			{"contains", "_", []string{"a_b"}},
			{"icontains", "_", []string{"a_b"}},
			{"contains", "*", []string{"a*b"}},
			{"contains", "[x", []string{"[x]"}},
			{"endswith", "]", []string{"[x]"}},
			{"contains", "\\", []string{"back\\slash"}},
			{"icontains", "\\", []string{"back\\slash"}},
			{"contains", "ß", []string{"Straße"}},
			{"startswith", "", []string{"100% sure", "Lunch?", "Straße", "[x]", "a*b", "a_b", "axb", "back\\slash", "lunch?", "x"}},
		}
		for _, tt := range tests {
			rows, err := orm.From[Phrase](db).Filter("text__"+tt.lookup, tt.value).All(ctx)
			if err != nil {
				t.Errorf("%s %q: %v", tt.lookup, tt.value, err)
				continue
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Text)
			}
			sort.Strings(got)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s %q: got %q, want %q", tt.lookup, tt.value, got, tt.want)
			}
		}
		if _, err := orm.From[Phrase](db).Filter("id__contains", "1").All(ctx); err == nil {
			t.Error("contains on an integer field must be refused")
		}
	})
}

func TestLikePattern(t *testing.T) {
	for _, tt := range []struct{ kind, in, want string }{
		{"contains", "a%b_c\\d", `%a\%b\_c\\d%`},
		{"startswith", "x", "x%"},
		{"endswith", "x", "%x"},
	} {
		if got := orm.LikePattern(tt.kind, tt.in); got != tt.want {
			t.Errorf("LikePattern(%s, %q) = %q, want %q", tt.kind, tt.in, got, tt.want)
		}
	}
}
