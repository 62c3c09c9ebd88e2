package orm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// CreateTableSQL returns the statements that create m's table, its
// constraints and its indexes in dialect d. Migrations render their
// CreateModel operation with it, and tests create tables with it, so both
// produce the same schema. Constraint and index names are derived from the
// table and columns (shortened with a hash past 63 characters), so
// IntegrityError.Constraint names something stable.
func CreateTableSQL(d Dialect, m *Model) ([]string, error) {
	t, err := NewTableDDL(d, m)
	if err != nil {
		return nil, err
	}
	return t.Create(t.Table), nil
}

// TableDDL is the schema of one model's table in one dialect, in parts, so
// that migrations can create, compare and rebuild tables with the same text
// CreateTableSQL uses.
type TableDDL struct {
	// Table is the quoted table name.
	Table string
	// Columns are the quoted column names and their definitions ("BIGINT
	// NOT NULL"), in field order.
	Columns []ColumnDDL
	// Constraints are the table constraints (unique, foreign key, check),
	// each "CONSTRAINT name …" as written inside CREATE TABLE.
	Constraints []NamedDDL
	// Indexes are the CREATE INDEX statements.
	Indexes []NamedDDL
}

// ColumnDDL is one column of a TableDDL.
type ColumnDDL struct {
	Field   *Field
	Name    string // quoted
	Type    string // the column type
	Default string // the DEFAULT literal, "" for none
	Def     string // type, default, NULL or NOT NULL, PRIMARY KEY
}

// NamedDDL is a constraint clause or an index statement with its name
// (unquoted).
type NamedDDL struct {
	Name, SQL string
}

// Create returns the statements creating the table under the quoted name
// table (the model's own, or a temporary name for a rebuild) and then its
// indexes, which always name the model's table.
func (t *TableDDL) Create(table string) []string {
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, c.Name+" "+c.Def)
	}
	for _, c := range t.Constraints {
		cols = append(cols, c.SQL)
	}
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)", table, strings.Join(cols, ",\n\t"))}
	for _, ix := range t.Indexes {
		stmts = append(stmts, ix.SQL)
	}
	return stmts
}

// NewTableDDL renders m's table in dialect d.
func NewTableDDL(d Dialect, m *Model) (*TableDDL, error) {
	q := d.QuoteIdent
	t := &TableDDL{Table: q(m.Table)}
	for _, f := range m.Fields {
		typ, dflt, def, err := columnDef(d, m, f)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, ColumnDDL{Field: f, Name: q(f.Column), Type: typ, Default: dflt, Def: def})
	}
	constraint := func(name, body string) {
		t.Constraints = append(t.Constraints, NamedDDL{Name: name, SQL: "CONSTRAINT " + q(name) + " " + body})
	}
	for _, f := range m.Fields {
		if f.Unique && !f.PrimaryKey {
			constraint(constraintName(m.Table, []string{f.Column}, "uniq"), fmt.Sprintf("UNIQUE (%s)", q(f.Column)))
		}
	}
	for _, f := range m.Fields {
		if f.Kind != KindForeignKey {
			continue
		}
		if f.Related == nil {
			return nil, &ModelError{Model: m.Label(), Field: f.Name, Reason: "foreign key not resolved (call Registry.Resolve after registering every module)"}
		}
		constraint(constraintName(m.Table, []string{f.Column}, "fk"), fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s",
			q(f.Column), q(f.Related.Table), q(f.Related.PK.Column), f.OnDelete.sql()))
	}
	for _, set := range m.Meta.UniqueTogether {
		columns := m.columns(set)
		constraint(constraintName(m.Table, columns, "uniq"), fmt.Sprintf("UNIQUE (%s)", quoteList(d, columns)))
	}
	for _, c := range m.Meta.Checks {
		cond, err := inlineCondition(d, m, c.Cond)
		if err != nil {
			return nil, &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Checks %s: %v", c.Name, err)}
		}
		constraint(c.Name, fmt.Sprintf("CHECK (%s)", cond))
	}
	for _, f := range m.Fields {
		if (f.Index || f.Kind == KindForeignKey) && !f.Unique && !f.PrimaryKey {
			name := constraintName(m.Table, []string{f.Column}, "idx")
			t.Indexes = append(t.Indexes, NamedDDL{Name: name, SQL: fmt.Sprintf("CREATE INDEX %s ON %s (%s)", q(name), q(m.Table), q(f.Column))})
		}
	}
	for _, ix := range m.Meta.Indexes {
		columns, terms := indexTerms(d, m, ix.Fields)
		name := ix.Name
		if name == "" {
			name = constraintName(m.Table, columns, "idx")
		}
		unique := ""
		if ix.Unique {
			unique = "UNIQUE "
		}
		stmt := fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", unique, q(name), q(m.Table), strings.Join(terms, ", "))
		if !ix.Where.isZero() {
			where, err := inlineCondition(d, m, ix.Where)
			if err != nil {
				return nil, &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Indexes %s Where: %v", name, err)}
			}
			stmt += " WHERE " + where
		}
		t.Indexes = append(t.Indexes, NamedDDL{Name: name, SQL: stmt})
	}
	return t, nil
}

