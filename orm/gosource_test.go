package orm_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/orm"
)

type status string

func TestGoExpr(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "nil"},
		{true, "true"},
		{7, "7"},
		{int64(-5), "int64(-5)"},
		{int8(3), "int8(3)"},
		{uint16(9), "uint16(9)"},
		{1.5, "1.5"},
		{2.0, "2.0"},
		{1e21, "1e+21"},
		{float32(0.1), "float32(0.1)"},
		{"say \"hi\"\n", `"say \"hi\"\n"`},
		{status("draft"), `"draft"`},
		{[]byte("ab"), `[]byte("ab")`},
		{[]byte(nil), `[]byte(nil)`},
		{[]int64{1, 2}, "[]int64{1, 2}"},
		{[]string(nil), "[]string(nil)"},
		{[]status{"a"}, `[]string{"a"}`},
		{[]any{int64(1), "x", nil}, `[]any{int64(1), "x", nil}`},
		{[]float64{1}, "[]float64{1.0}"},
		{orm.DBNow, "orm.DBNow"},
		{orm.MustDecimal("-0.50"), `orm.MustDecimal("-0.50")`},
		{orm.Decimal{}, `orm.MustDecimal("0")`},
		{orm.MustUUID("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"), `orm.MustUUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")`},
		{orm.Date{Year: 2026, Month: time.December, Day: 31}, "orm.Date{Year: 2026, Month: time.December, Day: 31}"},
		{orm.Date{Month: 13}, "orm.Date{Month: 13}"},
		{orm.TimeOfDay{}, "orm.TimeOfDay{}"},
		{orm.TimeOfDay{Second: 1}, "orm.TimeOfDay{Second: 1}"},
		{time.Duration(0), "time.Duration(0)"},
		{time.Hour, "time.Hour"},
		{-90 * time.Second, "-90 * time.Second"},
		{1500 * time.Microsecond, "1500 * time.Microsecond"},
		{time.Duration(1501), "time.Duration(1501)"},
		{time.Time{}, "time.Time{}"},
		{time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600)), "time.Date(2026, time.January, 2, 2, 4, 5, 6, time.UTC)"},
		{orm.KindTimeOfDay, "orm.KindTimeOfDay"},
		{orm.Kind(200), "orm.Kind(200)"},
		{orm.SetDefault, "orm.SetDefault"},
		{orm.OnDelete(99), "orm.OnDelete(99)"},
		{orm.Cond{}, "orm.Cond{}"},
		{orm.Q("votes__in", []int{1, 2}), `orm.Q("votes__in", []int{1, 2})`},
		{orm.Not(orm.And()), "orm.Not(orm.And())"},
		{orm.Or(orm.Q("a", 1), orm.Q("b__isnull", true)), `orm.Or(orm.Q("a", 1), orm.Q("b__isnull", true))`},
		{orm.Q("a__gt", orm.F("b").Sub(orm.F("c").Div(2.5))), `orm.Q("a__gt", orm.F("b").Sub(orm.F("c").Div(2.5)))`},
		{orm.F("x"), `orm.F("x")`},
	}
	for _, c := range cases {
		got, err := orm.GoExpr(c.v)
		if err != nil {
			t.Errorf("GoExpr(%v): %v", c.v, err)
			continue
		}
		if got != c.want {
			t.Errorf("GoExpr(%v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestGoExprErrors(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{map[string]int{}, "orm: no Go source for a value of type map[string]int"},
		{struct{ A int }{}, "orm: no Go source for a value of type struct { A int }"},
		{new(int), "orm: no Go source for a value of type *int"},
		{math.Inf(1), "orm: no Go constant for the float +Inf"},
		{math.Copysign(0, -1), "orm: no Go constant for the float -0"},
		{[]chan int{}, "orm: no Go source for a value of type []chan int: unsupported element type chan int"},
		{orm.Q("a", func() {}), "orm: no Go source for a value of type func() (in the condition on a)"},
		{orm.And(orm.Q("a", 1), orm.Q("b", [2]int{})), "no Go source for a value of type [2]int (in the condition on b)"},
		{orm.F("a").Add(uintptr(1)), "no Go source for a value of type uintptr"},
	}
	for _, c := range cases {
		got, err := orm.GoExpr(c.v)
		if err == nil {
			t.Errorf("GoExpr(%#v) = %s, want an error", c.v, got)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("GoExpr(%#v): error %q, want %q", c.v, err, c.want)
		}
	}
}

func TestGoString(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{orm.KindString, "orm.KindString"},
		{orm.Cascade, "orm.Cascade"},
		{orm.Q("votes__gte", int64(0)), `orm.Q("votes__gte", int64(0))`},
		{orm.F("votes").Add(1), `orm.F("votes").Add(1)`},
		{orm.Q("a", map[int]int{}), `orm.Cond{} /* orm: no Go source for a value of type map[int]int (in the condition on a) */`},
		{orm.Index{Fields: []string{"A"}, Where: orm.Q("b", true)}, `orm.Index{Name:"", Fields:[]string{"A"}, Unique:false, Where:orm.Q("b", true)}`},
	} {
		if got := fmt.Sprintf("%#v", c.v); got != c.want {
			t.Errorf("%%#v = %s, want %s", got, c.want)
		}
	}
}
