package sqlite

import (
	"errors"
	"regexp"
	"strings"

	"github.com/anode-go/anode/orm"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// errTxDone is returned by a Tx's methods after Commit or Rollback.
	errTxDone = errors.New("sqlite: transaction has already been committed or rolled back")
	// codeSuffix is the " (2067)" the driver appends to SQLite's message.
	codeSuffix = regexp.MustCompile(`\s*\(\d+\)$`)
	// identRE matches a constraint name, as opposed to the expression SQLite
	// reports for an unnamed CHECK constraint.
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)
)

// translate turns a constraint violation into *orm.IntegrityError; other
// errors, and nil, pass through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return err
	}
	var ie *orm.IntegrityError
	if errors.As(err, &ie) {
		return err
	}
	ie = &orm.IntegrityError{Kind: orm.IntegrityOther, Err: err}
	msg := codeSuffix.ReplaceAllString(se.Error(), "")
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		ie.Kind = orm.IntegrityUnique
		if detail, ok := after(msg, "UNIQUE constraint failed: "); ok {
			if name, ok := strings.CutPrefix(detail, "index "); ok {
				// A unique index on expressions: SQLite names the index.
				ie.Constraint = strings.Trim(name, `'"`)
			} else {
				ie.Table, ie.Columns = tableColumns(detail)
			}
		}
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		ie.Kind = orm.IntegrityNotNull
		if detail, ok := after(msg, "NOT NULL constraint failed: "); ok {
			ie.Table, ie.Columns = tableColumns(detail)
		}
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		ie.Kind = orm.IntegrityCheck
		if detail, ok := after(msg, "CHECK constraint failed: "); ok && identRE.MatchString(detail) {
			ie.Constraint = detail
		}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// "FOREIGN KEY constraint failed" names neither table nor column.
		ie.Kind = orm.IntegrityForeignKey
	default:
		// ON DELETE RESTRICT fires as a trigger (SQLITE_CONSTRAINT_TRIGGER)
		// with the same message as other foreign key failures.
		if strings.Contains(msg, "FOREIGN KEY constraint failed") {
			ie.Kind = orm.IntegrityForeignKey
		}
	}
	return ie
}

// after returns what follows marker in msg.
func after(msg, marker string) (string, bool) {
	i := strings.Index(msg, marker)
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(msg[i+len(marker):]), true
}

// tableColumns splits SQLite's "t.a, t.b" into the table and its columns.
func tableColumns(detail string) (table string, cols []string) {
	for part := range strings.SplitSeq(detail, ", ") {
		i := strings.LastIndexByte(part, '.')
		if i < 0 {
			continue
		}
		table = part[:i]
		cols = append(cols, part[i+1:])
	}
	return table, cols
}
