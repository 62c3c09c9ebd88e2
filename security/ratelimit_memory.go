package security

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// MemoryLimitStore is a LimitStore in the process's memory: limits hold per
// process, not across instances (use RedisLimitStore for that). It is
// bounded: keys expire once their state is back to "never seen" and are
// swept as the store is used, and when a shard is full of live keys some
// are evicted (an evicted key starts afresh, so under a flood of distinct
// keys the store errs on the side of admitting). It starts no goroutine.
// It is safe for concurrent use.
type MemoryLimitStore struct {
	seed     maphash.Seed
	perShard int
	shards   [memShards]memShard
}

var _ LimitStore = (*MemoryLimitStore)(nil)

const (
	memShards = 64
	// DefaultMemoryLimitKeys is the capacity of a MemoryLimitStore made
	// with a zero capacity.
	DefaultMemoryLimitKeys = 100_000
	// memSweepEvery is how often (by the callers' clock) a shard drops its
	// expired keys when it is not full.
	memSweepEvery = time.Minute
)

type memShard struct {
	mu        sync.Mutex
	m         map[string]memEntry
	nextSweep int64 // Unix microseconds
	_         [40]byte
}

// memEntry is a key's state: a GCRA tat in a, or a window in a, b, c.
type memEntry struct {
	a, b, c int64
	expires int64 // Unix microseconds
}

// NewMemoryLimitStore returns a store holding at most about maxKeys keys
// (DefaultMemoryLimitKeys when maxKeys <= 0). Each key costs roughly 100
// bytes plus its length.
func NewMemoryLimitStore(maxKeys int) *MemoryLimitStore {
	if maxKeys <= 0 {
		maxKeys = DefaultMemoryLimitKeys
	}
	s := &MemoryLimitStore{seed: maphash.MakeSeed(), perShard: max(maxKeys/memShards, 1)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]memEntry)
	}
	return s
}

func (s *MemoryLimitStore) shard(key string) *memShard {
	return &s.shards[maphash.String(s.seed, key)%memShards]
}

// Take counts a request for key at now.
func (s *MemoryLimitStore) Take(_ context.Context, key string, p Policy, now time.Time) (Decision, error) {
	p = p.normalized()
	us := now.UnixMicro()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if us >= sh.nextSweep {
		sh.sweep(us)
		sh.nextSweep = us + memSweepEvery.Microseconds()
	}
	e, ok := sh.m[key]
	if ok && e.expires <= us {
		ok, e = false, memEntry{}
	}
	var d Decision
	switch p.Algorithm {
	case TokenBucket:
		var tat int64
		d, tat = gcra(p, e.a, us)
		if tat == 0 {
			return d, nil
		}
		e = memEntry{a: tat, expires: tat}
	default:
		var w window
		d, w = slide(p, window{e.a, e.b, e.c}, us)
		if !d.Allowed {
			return d, nil
		}
		e = memEntry{a: w.start, b: w.cur, c: w.prev, expires: w.start + 2*p.Window.Microseconds()}
	}
	if !ok && len(sh.m) >= s.perShard {
		sh.makeRoom(us, s.perShard)
	}
	sh.m[key] = e
	return d, nil
}

// Reset forgets key.
func (s *MemoryLimitStore) Reset(_ context.Context, key string) error {
	sh := s.shard(key)
	sh.mu.Lock()
	delete(sh.m, key)
	sh.mu.Unlock()
	return nil
}

// Len returns the number of keys held, expired ones not yet swept included.
func (s *MemoryLimitStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

func (sh *memShard) sweep(now int64) {
	for k, e := range sh.m {
		if e.expires <= now {
			delete(sh.m, k)
		}
	}
}

// makeRoom sweeps a full shard and, if live keys still fill it, evicts
// some (map order: arbitrary) down to 7/8 of its capacity, so a flood of
// new keys costs one sweep per capacity/8 insertions rather than one each.
func (sh *memShard) makeRoom(now int64, capacity int) {
	sh.sweep(now)
	target := capacity - max(capacity/8, 1)
	for k := range sh.m {
		if len(sh.m) <= target {
			break
		}
		delete(sh.m, k)
	}
}
