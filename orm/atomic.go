package orm

import (
	"context"
	"fmt"
)

// txKey keys the transaction state of one DB in a context, so transactions
// of two databases can be open in the same context.
type txKey struct{ db *DB }

// txState is the open transaction of a DB within a context chain.
type txState struct {
	tx       Tx
	depth    int // savepoint nesting: 0 in the outermost Atomic
	savepts  int // savepoints created so far, for unique names
	onCommit []commitHook
}

type commitHook struct {
	depth int
	fn    func()
}

// Atomic runs fn in a transaction, like Django's transaction.atomic: if fn
// returns nil the transaction commits; if it returns an error or panics, it
// rolls back (and the panic continues). Every query run with the ctx fn
// receives uses the transaction. Atomic inside Atomic makes a savepoint: an
// inner failure rolls back only the inner block, and the outer block decides
// whether to carry on. Callbacks registered with OnCommit run after the
// outermost commit.
//
// A transaction runs on one connection: do not use fn's ctx from several
// goroutines at once.
func (db *DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if st, ok := ctx.Value(txKey{db}).(*txState); ok {
		return db.savepoint(ctx, st, fn)
	}
	tx, err := db.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("orm: begin: %w", err)
	}
	st := &txState{tx: tx}
	inner := context.WithValue(ctx, txKey{db}, st)
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(inner); err != nil {
		if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil {
			return fmt.Errorf("%w (and rollback failed: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("orm: commit: %w", err)
	}
	for _, h := range st.onCommit {
		h.fn()
	}
	return nil
}

func (db *DB) savepoint(ctx context.Context, st *txState, fn func(ctx context.Context) error) error {
	st.savepts++
	name := db.dialect.QuoteIdent(fmt.Sprintf("anode_sp_%d", st.savepts))
	if _, err := st.tx.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("orm: savepoint: %w", err)
	}
	st.depth++
	depth := st.depth
	rollback := func() error {
		st.depth = depth - 1
		// Callbacks registered inside the rolled-back block are dropped.
		kept := st.onCommit[:0]
		for _, h := range st.onCommit {
			if h.depth < depth {
				kept = append(kept, h)
			}
		}
		st.onCommit = kept
		_, err := st.tx.Exec(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT "+name)
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
	}()
	if err := fn(ctx); err != nil {
		if rerr := rollback(); rerr != nil {
			return fmt.Errorf("%w (and rollback to savepoint failed: %v)", err, rerr)
		}
		return err
	}
	st.depth = depth - 1
	for i := range st.onCommit {
		if st.onCommit[i].depth == depth {
			st.onCommit[i].depth = depth - 1 // now belongs to the enclosing block
		}
	}
	if _, err := st.tx.Exec(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("orm: release savepoint: %w", err)
	}
	return nil
}

// OnCommit registers fn to run after the transaction in ctx for db commits
// (after the outermost Atomic returns successfully). Outside a transaction fn
// runs at once. If the block it was registered in rolls back, fn never runs.
// Use it for side effects that must not happen for data that was never
// committed: sending email, publishing realtime events, clearing caches.
func (db *DB) OnCommit(ctx context.Context, fn func()) {
	st, ok := ctx.Value(txKey{db}).(*txState)
	if !ok {
		fn()
		return
	}
	st.onCommit = append(st.onCommit, commitHook{depth: st.depth, fn: fn})
}
