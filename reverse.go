package anode

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// segment is a literal piece of a route path or a wildcard.
type segment struct {
	literal string // set for literal text
	name    string // wildcard name
	rest    bool   // {name...}
}

// parseSegments splits a ServeMux path into literals and wildcards, dropping {$}.
func parseSegments(path string) ([]segment, error) {
	var segs []segment
	for path != "" {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			segs = append(segs, segment{literal: path})
			break
		}
		if i > 0 {
			segs = append(segs, segment{literal: path[:i]})
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return nil, errors.New("unclosed {")
		}
		name := path[i+1 : i+j]
		path = path[i+j+1:]
		switch {
		case name == "$":
		case strings.HasSuffix(name, "..."):
			segs = append(segs, segment{name: strings.TrimSuffix(name, "..."), rest: true})
		default:
			segs = append(segs, segment{name: name})
		}
	}
	return segs, nil
}

// URLError reports a failed URL reversal.
type URLError struct {
	Name   string // the route name
	Reason string
}

func (e *URLError) Error() string { return fmt.Sprintf("anode: url %q: %s", e.Name, e.Reason) }

// reverse builds the path of the named route from positional arguments, one per
// wildcard in order. Each argument is escaped as one path segment; a {rest...}
// argument may contain slashes.
func (t *routeTable) reverse(name string, args []any) (string, error) {
	rt, ok := t.byName[name]
	if !ok {
		return "", &URLError{Name: name, Reason: "no route has this name" + t.nameHint(name)}
	}
	var wild []string
	for _, s := range rt.segments {
		if s.literal == "" {
			wild = append(wild, s.name)
		}
	}
	if len(args) != len(wild) {
		return "", &URLError{Name: name, Reason: fmt.Sprintf("pattern %q takes %d argument(s) (%s), got %d", rt.Pattern, len(wild), strings.Join(wild, ", "), len(args))}
	}
	var b strings.Builder
	n := 0
	for _, s := range rt.segments {
		if s.literal != "" {
			b.WriteString(s.literal)
			continue
		}
		v := argString(args[n])
		n++
		if v == "" && !s.rest {
			return "", &URLError{Name: name, Reason: fmt.Sprintf("argument for {%s} is empty", s.name)}
		}
		if s.rest {
			parts := strings.Split(v, "/")
			for i, p := range parts {
				parts[i] = url.PathEscape(p)
			}
			b.WriteString(strings.Join(parts, "/"))
		} else {
			b.WriteString(url.PathEscape(v))
		}
	}
	return b.String(), nil
}

func (t *routeTable) nameHint(name string) string {
	var close []string
	for n := range t.byName {
		if strings.Contains(n, name) || strings.Contains(name, n) {
			close = append(close, n)
		}
	}
	if len(close) == 0 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", strings.Join(close, ", "))
}

func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(a)
}
