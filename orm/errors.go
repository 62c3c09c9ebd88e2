package orm

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on.
var (
	// ErrNotFound is returned by Get when no row matches. The kernel renders
	// it as 404.
	ErrNotFound = errors.New("orm: object not found")
	// ErrMultipleObjects is returned by Get when more than one row matches.
	ErrMultipleObjects = errors.New("orm: more than one object matched")
)

// IntegrityKind is the kind of constraint an IntegrityError violated.
type IntegrityKind int

// Kinds of integrity errors.
const (
	IntegrityOther IntegrityKind = iota
	IntegrityUnique
	IntegrityForeignKey
	IntegrityCheck
	IntegrityNotNull
)

func (k IntegrityKind) String() string {
	return [...]string{"integrity", "unique", "foreign key", "check", "not null"}[k]
}

// IntegrityError reports a constraint violation, with the constraint's kind
// and, where the database reports them, its name, table and columns — enough
// for a form to turn it into a field error.
type IntegrityError struct {
	Kind       IntegrityKind
	Constraint string   // constraint or index name, when known
	Table      string   // table name, when known
	Columns    []string // columns involved, when known
	Err        error    // the driver's error
}

func (e *IntegrityError) Error() string {
	s := "orm: " + e.Kind.String() + " constraint violated"
	if e.Constraint != "" {
		s += fmt.Sprintf(" (%s)", e.Constraint)
	}
	if e.Table != "" {
		s += " on " + e.Table
		if len(e.Columns) > 0 {
			s += fmt.Sprintf("%v", e.Columns)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the driver's error.
func (e *IntegrityError) Unwrap() error { return e.Err }

// ModelError reports a model definition the ORM cannot accept. It is found
// at start-up and names the model and field.
type ModelError struct {
	Model  string // Go type name, e.g. "polls.Question"
	Field  string // Go field name, or "" for the model as a whole
	Reason string
}

func (e *ModelError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("orm: model %s: %s", e.Model, e.Reason)
	}
	return fmt.Sprintf("orm: model %s, field %s: %s", e.Model, e.Field, e.Reason)
}

// PatternError reports a regular expression (regex, iregex lookups) the
// database cannot compile. On SQLite, whose REGEXP is Go's regexp, it is
// found before the query is sent, inside a *LookupError naming the model and
// field; on PostgreSQL, the database reports it.
type PatternError struct {
	Pattern string // the pattern, when known
	Err     error
}

func (e *PatternError) Error() string {
	if e.Pattern == "" {
		return "orm: invalid regular expression: " + e.Err.Error()
	}
	return fmt.Sprintf("orm: invalid regular expression %q: %v", e.Pattern, e.Err)
}

// Unwrap returns the underlying error.
func (e *PatternError) Unwrap() error { return e.Err }
