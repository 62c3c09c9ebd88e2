package vary

import (
	"net/http"
	"reflect"
	"testing"
)

func TestAdd(t *testing.T) {
	for _, c := range []struct {
		before []string
		field  string
		want   []string
	}{
		{nil, "Cookie", []string{"Cookie"}},
		{[]string{"Accept-Encoding"}, "Cookie", []string{"Accept-Encoding", "Cookie"}},
		{[]string{"Accept-Encoding, cookie"}, "Cookie", []string{"Accept-Encoding, cookie"}},
		{[]string{"Origin", "Cookie"}, "Cookie", []string{"Origin", "Cookie"}},
		{[]string{"*"}, "Cookie", []string{"*"}},
		{[]string{"Cookies"}, "Cookie", []string{"Cookies", "Cookie"}},
	} {
		h := http.Header{}
		for _, v := range c.before {
			h.Add("Vary", v)
		}
		Add(h, c.field)
		if got := h.Values("Vary"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Add(%q, %q): Vary = %q, want %q", c.before, c.field, got, c.want)
		}
	}
}
