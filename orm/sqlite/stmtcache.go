package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds a pool's statement cache. The ORM builds a few
// statements per model, so this holds an application's working set; SQL
// from the raw-SQL escape hatch beyond it simply runs unprepared.
const maxCachedStmts = 256

// stmtCache keeps prepared statements of a pool by SQL text: parsing is
// about a third of the cost of a primary-key SELECT. database/sql prepares
// a cached *sql.Stmt lazily on each connection that runs it. The zero
// value caches nothing; it is safe for concurrent use.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // string → *sql.Stmt
	n  atomic.Int32
}

// stmt returns the prepared statement for query, preparing it on first
// use, or nil when query is not worth caching or the cache is full.
func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if c.db == nil {
		return nil, nil
	}
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if !cacheable(query) || c.n.Load() >= maxCachedStmts {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return st, nil
}

// cacheable reports whether query is a data statement, as opposed to a
// one-off (DDL, PRAGMA, transaction control) that would waste a slot.
func cacheable(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "REPLAC":
		return true
	}
	return strings.EqualFold(q[:4], "WITH")
}

// close closes every cached statement.
func (c *stmtCache) close() error {
	var errs []error
	c.m.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.m.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// pool is a *sql.DB with its statement cache; it runs statements outside
// transactions.
type pool struct {
	db    *sql.DB
	stmts stmtCache
}

func newPool(db *sql.DB) *pool { return &pool{db: db, stmts: stmtCache{db: db}} }

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmts.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmts.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}
