package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unsafe"
)

// encode turns v into the stored bytes. []byte and strings are stored as
// they are, integers as decimal text (so Incr and Get[int64] meet), floats
// and booleans as text, everything else as JSON.
func encode[T any](v T) ([]byte, error) {
	switch x := any(v).(type) {
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	case int:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(nil, x, 10), nil
	case int32:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(nil, x, 10), nil
	case uint:
		return strconv.AppendUint(nil, uint64(x), 10), nil
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
	case bool:
		return strconv.AppendBool(nil, x), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cache: encoding %T: %w", v, err)
	}
	return b, nil
}

// decode is encode's inverse into a T.
func decode[T any](b []byte, v *T) error {
	var err error
	switch p := any(v).(type) {
	case *[]byte:
		*p = append([]byte(nil), b...)
	case *string:
		*p = string(b)
	case *int:
		var n int64
		n, err = strconv.ParseInt(unsafe.String(unsafe.SliceData(b), len(b)), 10, 0)
		*p = int(n)
	case *int64:
		*p, err = strconv.ParseInt(unsafe.String(unsafe.SliceData(b), len(b)), 10, 64)
	case *int32:
		var n int64
		n, err = strconv.ParseInt(unsafe.String(unsafe.SliceData(b), len(b)), 10, 32)
		*p = int32(n)
	case *uint64:
		*p, err = strconv.ParseUint(unsafe.String(unsafe.SliceData(b), len(b)), 10, 64)
	case *uint:
		var n uint64
		n, err = strconv.ParseUint(unsafe.String(unsafe.SliceData(b), len(b)), 10, 0)
		*p = uint(n)
	case *float64:
		*p, err = strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	case *bool:
		*p, err = strconv.ParseBool(unsafe.String(unsafe.SliceData(b), len(b)))
	default:
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return fmt.Errorf("cache: decoding %T: %w", *v, err)
	}
	return nil
}

// Get returns the value under key decoded as T, and whether there was one.
// A value that does not decode as T counts as a miss (a deploy that
// changed T's shape must not break pages); a strict cache returns the
// decoding error instead. See [Cache.Bytes] for failures.
func Get[T any](ctx context.Context, c *Cache, key string) (T, bool, error) {
	var v T
	b, ok, err := c.Bytes(ctx, key)
	if !ok {
		return v, false, err
	}
	if err := decode(b, &v); err != nil {
		var zero T
		return zero, false, c.result(err)
	}
	return v, true, nil
}

// Set stores v under key for ttl (DefaultTTL: the Cache's; NoExpiry:
// until evicted). []byte, strings and numbers are stored as text, other
// values as JSON; a value that does not encode is an error, strict or not.
func Set[T any](ctx context.Context, c *Cache, key string, v T, ttl time.Duration) error {
	b, err := encode(v)
	if err != nil {
		return err
	}
	return c.SetBytes(ctx, key, b, ttl)
}

// Add stores v under key only if the key holds no live value, and reports
// whether it did.
func Add[T any](ctx context.Context, c *Cache, key string, v T, ttl time.Duration) (bool, error) {
	b, err := encode(v)
	if err != nil {
		return false, err
	}
	return c.AddBytes(ctx, key, b, ttl)
}

// SetMany stores every item for ttl.
func SetMany[T any](ctx context.Context, c *Cache, items map[string]T, ttl time.Duration) error {
	m := make(map[string][]byte, len(items))
	for k, v := range items {
		b, err := encode(v)
		if err != nil {
			return err
		}
		m[k] = b
	}
	return c.SetManyBytes(ctx, m, ttl)
}

// GetMany returns the values of keys that hold one and decode as T.
func GetMany[T any](ctx context.Context, c *Cache, keys ...string) (map[string]T, error) {
	raw, err := c.GetMany(ctx, keys...)
	out := make(map[string]T, len(raw))
	for k, b := range raw {
		var v T
		if derr := decode(b, &v); derr != nil {
			if c.strict {
				return out, derr
			}
			continue
		}
		out[k] = v
	}
	return out, err
}

// flight is what one GetOrSet fill shares with its waiters.
type flight struct {
	v any
}

// GetOrSet returns the value under key, or, on a miss, the value fill
// returns, which it also stores for ttl. Concurrent calls for the same key
// on one Cache (any of its views) share one read and one fill: a cold key
// under a stampede is filled once per process, and on Redis or Memcached
// the stampede costs one round trip, not one per caller (which would
// exhaust the connection pool and turn into timeouts). fill runs with the
// context of the call that started the flight; its error is returned to
// every waiter and nothing is stored. When the store fails, a lenient
// cache still returns fill's value (the request succeeds, only slower); a
// strict one returns the store's error without calling fill.
func GetOrSet[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, fill func(ctx context.Context) (T, error)) (T, error) {
	if _, local := c.c.store.(localStore); local {
		// In memory a read costs less than joining a flight.
		if v, ok, err := Get[T](ctx, c, key); ok || err != nil && !isMiss(err) {
			return v, err
		}
	}
	fk := c.ns + "\x00" + key
	if c.strict {
		fk = "s" + fk
	}
	r, err, _ := c.c.flight.Do(fk, func() (any, error) {
		v, ok, err := Get[T](ctx, c, key)
		if ok {
			return flight{v}, nil
		}
		if err != nil && !isMiss(err) {
			return nil, err
		}
		if v, err = fill(ctx); err != nil {
			return nil, err
		}
		if err := Set(ctx, c, key, v, ttl); err != nil {
			return flight{v}, err
		}
		return flight{v}, nil
	})
	if f, ok := r.(flight); ok {
		return f.v.(T), err
	}
	var zero T
	return zero, err
}

func isMiss(err error) bool { return errors.Is(err, ErrNotFound) }
