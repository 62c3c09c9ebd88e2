package migrate

// Operation is one change a migration makes: to the schema (CreateModel,
// AddField, ...) or to the data (RunSQL, RunGo).
type Operation interface {
	// Describe is a one-line summary for progress lines and plans
	// ("Create model polls.Question").
	Describe() string
}
