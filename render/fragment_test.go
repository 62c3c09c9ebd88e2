package render_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anode-go/anode/render"
)

// mapFragments is a FragmentCache over a map, recording TTLs.
type mapFragments struct {
	mu   sync.Mutex
	m    map[string]string
	ttls map[string]time.Duration
}

func (f *mapFragments) Fragment(_ context.Context, key string, ttl time.Duration, fill func() (string, error)) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.m[key]; ok {
		return v, nil
	}
	v, err := fill()
	if err == nil {
		f.m[key], f.ttls[key] = v, ttl
	}
	return v, err
}

func TestFragmentCache(t *testing.T) {
	frags := &mapFragments{m: map[string]string{}, ttls: map[string]time.Duration{}}
	src := render.Source{Name: "app", FS: mapFS(
		"page.html", `{{define "side"}}<b>{{.Data}}</b>{{end}}[{{$.Cache "side" "10m" $}}]{{with .Data}}({{$.Cache "side" 60 $ "u<1>"}}){{end}}`,
		"bad.html", `{{$.Cache "side" "soon" $}}{{define "side"}}x{{end}}`,
	)}
	e := mustNew(t, render.Options{Fragments: frags}, src)
	if got := renderString(t, e, "page.html", "a&b"); got != "[<b>a&amp;b</b>](<b>a&amp;b</b>)" {
		t.Fatalf("first render: %q", got)
	}
	// Cached: new data does not show until the key is deleted.
	if got := renderString(t, e, "page.html", "new"); got != "[<b>a&amp;b</b>](<b>a&amp;b</b>)" {
		t.Fatalf("second render: %q", got)
	}
	if frags.ttls["template.cache.side"] != 10*time.Minute || frags.ttls[render.FragmentKey("side", "u<1>")] != time.Minute {
		t.Fatalf("keys and TTLs: %v", frags.ttls)
	}
	delete(frags.m, render.FragmentKey("side"))
	if got := renderString(t, e, "page.html", "new"); !strings.HasPrefix(got, "[<b>new</b>]") {
		t.Fatalf("after delete: %q", got)
	}
	if err := e.Execute(new(strings.Builder), nil, "bad.html", nil); err == nil || !strings.Contains(err.Error(), "ttl") {
		t.Fatalf("bad ttl: %v", err)
	}
	// Without a FragmentCache the fragment renders every time.
	plain := mustNew(t, render.Options{}, src)
	renderString(t, plain, "page.html", "one")
	if got := renderString(t, plain, "page.html", "two"); !strings.HasPrefix(got, "[<b>two</b>]") {
		t.Fatalf("uncached: %q", got)
	}
}
