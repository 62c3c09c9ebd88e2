package orm_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type FvtStatus string

type FvtAuthor struct {
	ID   orm.UUID
	Name string
}

type FvtPost struct {
	ID       int64
	Title    string `anode:"max=100"`
	Subtitle *string
	Status   FvtStatus `anode:"max=10"`
	Pub      orm.Null[time.Time]
	Price    orm.Null[orm.Decimal] `anode:"digits=8,places=2"`
	Day      *orm.Date
	Data     orm.JSON[map[string]int]
	Extra    orm.Null[orm.JSON[[]int]]
	Author   orm.Ref[FvtAuthor, orm.UUID] `anode:"on_delete=cascade"`
	Editor   orm.Ref[FvtAuthor, orm.UUID] `anode:"on_delete=set_null,null"`
}

// TestFieldValueType checks the Go type of a non-NULL value of each kind of
// field: unwrapped from *T and Null[T], named types kept.
func TestFieldValueType(t *testing.T) {
	r := orm.NewRegistry()
	if err := r.Register("app", FvtAuthor{}, FvtPost{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Resolve(); err != nil {
		t.Fatal(err)
	}
	m, err := orm.ModelOf[FvtPost](r)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		want  reflect.Type
	}{
		{"ID", reflect.TypeFor[int64]()},
		{"Title", reflect.TypeFor[string]()},
		{"Subtitle", reflect.TypeFor[string]()},
		{"Status", reflect.TypeFor[FvtStatus]()},
		{"Pub", reflect.TypeFor[time.Time]()},
		{"Price", reflect.TypeFor[orm.Decimal]()},
		{"Day", reflect.TypeFor[orm.Date]()},
		{"Data", reflect.TypeFor[orm.JSON[map[string]int]]()},
		{"Extra", reflect.TypeFor[orm.JSON[[]int]]()},
		{"Author", reflect.TypeFor[orm.Ref[FvtAuthor, orm.UUID]]()},
		{"Editor", reflect.TypeFor[orm.Ref[FvtAuthor, orm.UUID]]()},
	} {
		f, ok := m.Field(tc.field)
		if !ok {
			t.Fatalf("no field %s", tc.field)
		}
		if got := f.ValueType(); got != tc.want {
			t.Errorf("%s.ValueType() = %v, want %v", tc.field, got, tc.want)
		}
	}
	author, _ := m.Field("Author")
	if got := author.Related.PK.ValueType(); got != reflect.TypeFor[orm.UUID]() {
		t.Errorf("Author's key type = %v, want orm.UUID", got)
	}
}
