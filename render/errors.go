package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// Error is a template that could not be parsed, found or executed. Its
// message names the template rendered and the file, line and column where
// it failed; Unwrap returns the underlying error, so errors.Is and
// errors.As reach [ErrNotFound] and the errors template functions return
// (a wrong route name in url, say).
type Error struct {
	Name   string // the template being parsed or rendered
	File   string // the file where it failed, when known
	Source string // the source (module) providing File, when known
	Line   int    // 1-based line in File, 0 when unknown
	Column int    // 1-based column, 0 when unknown
	Err    error
	// Data is the handler's data the page was rendered with; it is shown on
	// the debug error page and never sent to a client in production.
	Data any

	excerpt string
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "template: "), "html/template:")
	// html/template names the copies it escapes for each context
	// "title$htmltemplate_stateRCDATA_elementTitle"; the user wrote "title".
	msg = derivedRE.ReplaceAllString(msg, "")
	if e.File == "" {
		return "render: " + msg
	}
	switch {
	case !strings.HasPrefix(msg, e.File+":") && e.Line > 0 && e.Column > 0:
		msg = fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, msg)
	case !strings.HasPrefix(msg, e.File+":") && e.Line > 0:
		msg = fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	case !strings.HasPrefix(msg, e.File):
		msg = e.File + ": " + msg
	}
	if e.Data != nil && strings.Contains(msg, "at <.Data.") && strings.Contains(msg, "in type interface {}") {
		// text/template names the field's static type; .Data is always
		// "any", so say what it held.
		msg += fmt.Sprintf(" (.Data is %T)", e.Data)
	}
	if e.File != "" && e.File == e.Name {
		return "render: " + msg
	}
	return fmt.Sprintf("render: %s: %s", e.Name, msg)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// DebugDetails returns labelled values for the debug error page: the
// template, the file and its source, the line, the lines around it and
// the data.
func (e *Error) DebugDetails() [][2]string {
	rows := [][2]string{{"Template", e.Name}}
	if e.File != "" {
		f := e.File
		if e.Source != "" {
			f += " (from " + e.Source + ")"
		}
		rows = append(rows, [2]string{"File", f})
	}
	if e.Line > 0 {
		l := strconv.Itoa(e.Line)
		if e.Column > 0 {
			l += ", column " + strconv.Itoa(e.Column)
		}
		rows = append(rows, [2]string{"Line", l})
	}
	if e.excerpt != "" {
		rows = append(rows, [2]string{"Source", e.excerpt})
	}
	if e.Data != nil {
		rows = append(rows, [2]string{"Data", dump(e.Data)})
	}
	return rows
}

// maxDump bounds the data shown on the debug page.
const maxDump = 16 << 10

// dump shows v as indented JSON when it can be encoded, else with %+v.
func dump(v any) string {
	var s string
	if b, err := json.MarshalIndent(v, "", "  "); err == nil {
		s = fmt.Sprintf("%T\n%s", v, b)
	} else {
		s = fmt.Sprintf("%T\n%+v", v, v)
	}
	if len(s) > maxDump {
		s = s[:maxDump] + "\n…"
	}
	return s
}

var derivedRE = regexp.MustCompile(`\$htmltemplate_\w+`)

// notFound is the error for a template name that no file defines.
type notFound struct {
	name, hint string
}

func (e notFound) Error() string        { return fmt.Sprintf("template %q not found%s", e.name, e.hint) }
func (e notFound) Is(target error) bool { return target == ErrNotFound }

type location struct {
	file      string
	line, col int
}

// locationRE matches the position text/template puts at the start of its
// parse and execution errors: "template: name:line:col: " or
// "template: name:line: ".
var locationRE = regexp.MustCompile(`^(?:template: |html/template:)(.+?):(\d+)(?::(\d+))?: `)

func parseLocation(msg string) location {
	m := locationRE.FindStringSubmatch(msg)
	if m == nil {
		return location{}
	}
	loc := location{file: m[1]}
	loc.line, _ = strconv.Atoi(m[2])
	loc.col, _ = strconv.Atoi(m[3])
	return loc
}

// excerpt returns the lines of text around line, numbered, the line itself
// marked.
func excerpt(text string, line int) string {
	if line <= 0 {
		return ""
	}
	lines := strings.Split(text, "\n")
	if line > len(lines) {
		return ""
	}
	var b strings.Builder
	for i := max(1, line-3); i <= min(len(lines), line+3); i++ {
		mark := "  "
		if i == line {
			mark = "> "
		}
		fmt.Fprintf(&b, "%s%4d | %s\n", mark, i, lines[i-1])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// execError wraps an execution error of page name with its location.
func (pg *page) execError(name string, err error, data any) error {
	loc := parseLocation(err.Error())
	if te := (*template.Error)(nil); loc.file == "" && errors.As(err, &te) {
		loc.file, loc.line = te.Name, te.Line // an escaping error without a position
	}
	e := &Error{Name: name, File: loc.file, Line: loc.line, Column: loc.col, Err: err, Data: data}
	if f, ok := pg.files[loc.file]; ok {
		e.Source = f.source
		e.excerpt = excerpt(f.text, loc.line)
	}
	return e
}
