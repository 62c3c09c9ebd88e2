package render_test

import (
	"errors"
	"fmt"
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/render"
)

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type slug string

var errNoRoute = errors.New("no route")

// TestFuncs renders each case as its own template through one engine whose
// url and static resolvers are stand-ins.
func TestFuncs(t *testing.T) {
	when := time.Date(2026, 3, 7, 9, 5, 0, 0, time.UTC)
	var nilTime *time.Time
	tests := []struct {
		name, text string
		data       any
		want       string // expected output, or the error's text when err
		err        bool
	}{
		{"url", `{{url "poll-detail" 7}}`, nil, "/polls/7/", false},
		{"url in href", `<a href="{{url "poll-detail" .Data}}">`, "a b", `<a href="/polls/a%20b/">`, false},
		{"url unknown name", `{{url "nope"}}`, nil, `error calling url: no route "nope"`, true},
		{"url wrong arity", `{{url "poll-detail"}}`, nil, `error calling url: route "poll-detail" takes 1 argument, got 0`, true},
		{"static", `{{static "css/site.css"}}`, nil, "/static/css/site.1234abcd.css", false},
		{"static missing", `{{static "nope.css"}}`, nil, `error calling static: static file "nope.css" not found`, true},

		{"date layout", `{{.Data | date "2 Jan 2006 15:04"}}`, when, "7 Mar 2026 09:05", false},
		{"date named", `{{date "date" .Data}}|{{date "datetime" .Data}}|{{date "short_date" .Data}}|{{date "time" .Data}}|{{date "iso" .Data}}`, when,
			"March 7, 2026|March 7, 2026 09:05|2026-03-07|09:05|2026-03-07T09:05:00Z", false},
		{"date pointer", `{{date "short_date" .Data}}`, &when, "2026-03-07", false},
		{"date nil pointer", `[{{date "date" .Data}}]`, nilTime, "[]", false},
		{"date zero", `[{{date "date" .Data}}]`, time.Time{}, "[]", false},
		{"date not a time", `{{date "date" .Data}}`, "2026-03-07", "error calling date: date: want a time.Time, got string", true},

		{"intcomma", `{{intcomma 0}} {{intcomma 999}} {{intcomma 1000}} {{intcomma -1234567}} {{intcomma .Data}}`, uint64(18446744073709551615),
			"0 999 1,000 -1,234,567 18,446,744,073,709,551,615", false},
		{"intcomma float and decimal", `{{intcomma 1234567.25}} {{intcomma .Data}} {{intcomma "1234.50"}}`, stringer{"-9876543.21"},
			"1,234,567.25 -9,876,543.21 1,234.50", false},
		{"intcomma not a number", `{{intcomma "12a"}}`, nil, `error calling intcomma: intcomma: want a number, got string "12a"`, true},

		{"floatformat", `{{floatformat 2 3.14159}} {{floatformat 0 2.5}} {{floatformat 1 .Data}} {{floatformat 2 7}}`, float32(0.25), "3.14 2 0.2 7.00", false},
		{"floatformat trimmed", `{{floatformat -2 2.50}} {{floatformat -2 2.0}} {{floatformat -3 34.23234}} {{floatformat -2 "1.005"}}`, nil, "2.5 2 34.232 1", false},
		{"floatformat negative zero", `{{floatformat 2 -0.001}} {{floatformat -1 -0.01}}`, nil, "0.00 0", false},
		{"floatformat not a number", `{{floatformat 2 .Data}}`, true, "error calling floatformat: floatformat: want a number, got bool", true},

		{"pluralize", `{{0 | pluralize}} {{1 | pluralize}} {{2 | pluralize}} {{.Data | pluralize}}`, []int{1}, "s  s ", false},
		{"pluralize forms", `{{1 | pluralize "y,ies"}} {{3 | pluralize "y,ies"}} {{1 | pluralize "es"}}|{{2 | pluralize "es"}}`, nil, "y ies |es", false},
		{"pluralize in words", `{{len .Data}} vote{{pluralize .Data}}`, []string{"a", "b"}, "2 votes", false},
		{"pluralize bad count", `{{pluralize .Data}}`, struct{}{}, "pluralize: want a number or a list, got struct {}", true},
		{"pluralize bad forms", `{{pluralize "a,b,c" 2}}`, nil, `pluralize: suffixes "a,b,c"`, true},
		{"pluralize too many", `{{pluralize "a" "b" 2}}`, nil, "pluralize: want a count and at most one suffix string, got 3 arguments", true},

		{"truncate", `{{truncate 5 "hello"}}|{{truncate 4 "hello"}}|{{truncate 1 "hello"}}|{{truncate 0 "hello"}}`, nil, "hello|hel…|…|", false},
		{"truncate runes", `{{.Data | truncate 4}}`, "héllo wörld", "hél…", false},
		{"truncate trims space", `{{truncate 7 "hello world"}}`, nil, "hello…", false},
		{"truncate types", `{{truncate 3 .Data}}`, slug("abcdef"), "ab…", false},
		{"truncate escapes", `{{truncate 6 .Data}}`, "<b>bold</b>", "&lt;b&gt;bo…", false},
		{"truncate negative", `{{truncate -1 "x"}}`, nil, "truncate: negative length -1", true},
		{"truncate not a string", `{{truncate 3 5}}`, nil, "truncate: want a string, got int", true},

		{"default", `{{default "none" .Data}}|{{default "none" ""}}|{{default "none" 0}}|{{default "none" "x"}}|{{default 1 nil}}`, []int{}, "none|none|none|x|1", false},
		{"join strings", `{{join ", " .Data}}`, []string{"a", "<b>"}, "a, &lt;b&gt;", false},
		{"join any", `{{.Data | join " / "}}`, []any{1, "two", stringer{"3"}}, "1 / two / 3", false},
		{"join not a list", `{{join ", " "abc"}}`, nil, "join: want a slice, got string", true},

		{"case", `{{lower "HeLLo"}} {{upper "grüße"}} {{title "the o'neil-smith CASE"}} {{title .Data}}`, stringer{"élan vital"}, "hello GRÜßE The O&#39;neil-Smith Case Élan Vital", false},
		{"case not a string", `{{upper 1}}`, nil, "want a string, got int", true},

		{"yesno", `{{yesno true}} {{yesno false}} {{yesno .Data}} {{yesno 0}} {{yesno "x"}}`, nil, "yes no maybe no yes", false},
		{"yesno words", `{{true | yesno "on,off"}} {{.Data | yesno "on,off"}} {{.Data | yesno "on,off,unset"}}`, (*int)(nil), "on off unset", false},
		{"yesno bad words", `{{yesno "on" true}}`, nil, `yesno: words "on"`, true},

		{"dict", `{{template "row" dict "Name" "a<" "N" 2}}{{define "row"}}{{.Name}}={{.N}}{{end}}`, nil, "a&lt;=2", false},
		{"dict odd", `{{dict "a"}}`, nil, "dict: want key-value pairs, got 1 arguments", true},
		{"dict key", `{{dict 1 2}}`, nil, "dict: key 0 is int, want a string", true},

		{"trusted HTML passes", `{{.Data}}`, template.HTML("<b>ok</b>"), "<b>ok</b>", false},
		{"custom func", `{{shout "hi"}}`, nil, "HI!", false},
	}
	var files []string
	for i, tt := range tests {
		files = append(files, fmt.Sprintf("t%d.html", i), tt.text)
	}
	e := mustNew(t, render.Options{
		URL: func(name string, args ...any) (string, error) {
			if name != "poll-detail" {
				return "", fmt.Errorf("no route %q: %w", name, errNoRoute)
			}
			if len(args) != 1 {
				return "", fmt.Errorf("route %q takes 1 argument, got %d", name, len(args))
			}
			return fmt.Sprintf("/polls/%v/", args[0]), nil
		},
		Static: func(name string) (string, error) {
			if name != "css/site.css" {
				return "", fmt.Errorf("static file %q not found", name)
			}
			return "/static/css/site.1234abcd.css", nil
		},
		Funcs: template.FuncMap{"shout": func(s string) string { return strings.ToUpper(s) + "!" }},
	}, render.Source{Name: "app", FS: mapFS(files...)})

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			err := e.Render(w, httptest.NewRequest("GET", "/", nil), fmt.Sprintf("t%d.html", i), tt.data)
			switch {
			case tt.err && err == nil:
				t.Fatalf("rendered %q, want an error", w.Body)
			case tt.err && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not contain %q", err, tt.want)
			case !tt.err && err != nil:
				t.Fatalf("error: %v", err)
			case !tt.err && w.Body.String() != tt.want:
				t.Fatalf("got  %q\nwant %q", w.Body, tt.want)
			}
			if tt.err && w.Body.Len() != 0 {
				t.Errorf("a failed render wrote %q", w.Body)
			}
		})
	}

	// A resolver's error stays reachable through the render error.
	err := e.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "t2.html", nil)
	if !errors.Is(err, errNoRoute) {
		t.Errorf("url error %v does not wrap the resolver's error", err)
	}
}

func TestFuncsWithoutResolvers(t *testing.T) {
	e := mustNew(t, render.Options{}, render.Source{Name: "app", FS: mapFS("u.html", `{{url "x"}}`, "s.html", `{{static "x"}}`)})
	for name, want := range map[string]string{
		"u.html": "render: url: no URL resolver (Options.URL) is configured",
		"s.html": "render: static: no static file resolver (Options.Static) is configured",
	} {
		err := e.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), name, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}
