// Package orm is Anode's object-relational mapper: one Go struct per model
// drives the schema and, in later layers, migrations, forms, the admin and
// the APIs.
//
// # Status
//
// This is the foundation: model metadata computed once at start-up
// ([Registry], [Model], [Field]), the [Dialect] and driver interfaces that
// the SQLite and PostgreSQL packages implement, schema creation from the
// models ([CreateTableSQL], [DB.CreateTables]), typed integrity errors
// ([IntegrityError]) and transactions ([DB.Atomic] with nested savepoints
// and [DB.OnCommit]). The query API comes next.
//
// # Safety
//
// Every identifier the ORM writes into SQL comes from the registry —
// validated at registration and quoted by the dialect — and every value is
// a bound argument.
//
// # Dialects
//
// Import a dialect for its side effect, as with database/sql drivers; an
// Anode App imports both:
//
//	import _ "github.com/anode-go/anode/orm/sqlite"
//	db, err := orm.Open(ctx, "sqlite:///data/app.db", registry, orm.OpenOptions{})
package orm