// columnDef renders f's column: its type, its DEFAULT literal ("" for
// none) and the whole definition.
func columnDef(d Dialect, m *Model, f *Field) (typ, dflt, def string, err error) {
	if f.PrimaryKey && f.AutoIncrement {
		def = d.AutoPrimaryKey()
		return def, "", def, nil
	}
	col := f
	if f.Kind == KindForeignKey {
		if f.Related == nil {
			return "", "", "", &ModelError{Model: m.Label(), Field: f.Name, Reason: "foreign key not resolved (call Registry.Resolve after registering every module)"}
		}
		col = f.Related.PK // the key column has the type of the primary key it refers to
	}
	typ, err = d.ColumnType(col)
	if err != nil {
		return "", "", "", &ModelError{Model: m.Label(), Field: f.Name, Reason: err.Error()}
	}
	switch {
	case f.DBDefault != nil:
		if dflt, err = defaultLiteral(d, f); err != nil {
			return "", "", "", &ModelError{Model: m.Label(), Field: f.Name, Reason: "db_default: " + err.Error()}
		}
	case f.Kind == KindForeignKey && f.Default != nil:
		// ON DELETE SET DEFAULT needs the default in the schema. The value
		// comes from the model's tag, parsed as the key type, never from input.
		if dflt, err = keyLiteral(f.Default); err != nil {
			return "", "", "", &ModelError{Model: m.Label(), Field: f.Name, Reason: err.Error()}
		}
	}
	def = typ
	if dflt != "" {
		def += " DEFAULT " + dflt
	}
	switch {
	case f.PrimaryKey:
		def += " NOT NULL PRIMARY KEY"
	case f.Null:
		def += " NULL"
	default:
		def += " NOT NULL"
	}
	return typ, dflt, def, nil
}

// NowDefaulter is an optional Dialect interface: the DEFAULT expression for
// the current time (KindTime) or date (KindDate) in the form the dialect
// stores them. Without it, CURRENT_TIMESTAMP and CURRENT_DATE are used.
type NowDefaulter interface {
	DefaultNow(k Kind) string
}

// defaultLiteral renders f's DBDefault through Literal.
func defaultLiteral(d Dialect, f *Field) (string, error) {
	switch v := f.DBDefault.(type) {
	case dbNow:
		if nd, ok := d.(NowDefaulter); ok {
			return nd.DefaultNow(f.Kind), nil
		}
		if f.Kind == KindDate {
			return "CURRENT_DATE", nil
		}
		return "CURRENT_TIMESTAMP", nil
	case Decimal:
		_, scaled := d.(ScaledDecimals)
		bv, err := decimalArg{v, f.Places}.bind(scaled)
		if err != nil {
			return "", err
		}
		if s, ok := bv.(string); ok {
			return s, nil // digits, sign and point only: Decimal.String
		}
		return Literal(bv)
	}
	return Literal(f.DBDefault)
}

// columns maps Go field names (already validated by checkMeta) to columns.
func (m *Model) columns(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = m.byName[n].Column
	}
	return out
}

func quoteList(d Dialect, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// constraintName is "<table>_<col>_<col>_<suffix>", shortened to fit 63
// characters with an 8-hex-digit hash of the full name so it stays unique.
func constraintName(table string, columns []string, suffix string) string {
	name := table + "_" + strings.Join(columns, "_") + "_" + suffix
	if len(name) <= maxIdentLen {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:4])
	keep := maxIdentLen - len(h) - len(suffix) - 2
	return strings.TrimRight(name[:keep], "_") + "_" + h + "_" + suffix
}
