// Package sqlite is Anode's SQLite dialect, over the pure-Go driver
// modernc.org/sqlite. Import it for its side effect; it registers the
// "sqlite" URL scheme with the orm package:
//
//	import _ "github.com/anode-go/anode/orm/sqlite"
//
// The package exports nothing else: the ORM reaches it through
// orm.Database, orm.Tx and orm.Dialect.
//
// # URLs
//
// Database URLs follow SQLAlchemy: the path after "sqlite:///" is the file.
//
//	sqlite:///data/app.db       data/app.db, relative to the working directory
//	sqlite:////var/lib/app.db   /var/lib/app.db, absolute
//	sqlite:///:memory:          a private in-memory database
//
// A missing parent directory is created (mode 0750). One query parameter
// is accepted: busy_timeout, in milliseconds (default 5000), how long a
// statement waits inside SQLite for a lock held by another process, or
// for the instant a reader connection holds the write lock while it
// rereads the WAL index; 0 makes the latter fail with SQLITE_BUSY. Any other
// parameter, a host, a user or an empty path is an error that names the
// URL, so a typo never silently opens a different database.
//
// # Connections
//
// A file database is opened in WAL mode with two pools. The writer pool
// has exactly one connection: every Exec, QueryWrite and transaction runs
// on it, in turn, so writers in this process queue in Go (bounded by
// their context) instead of failing with "database is locked". The reader
// pool (orm.OpenOptions.MaxConns connections, default max(4,
// 2*GOMAXPROCS)) serves Query and Ping; its connections are read-only
// (PRAGMA query_only), so a write sent through Query fails instead of
// racing the writer. WAL lets readers run while the writer writes.
//
// Every connection has foreign_keys=ON, busy_timeout=5000 and
// synchronous=NORMAL (durable at every checkpoint, consistent always; the
// usual setting for WAL). Begin takes the writer connection and runs BEGIN
// IMMEDIATE, so a transaction holds the write lock from its first
// statement and never has to upgrade a read lock, which is what makes
// SQLite report SQLITE_BUSY mid-transaction. Like database/sql, a
// transaction is rolled back when the context passed to Begin is
// canceled; until it ends no other statement can write, so keep
// transactions short and never call the Database (rather than the Tx)
// from inside one: that waits for the writer the transaction holds.
//
// Rows from QueryWrite hold the writer until they are closed. Statements
// outside transactions are prepared once per connection and cached (up
// to 256 per pool; data statements only, not DDL or PRAGMAs), which
// roughly halves the cost of a primary-key SELECT.
//
// An in-memory database lives in one connection, so it has a single pool
// of one connection for reads and writes alike: a Query whose rows are
// still open blocks every other statement until they are closed.
//
// # Values
//
// time.Time values (and *time.Time) are stored in DATETIME columns as
// fixed-width UTC text, "2006-01-02 15:04:05.000000000", so comparing or
// sorting the text compares the instants; only years 0000–9999 fit, and
// others are rejected when bound. They scan back as UTC time.Time, also
// from expressions such as MAX(col) that SQLite reports without a column
// type. time.Duration values (and *time.Duration) are stored as int64
// nanoseconds. A nil pointer is NULL.
//
// # Errors
//
// Constraint violations from any statement, and from COMMIT (deferred
// foreign keys), are returned as *orm.IntegrityError with Kind set and,
// where SQLite's message names them, Table, Columns or Constraint (the
// name of a named CHECK constraint). SQLite does not name the table of a
// failed foreign key. Err holds the driver's *sqlite.Error. Other errors
// are returned as the driver reported them.
//
// # Query log
//
// With orm.OpenOptions.Logger set, every statement is logged at debug
// level with its SQL, duration, the number of rows it affected or
// returned, and the number of bound arguments (never their values, which
// may be secrets); one that takes longer than SlowQuery is logged at warn
// level. For Query and QueryWrite the duration runs from the call until
// the Rows are closed, since SQLite does its work as rows are read.
package sqlite
