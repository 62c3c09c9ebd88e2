package render

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FragmentCache stores rendered fragments for [Page.Cache]. The App wires
// its cache here (the cache named "template_fragments" when configured,
// else the default one); render itself imports no cache. Fragment returns
// the HTML under key, or calls fill, stores its result for ttl and returns
// it. It must be safe for concurrent use and should return fill's result
// when the cache fails.
type FragmentCache interface {
	Fragment(ctx context.Context, key string, ttl time.Duration, fill func() (string, error)) (string, error)
}

// Cache renders the template name (a file, or a {{define}} of the page's
// set) with data and caches the result for ttl, like Django's
// {% cache %} tag. html/template cannot add block actions, so the cached
// part is a named template:
//
//	{{define "sidebar"}}<ul>{{range .Data.Popular}}<li>{{.}}</li>{{end}}</ul>{{end}}
//	{{$.Cache "sidebar" "10m" $}}
//	{{$.Cache "greeting" 300 $ $.User.Username}}  {{/* one copy per user */}}
//
// ttl is a Go duration string, a number of seconds or a time.Duration.
// Extra arguments (varyOn) become part of the key, so each distinct value
// has its own copy. The key is "template.cache." + name + the escaped
// varyOn values; invalidate it with the cache's Delete and the same key
// (render.FragmentKey). Without a FragmentCache (Options.Fragments) the
// template is rendered every time. The output was escaped when rendered,
// so it is returned as template.HTML.
func (p *Page) Cache(name string, ttl any, data any, varyOn ...any) (template.HTML, error) {
	d, err := fragmentTTL(ttl)
	if err != nil {
		return "", err
	}
	if p.tmpl == nil {
		return "", fmt.Errorf("render: Cache %q called outside a render", name)
	}
	fill := func() (string, error) {
		var b bytes.Buffer
		if err := p.tmpl.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	if p.frags == nil {
		s, err := fill()
		return template.HTML(s), err
	}
	ctx := context.Background()
	if p.Request != nil {
		ctx = p.Request.Context()
	}
	s, err := p.frags.Fragment(ctx, FragmentKey(name, varyOn...), d, fill)
	return template.HTML(s), err
}

// FragmentKey returns the cache key [Page.Cache] uses for name and varyOn.
func FragmentKey(name string, varyOn ...any) string {
	var b strings.Builder
	b.WriteString("template.cache.")
	b.WriteString(name)
	for _, v := range varyOn {
		b.WriteByte(':')
		b.WriteString(url.QueryEscape(fmt.Sprint(v)))
	}
	return b.String()
}

func fragmentTTL(v any) (time.Duration, error) {
	switch x := v.(type) {
	case time.Duration:
		return x, nil
	case int:
		return time.Duration(x) * time.Second, nil
	case int64:
		return time.Duration(x) * time.Second, nil
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return time.Duration(n) * time.Second, nil
		}
		d, err := time.ParseDuration(x)
		if err == nil {
			return d, nil
		}
	}
	return 0, fmt.Errorf("render: Cache ttl %v: want a duration (\"10m\"), seconds, or time.Duration", v)
}
