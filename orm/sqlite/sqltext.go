package sqlite

import (
	"regexp"
	"strings"
)

// SQLite keeps CHECK constraints, constraint names, index expressions and
// partial-index predicates only in the DDL text stored in sqlite_master,
// as it was written. This file splits that text into tokens, finds the
// clauses introspection needs, and renders expressions in one canonical
// form so that the same schema written two ways compares equal.

type tokenKind uint8

const (
	tokWord   tokenKind = iota // keyword, unquoted identifier or number
	tokIdent                   // quoted identifier; text is its value
	tokString                  // string or blob literal, as written
	tokPunct                   // operator or punctuation
)

type token struct {
	kind tokenKind
	text string
}

// is reports whether t is the keyword or punctuation s (ASCII case folded).
func (t token) is(s string) bool {
	return (t.kind == tokWord || t.kind == tokPunct) && strings.EqualFold(t.text, s)
}

// name is t's value as an identifier: a quoted identifier's content, an
// unquoted one in lower case (SQLite compares names without case).
func (t token) name() string {
	if t.kind == tokWord {
		return strings.ToLower(t.text)
	}
	return t.text
}

var twoCharOps = []string{"||", ">=", "<=", "<>", "!=", "==", "<<", ">>", "->"}

// tokenize splits SQL text into tokens, dropping whitespace and comments.
// Unterminated quotes and comments run to the end of the text.
func tokenize(sql string) []token {
	var out []token
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return out
			}
			i += end + 1
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += 2 + end + 2
		case c == '\'':
			n := quotedLen(sql[i:], '\'')
			out = append(out, token{tokString, sql[i : i+n]})
			i += n
		case c == '"' || c == '`':
			n := quotedLen(sql[i:], c)
			out = append(out, token{tokIdent, unquote(sql[i:i+n], c)})
			i += n
		case c == '[':
			end := strings.IndexByte(sql[i:], ']')
			if end < 0 {
				out = append(out, token{tokIdent, sql[i+1:]})
				return out
			}
			out = append(out, token{tokIdent, sql[i+1 : i+end]})
			i += end + 1
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			n := quotedLen(sql[i+1:], '\'')
			out = append(out, token{tokString, "x" + sql[i+1:i+1+n]})
			i += 1 + n
		case isDigit(c) || c == '.' && i+1 < len(sql) && isDigit(sql[i+1]):
			n := numberLen(sql[i:])
			out = append(out, token{tokWord, sql[i : i+n]})
			i += n
		case isWordByte(c):
			j := i + 1
			for j < len(sql) && (isWordByte(sql[j]) || isDigit(sql[j]) || sql[j] == '$') {
				j++
			}
			out = append(out, token{tokWord, sql[i:j]})
			i = j
		default:
			n := 1
			for _, op := range twoCharOps {
				if strings.HasPrefix(sql[i:], op) {
					n = 2
					if op == "->" && strings.HasPrefix(sql[i:], "->>") {
						n = 3
					}
					break
				}
			}
			out = append(out, token{tokPunct, sql[i : i+n]})
			i += n
		}
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordByte: letters, _, and every non-ASCII byte (SQLite allows them in
// identifiers).
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// quotedLen is the length of the quoted text at the start of s, quote
// doubled inside, including both quotes (or the rest of s if unterminated).
func quotedLen(s string, quote byte) int {
	for i := 1; i < len(s); i++ {
		if s[i] == quote {
			if i+1 < len(s) && s[i+1] == quote {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}

func unquote(s string, quote byte) string {
	s = s[1:]
	if len(s) > 0 && s[len(s)-1] == quote {
		s = s[:len(s)-1]
	}
	q := string(quote)
	return strings.ReplaceAll(s, q+q, q)
}

// numberLen is the length of the numeric literal at the start of s:
// digits, a fraction, an exponent (with sign), or hex (0x...).
func numberLen(s string) int {
	i := 0
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		i = 2
		for i < len(s) && (isDigit(s[i]) || isWordByte(s[i]) && s[i] < 0x80) {
			i++
		}
		return i
	}
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

var simpleName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// normalize renders tokens canonically: keywords, unquoted names and
// numbers in lower case, quoted names bare when they are simple lower-case
// names (else double-quoted), literals as written, one space between
// tokens except inside parentheses, around "." and ",", between a name and
// its "(" (a call or a type's size, not an operator such as AND or IN) and
// after a leading sign.
func normalize(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && spaced(toks[i-1], t, i) {
			b.WriteByte(' ')
		}
		switch t.kind {
		case tokWord:
			b.WriteString(strings.ToLower(t.text))
		case tokIdent:
			if simpleName.MatchString(t.text) {
				b.WriteString(t.text)
			} else {
				b.WriteString(`"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`)
			}
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// spacedKeywords are the keywords a "(" may follow without being a call.
var spacedKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "exists": true, "between": true,
	"like": true, "glob": true, "regexp": true, "match": true, "escape": true,
	"case": true, "when": true, "then": true, "else": true, "where": true, "on": true, "as": true,
}

func spaced(prev, cur token, i int) bool {
	number := func(t token) bool { return t.kind == tokWord && (isDigit(t.text[0]) || t.text[0] == '.') }
	switch {
	case prev.is(".") && number(cur), cur.is(".") && number(prev):
		return true // "t. 5" and "0 .a" must not become the numbers ".5" and "0."
	case prev.is("(") || prev.is(".") || prev.is(","):
		return false
	case cur.is(")") || cur.is(",") || cur.is("."):
		return false
	case cur.is("(") && (prev.kind == tokWord && !spacedKeywords[strings.ToLower(prev.text)] || prev.kind == tokIdent):
		return false // a call or a type's size
	case i == 1 && number(cur) && (prev.is("-") || prev.is("+")):
		return false // a leading sign: DEFAULT -1
	}
	return true
}

// closing returns the index of the ")" matching the "(" at toks[open], or
// len(toks) if there is none.
func closing(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].is("("):
			depth++
		case toks[i].is(")"):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// splitTop splits toks at the commas outside parentheses.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.is("("):
			depth++
		case t.is(")"):
			depth--
		case t.is(",") && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// firstParen is the index of the first "(" in toks, or -1.
func firstParen(toks []token) int {
	for i, t := range toks {
		if t.is("(") {
			return i
		}
	}
	return -1
}

// names returns the first token of each comma-separated item of a column
// list, as a name ("a" COLLATE NOCASE DESC → a).
func names(toks []token) []string {
	var out []string
	for _, item := range splitTop(toks) {
		if len(item) > 0 {
			out = append(out, item[0].name())
		}
	}
	return out
}

// tableDDL is what introspection takes from a CREATE TABLE statement: the
// constraints SQLite's pragmas do not name or do not report.
type tableDDL struct {
	checks        []checkDDL
	uniques       []namedColumns // name and columns of UNIQUE constraints
	foreignKeys   []namedColumns // name and referencing columns
	autoIncrement map[string]bool
}

type checkDDL struct{ name, expr string }

type namedColumns struct {
	name    string
	columns []string
}

// parseCreateTable reads the column definitions and table constraints of
// a CREATE TABLE statement.
func parseCreateTable(sql string) tableDDL {
	var d tableDDL
	toks := tokenize(sql)
	open := firstParen(toks)
	if open < 0 {
		return d // CREATE TABLE ... AS SELECT
	}
	for _, clause := range splitTop(toks[open+1 : closing(toks, open)]) {
		if len(clause) == 0 {
			continue
		}
		column := ""
		switch first := clause[0]; {
		case first.is("constraint"), first.is("primary"), first.is("unique"), first.is("check"), first.is("foreign"):
		default:
			column = first.name()
			clause = clause[1:]
		}
		d.clause(column, clause)
	}
	return d
}

// clause records the constraints of one column definition (column is its
// name) or table constraint (column is ""). A CONSTRAINT name applies to
// the constraint that follows it.
func (d *tableDDL) clause(column string, toks []token) {
	name := ""
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is("("):
			i = closing(toks, i) // a type's size, a default's expression: nothing to find
		case t.is("constraint") && i+1 < len(toks):
			i++
			name = toks[i].name()
			continue
		case t.is("check") && i+1 < len(toks) && toks[i+1].is("("):
			end := closing(toks, i+1)
			d.checks = append(d.checks, checkDDL{name, normalize(toks[i+2 : min(end, len(toks))])})
			i = end
		case t.is("unique"):
			cols := []string{column}
			if column == "" && i+1 < len(toks) && toks[i+1].is("(") {
				end := closing(toks, i+1)
				cols = names(toks[i+2 : min(end, len(toks))])
				i = end
			}
			d.uniques = append(d.uniques, namedColumns{name, cols})
		case t.is("foreign") && i+2 < len(toks) && toks[i+1].is("key") && toks[i+2].is("("):
			end := closing(toks, i+2)
			d.foreignKeys = append(d.foreignKeys, namedColumns{name, names(toks[i+3 : min(end, len(toks))])})
			i = skipReferences(toks, end+1)
		case t.is("references") && column != "":
			d.foreignKeys = append(d.foreignKeys, namedColumns{name, []string{column}})
			i = skipReferences(toks, i)
		case t.is("autoincrement") && column != "":
			if d.autoIncrement == nil {
				d.autoIncrement = make(map[string]bool)
			}
			d.autoIncrement[column] = true
		}
		name = ""
	}
}

// skipReferences returns the index of the last token of the
// "REFERENCES table (columns)" clause starting at i, so its column list
// is not read as anything else.
func skipReferences(toks []token, i int) int {
	if i+2 < len(toks) && toks[i].is("references") && toks[i+2].is("(") {
		return closing(toks, i+2)
	}
	return i + 1
}

// nameFor returns the name of the entry of list with exactly columns, or "".
func nameFor(list []namedColumns, columns []string) string {
	for _, nc := range list {
		if strings.EqualFold(strings.Join(nc.columns, "\x00"), strings.Join(columns, "\x00")) {
			return nc.name
		}
	}
	return ""
}

// parseCreateIndex returns the normalized terms and WHERE predicate ("" if
// none) of a CREATE INDEX statement.
func parseCreateIndex(sql string) (terms []string, where string) {
	toks := tokenize(sql)
	open := firstParen(toks)
	if open < 0 {
		return nil, ""
	}
	end := closing(toks, open)
	for _, item := range splitTop(toks[open+1 : end]) {
		terms = append(terms, normalize(item))
	}
	if end+1 < len(toks) && toks[end+1].is("where") {
		rest := toks[end+2:]
		if n := len(rest); n > 0 && rest[n-1].is(";") {
			rest = rest[:n-1]
		}
		where = normalize(rest)
	}
	return terms, where
}
