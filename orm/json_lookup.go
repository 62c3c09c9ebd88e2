package orm

func newJSONCondition(m *Model, f *Field, text, lookup string, value any) (expr, error) {
	return nil, &LookupError{Model: m.Label(), Lookup: text, Reason: "JSON lookups are not built yet"}
}
