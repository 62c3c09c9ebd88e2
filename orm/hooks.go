package orm

import (
	"context"
	"fmt"
	"unsafe"
)

// Op names the write a hook observes.
type Op uint8

// Writes hooks observe.
const (
	OpCreate Op = iota + 1
	OpUpdate
	OpDelete
)

func (o Op) String() string { return [...]string{"", "create", "update", "delete"}[o] }

// hooks are a model's lifecycle functions, in registration order.
type hooks struct {
	beforeSave   []func(ctx context.Context, p unsafe.Pointer, op Op) error
	afterSave    []func(ctx context.Context, p unsafe.Pointer, op Op) error
	beforeDelete []func(ctx context.Context, p unsafe.Pointer) error
	afterDelete  []func(ctx context.Context, p unsafe.Pointer) error
	afterCommit  []func(ctx context.Context, p unsafe.Pointer, op Op)
}

func (h *hooks) any() bool {
	return len(h.beforeSave)+len(h.afterSave)+len(h.beforeDelete)+len(h.afterDelete)+len(h.afterCommit) > 0
}

func modelHooks[T any](r *Registry) *Model {
	m, err := ModelOf[T](r)
	if err != nil {
		panic(fmt.Sprintf("orm: hook for %v: register the model first", err))
	}
	return m
}

// BeforeSave registers fn to run before obj is created or updated (op says
// which), inside the write's transaction; an error vetoes the write. It may
// change obj. Register hooks at start-up, after the model; registering for an
// unregistered model panics.
func BeforeSave[T any](r *Registry, fn func(ctx context.Context, obj *T, op Op) error) {
	m := modelHooks[T](r)
	m.hooks.beforeSave = append(m.hooks.beforeSave, func(ctx context.Context, p unsafe.Pointer, op Op) error { return fn(ctx, (*T)(p), op) })
}

// AfterSave registers fn to run after obj is created or updated, inside the
// write's transaction; an error rolls the write back.
func AfterSave[T any](r *Registry, fn func(ctx context.Context, obj *T, op Op) error) {
	m := modelHooks[T](r)
	m.hooks.afterSave = append(m.hooks.afterSave, func(ctx context.Context, p unsafe.Pointer, op Op) error { return fn(ctx, (*T)(p), op) })
}

// BeforeDelete registers fn to run before obj is deleted; an error vetoes it.
func BeforeDelete[T any](r *Registry, fn func(ctx context.Context, obj *T) error) {
	m := modelHooks[T](r)
	m.hooks.beforeDelete = append(m.hooks.beforeDelete, func(ctx context.Context, p unsafe.Pointer) error { return fn(ctx, (*T)(p)) })
}

// AfterDelete registers fn to run after obj is deleted, inside the delete's
// transaction; an error rolls the delete back.
func AfterDelete[T any](r *Registry, fn func(ctx context.Context, obj *T) error) {
	m := modelHooks[T](r)
	m.hooks.afterDelete = append(m.hooks.afterDelete, func(ctx context.Context, p unsafe.Pointer) error { return fn(ctx, (*T)(p)) })
}

// AfterCommit registers fn to run once a create, update or delete of a T has
// been committed (at once, outside a transaction), with a copy of the object
// as written: the place for side effects — realtime events, cache
// invalidation, email — that must not happen for data that was rolled back.
func AfterCommit[T any](r *Registry, fn func(ctx context.Context, obj T, op Op)) {
	m := modelHooks[T](r)
	m.hooks.afterCommit = append(m.hooks.afterCommit, func(ctx context.Context, p unsafe.Pointer, op Op) { fn(ctx, *(*T)(p), op) })
}

// withHooks runs write with m's hooks around it, in a transaction (a
// savepoint inside one) when m has any hooks, so a veto undoes the write.
func withHooks[T any](ctx context.Context, db *DB, m *Model, obj *T, op Op, write func(ctx context.Context) error) error {
	h := &m.hooks
	if !h.any() {
		return write(ctx)
	}
	p := unsafe.Pointer(obj)
	return db.Atomic(ctx, func(ctx context.Context) error {
		if op == OpDelete {
			for _, fn := range h.beforeDelete {
				if err := fn(ctx, p); err != nil {
					return err
				}
			}
		} else {
			for _, fn := range h.beforeSave {
				if err := fn(ctx, p, op); err != nil {
					return err
				}
			}
		}
		if err := write(ctx); err != nil {
			return err
		}
		if op == OpDelete {
			for _, fn := range h.afterDelete {
				if err := fn(ctx, p); err != nil {
					return err
				}
			}
		} else {
			for _, fn := range h.afterSave {
				if err := fn(ctx, p, op); err != nil {
					return err
				}
			}
		}
		if len(h.afterCommit) > 0 {
			snapshot := *obj
			sp := unsafe.Pointer(&snapshot)
			db.OnCommit(ctx, func() {
				for _, fn := range h.afterCommit {
					fn(context.WithoutCancel(ctx), sp, op)
				}
			})
		}
		return nil
	})
}
