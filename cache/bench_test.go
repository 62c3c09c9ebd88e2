package cache_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/anode-go/anode/cache"
)

// benchStores are the stores benchmarks run on: memory always, Redis and
// Memcached when their variables are set (benchmarks never fail for a
// missing service).
func benchStores(b *testing.B) map[string]*cache.Cache {
	out := map[string]*cache.Cache{"memory": open(b, "memory://")}
	if u := os.Getenv("ANODE_TEST_REDIS"); u != "" {
		out["redis"] = open(b, u)
	}
	if u := os.Getenv("ANODE_TEST_MEMCACHED"); u != "" {
		out["memcached"] = open(b, "memcached://"+u)
	}
	return out
}

type benchValue struct {
	ID    int64
	Title string
	Tags  []string
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	val := strings.Repeat("v", 100)
	obj := benchValue{ID: 7, Title: "What's new?", Tags: []string{"a", "b"}}
	for name, c := range benchStores(b) {
		cache.Set(ctx, c, "s", val, cache.DefaultTTL)
		cache.Set(ctx, c, "o", obj, cache.DefaultTTL)
		b.Run(name+"/string", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, _ := cache.Get[string](ctx, c, "s"); !ok {
					b.Fatal("miss")
				}
			}
		})
		b.Run(name+"/bytes", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, _ := c.Bytes(ctx, "s"); !ok {
					b.Fatal("miss")
				}
			}
		})
		b.Run(name+"/struct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, _ := cache.Get[benchValue](ctx, c, "o"); !ok {
					b.Fatal("miss")
				}
			}
		})
		b.Run(name+"/miss", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cache.Get[string](ctx, c, "absent")
			}
		})
	}
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	val := strings.Repeat("v", 100)
	obj := benchValue{ID: 7, Title: "What's new?", Tags: []string{"a", "b"}}
	for name, c := range benchStores(b) {
		b.Run(name+"/string", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cache.Set(ctx, c, "s", val, cache.DefaultTTL)
			}
		})
		b.Run(name+"/struct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cache.Set(ctx, c, "o", obj, cache.DefaultTTL)
			}
		})
	}
}

// BenchmarkGetOrSetHit is the common path of a cached view.
func BenchmarkGetOrSetHit(b *testing.B) {
	ctx := context.Background()
	c := open(b, "memory://")
	fill := func(context.Context) (benchValue, error) { return benchValue{ID: 1}, nil }
	cache.GetOrSet(ctx, c, "k", cache.DefaultTTL, fill)
	b.ReportAllocs()
	for b.Loop() {
		cache.GetOrSet(ctx, c, "k", cache.DefaultTTL, fill)
	}
}
