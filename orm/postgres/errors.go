package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/anode-go/anode/orm"
)

// translate turns a PostgreSQL constraint violation into an
// *orm.IntegrityError wrapping it; other errors pass through.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ie *orm.IntegrityError
	if errors.As(err, &ie) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "2201B" { // invalid_regular_expression
		return &orm.PatternError{Err: err}
	}
	if pe == nil || !strings.HasPrefix(pe.Code, "23") {
		return err
	}
	e := &orm.IntegrityError{
		Kind:       integrityKind(pe.Code),
		Constraint: pe.ConstraintName,
		Table:      pe.TableName,
		Err:        err,
	}
	switch {
	case pe.ColumnName != "":
		e.Columns = []string{pe.ColumnName}
	case strings.Contains(pe.Detail, "is still referenced from table"):
		// Deleting a referenced row: the key in Detail is the referenced
		// table's, while TableName is the referencing table. Reporting those
		// columns against that table would mislead a form.
	default:
		e.Columns = keyColumns(pe.Detail)
	}
	return e
}

// integrityKind maps a class 23 SQLSTATE to its kind.
func integrityKind(code string) orm.IntegrityKind {
	switch code {
	case "23505": // unique_violation
		return orm.IntegrityUnique
	case "23503": // foreign_key_violation
		return orm.IntegrityForeignKey
	case "23514": // check_violation
		return orm.IntegrityCheck
	case "23502": // not_null_violation
		return orm.IntegrityNotNull
	}
	return orm.IntegrityOther
}

// keyColumns returns the columns of the key in an error detail such as
// `Key (author_id, "Title")=(1, x) already exists.`. It returns nil when the
// detail names no key (the server omits it from users who may not read the
// columns) or the key is an expression such as lower(email), which names no
// column a form could mark.
func keyColumns(detail string) []string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return nil
	}
	var cols []string
	// Every pass consumes at least one byte of rest or returns.
	for rest != "" {
		var col string
		if rest[0] == '"' {
			col, rest, ok = cutQuotedIdent(rest)
			if !ok {
				return nil
			}
		} else {
			n := 0
			for n < len(rest) && isIdentByte(rest[n]) {
				n++
			}
			if n == 0 {
				return nil
			}
			col, rest = rest[:n], rest[n:]
		}
		cols = append(cols, col)
		switch {
		case strings.HasPrefix(rest, ")="):
			return cols
		case strings.HasPrefix(rest, ", "):
			rest = rest[2:]
		default:
			return nil // an expression, not a column list
		}
	}
	return nil
}

// cutQuotedIdent cuts the double-quoted identifier at the start of s, with
// "" standing for ", and returns it unquoted with the text after it.
func cutQuotedIdent(s string) (ident, rest string, ok bool) {
	var b strings.Builder
	s = s[1:]
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return "", "", false
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		if !strings.HasPrefix(s, `"`) {
			return b.String(), s, true
		}
		b.WriteByte('"')
		s = s[1:]
	}
}

// isIdentByte reports whether c may appear in an identifier the server
// prints unquoted.
func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}
