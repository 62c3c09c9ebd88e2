package cache

import (
	"context"

	"github.com/anode-go/anode/orm"
)

// DeleteOn deletes from c the keys that keys returns for an object, every
// time an object of model T is created, updated or deleted (once the write
// has committed; orm.AfterCommit). Register it at start-up, after the
// model:
//
//	cache.DeleteOn(reg, app.Cache(), func(q Question) []string {
//		return []string{"question:" + strconv.FormatInt(q.ID, 10), "latest-questions"}
//	})
//
// Like Django's signals, it does not run for QuerySet.Update, QuerySet.Delete
// or BulkCreate. A failed delete is logged by the cache (which is lenient
// for invalidation), and the stale value lives until its TTL: keep TTLs of
// invalidated keys bounded.
func DeleteOn[T any](r *orm.Registry, c *Cache, keys func(obj T) []string) {
	c = c.Lenient()
	orm.AfterCommit(r, func(ctx context.Context, obj T, _ orm.Op) {
		if ks := keys(obj); len(ks) > 0 {
			c.DeleteMany(ctx, ks...)
		}
	})
}

// ClearOn clears the namespaces of c (see Cache.Namespace) that names
// returns for an object, every time an object of model T is created,
// updated or deleted (after the commit). It is how a prefix of keys is
// invalidated on every store, Memcached included: keep the keys to clear
// together in one namespace, for example the pages of a Page middleware
// over c.Namespace("polls"):
//
//	cache.ClearOn(reg, app.Cache(), func(Question) []string { return []string{"polls"} })
func ClearOn[T any](r *orm.Registry, c *Cache, names func(obj T) []string) {
	c = c.Lenient()
	orm.AfterCommit(r, func(ctx context.Context, obj T, _ orm.Op) {
		for _, n := range names(obj) {
			c.Namespace(n).Clear(ctx)
		}
	})
}
