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
	q := d.QuoteIdent
	var cols []string
	for _, f := range m.Fields {
		def, err := columnDef(d, m, f)
		if err != nil {
			return nil, err
		}
		cols = append(cols, q(f.Column)+" "+def)
	}
	for _, f := range m.Fields {
		if f.Unique && !f.PrimaryKey {
			cols = append(cols, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)", q(constraintName(m.Table, []string{f.Column}, "uniq")), q(f.Column)))
		}
	}
	for _, f := range m.Fields {
		if f.Kind != KindForeignKey {
			continue
		}
		if f.Related == nil {
			return nil, &ModelError{Model: m.Label(), Field: f.Name, Reason: "foreign key not resolved (call Registry.Resolve after registering every module)"}
		}
		cols = append(cols, fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s",
			q(constraintName(m.Table, []string{f.Column}, "fk")), q(f.Column), q(f.Related.Table), q(f.Related.PK.Column), f.OnDelete.sql()))
	}
	for _, set := range m.Meta.UniqueTogether {
		columns := m.columns(set)
		cols = append(cols, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)", q(constraintName(m.Table, columns, "uniq")), quoteList(d, columns)))
	}
	for _, c := range m.Meta.Checks {
		cond, err := inlineCondition(d, m, c.Cond)
		if err != nil {
			return nil, &ModelError{Model: m.Label(), Reason: fmt.Sprintf("Meta.Checks %s: %v", c.Name, err)}
		}
		cols = append(cols, fmt.Sprintf("CONSTRAINT %s CHECK (%s)", q(c.Name), cond))
	}
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)", q(m.Table), strings.Join(cols, ",\n\t"))}
	for _, f := range m.Fields {
		if (f.Index || f.Kind == KindForeignKey) && !f.Unique && !f.PrimaryKey {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX %s ON %s (%s)", q(constraintName(m.Table, []string{f.Column}, "idx")), q(m.Table), q(f.Column)))
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
		stmts = append(stmts, stmt)
	}
	return stmts, nil
}

func columnDef(d Dialect, m *Model, f *Field) (string, error) {
	if f.PrimaryKey && f.AutoIncrement {
		return d.AutoPrimaryKey(), nil
	}
	col := f
	if f.Kind == KindForeignKey {
		if f.Related == nil {
			return "", &ModelError{Model: m.Label(), Field: f.Name, Reason: "foreign key not resolved (call Registry.Resolve after registering every module)"}
		}
		col = f.Related.PK // the key column has the type of the primary key it refers to
	}
	typ, err := d.ColumnType(col)
	if err != nil {
		return "", &ModelError{Model: m.Label(), Field: f.Name, Reason: err.Error()}
	}
	switch {
	case f.DBDefault != nil:
		lit, err := defaultLiteral(d, f)
		if err != nil {
			return "", &ModelError{Model: m.Label(), Field: f.Name, Reason: "db_default: " + err.Error()}
		}
		typ += " DEFAULT " + lit
	case f.Kind == KindForeignKey && f.Default != nil:
		// ON DELETE SET DEFAULT needs the default in the schema. The value
		// comes from the model's tag, parsed as the key type, never from input.
		lit, err := keyLiteral(f.Default)
		if err != nil {
			return "", &ModelError{Model: m.Label(), Field: f.Name, Reason: err.Error()}
		}
		typ += " DEFAULT " + lit
	}
	switch {
	case f.PrimaryKey:
		return typ + " NOT NULL PRIMARY KEY", nil
	case f.Null:
		return typ + " NULL", nil
	}
	return typ + " NOT NULL", nil
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
