package orm_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/orm"
)

// Models covering what CreateTableSQL renders: every field kind, NULL,
// db_default, unique, index, UniqueTogether, checks, partial and Lower()
// indexes, foreign keys with each on_delete rule, one-to-one and a
// generated many-to-many table.

type IspLevel int32

func (IspLevel) Choices() []orm.Choice {
	return []orm.Choice{{Value: IspLevel(1), Label: "Low"}, {Value: IspLevel(2), Label: "High"}}
}

type IspOwner struct {
	ID   int64
	Name string `anode:"max=50,unique"`
}

type IspLabel struct {
	Code string `anode:"pk,max=20"`
}

type IspItem struct {
	ID       int64
	Flag     bool                      `anode:"db_default=true"`
	Count    int                       `anode:"db_default=3,index"`
	Small    int32                     `anode:"db_default=-1"`
	Level    IspLevel                  `anode:"default=1"`
	Ratio    float64                   ``
	Ratio32  float32                   ``
	Title    string                    `anode:"max=100"`
	Email    string                    `anode:"max=254"`
	Body     string                    ``
	Note     orm.Null[string]          `anode:"max=30,db_default=it's (ok)"`
	Data     []byte                    ``
	Created  time.Time                 `anode:"db_default=now"`
	Closed   *time.Time                ``
	Span     time.Duration             ``
	Price    orm.Decimal               `anode:"digits=10,places=2,db_default=0.50"`
	Token    orm.UUID                  `anode:"unique"`
	Day      orm.Date                  ``
	At       orm.TimeOfDay             ``
	Doc      orm.JSON[[]string]        ``
	Maybe    orm.Null[int64]           ``
	Deleted  bool                      ``
	Owner    orm.FK[IspOwner]          `anode:"on_delete=cascade,related=items"`
	Keeper   orm.FK[IspOwner]          `anode:"on_delete=protect,related=kept"`
	Checker  orm.FK[IspOwner]          `anode:"on_delete=restrict,related=checked"`
	Backup   orm.FK[IspOwner]          `anode:"null,on_delete=set_null,related=backed"`
	Fallback orm.FK[IspOwner]          `anode:"default=1,on_delete=set_default,related=fallen"`
	Loose    orm.FK[IspOwner]          `anode:"null,on_delete=do_nothing,related=loose"`
	Label    orm.Ref[IspLabel, string] `anode:"null,on_delete=cascade,related=items"`
	Twin     orm.FK[IspOwner]          `anode:"one_to_one,null,on_delete=set_null,related=twin"`
	Tags     orm.M2M[IspLabel]         `anode:"related=tagged"`
}

func (IspItem) Meta() orm.Meta {
	return orm.Meta{
		UniqueTogether: [][]string{{"Title", "Owner"}},
		Checks: []orm.Check{
			{Name: "isp_item_count_range", Cond: orm.And(orm.Q("Count__gte", 0), orm.Q("Count__lte", 100))},
			{Name: "isp_item_title_shape", Cond: orm.Or(orm.Q("Title", ""), orm.Not(orm.Q("Title__contains", "'),(")))},
		},
		Indexes: []orm.Index{
			{Name: "isp_item_email_ci", Fields: []string{"Lower(Email)"}, Unique: true, Where: orm.Q("Deleted", false)},
			{Name: "isp_item_day_ratio", Fields: []string{"Day", "Ratio"}},
		},
	}
}

var ispModels = []any{IspOwner{}, IspLabel{}, IspItem{}}

func TestSchemaSnapshotDump(t *testing.T) {
	forEachDB(t, ispModels, func(t *testing.T, db *orm.DB) {
		s, err := db.Introspect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.MarshalIndent(s, "", "  ")
		t.Log(string(b))
	})
}

var _ = anodetest.Service
var _ = slices.Equal[[]string]
var _ = strings.Contains
