package migrate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/anode-go/anode/orm"
)

// HistoryTable is the table where a database records its applied
// migrations, one row per migration (Django's django_migrations).
const HistoryTable = "anode_migrations"

// appliedMigration is a row of HistoryTable. Its table is rendered by the
// ORM's schema code like any model's.
type appliedMigration struct {
	ID      int64
	Module  string    `anode:"max=100"`
	Name    string    `anode:"max=255"`
	Applied time.Time `anode:"verbose=applied at"`
}

func (appliedMigration) Meta() orm.Meta {
	return orm.Meta{Table: HistoryTable, UniqueTogether: [][]string{{"Module", "Name"}}}
}

// history reads and writes HistoryTable on one database.
type history struct {
	db      *orm.DB
	model   *orm.Model
	table   string // quoted
	columns string // quoted module, name, applied
}

func newHistory(db *orm.DB) (*history, error) {
	r := orm.NewRegistry()
	if err := r.Register("anode", appliedMigration{}); err != nil {
		return nil, err
	}
	if err := r.Resolve(); err != nil {
		return nil, err
	}
	m, err := orm.ModelOf[appliedMigration](r)
	if err != nil {
		return nil, err
	}
	q := db.Dialect().QuoteIdent
	return &history{db: db, model: m, table: q(HistoryTable), columns: q("module") + ", " + q("name") + ", " + q("applied")}, nil
}

// ensure creates HistoryTable when the database has none.
func (h *history) ensure(ctx context.Context, c orm.Conn) error {
	in, ok := h.db.Dialect().(orm.Introspector)
	if !ok {
		return fmt.Errorf("migrate: the %s dialect cannot list tables (orm.Introspector)", h.db.Dialect().Name())
	}
	tables, err := in.Tables(ctx, c)
	if err != nil {
		return fmt.Errorf("migrate: listing tables: %w", err)
	}
	if slices.Contains(tables, HistoryTable) {
		return nil
	}
	stmts, err := orm.CreateTableSQL(h.db.Dialect(), h.model)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("migrate: creating %s: %w", HistoryTable, err)
		}
	}
	return nil
}

// applied returns the applied migrations.
func (h *history) applied(ctx context.Context, c orm.Conn) (map[Key]bool, error) {
	rows, err := c.Query(ctx, "SELECT "+h.columns+" FROM "+h.table)
	if err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", HistoryTable, err)
	}
	defer rows.Close()
	out := map[Key]bool{}
	for rows.Next() {
		var k Key
		var at time.Time
		if err := rows.Scan(&k.Module, &k.Name, &at); err != nil {
			return nil, fmt.Errorf("migrate: reading %s: %w", HistoryTable, err)
		}
		out[k] = true
	}
	return out, rows.Err()
}

// record notes k as applied now.
func (h *history) record(ctx context.Context, c orm.Conn, k Key) error {
	d := h.db.Dialect()
	_, err := c.Exec(ctx, "INSERT INTO "+h.table+" ("+h.columns+") VALUES ("+d.Placeholder(1)+", "+d.Placeholder(2)+", "+d.Placeholder(3)+")",
		k.Module, k.Name, time.Now().UTC())
	return err
}

// forget removes k from the history (it was unapplied).
func (h *history) forget(ctx context.Context, c orm.Conn, k Key) error {
	d := h.db.Dialect()
	q := d.QuoteIdent
	_, err := c.Exec(ctx, "DELETE FROM "+h.table+" WHERE "+q("module")+" = "+d.Placeholder(1)+" AND "+q("name")+" = "+d.Placeholder(2), k.Module, k.Name)
	return err
}

// lockKey is the advisory lock migrations take on databases that have them:
// the first eight bytes of "anode-migrate" as a number, so it is unlikely to
// collide with an application's own advisory locks.
const lockKey int64 = 0x616e6f64652d6d69

// step runs fn in a transaction that holds the migration lock and reads
// the history, so that of several processes migrating one database at
// once, each migration is applied by exactly one: the others wait for the
// lock and then find it applied. On SQLite the write transaction itself is
// the lock (one writer at a time, across processes).
func (h *history) step(ctx context.Context, fn func(ctx context.Context, applied map[Key]bool) error) error {
	return h.db.Atomic(ctx, func(ctx context.Context) error {
		c := h.db.Conn(ctx)
		if l, ok := h.db.Dialect().(orm.AdvisoryLocker); ok {
			if err := l.AdvisoryLock(ctx, c, lockKey); err != nil {
				return fmt.Errorf("migrate: taking the migration lock: %w", err)
			}
		}
		if err := h.ensure(ctx, c); err != nil {
			return err
		}
		applied, err := h.applied(ctx, c)
		if err != nil {
			return err
		}
		return fn(ctx, applied)
	})
}
