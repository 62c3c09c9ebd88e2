package security

import (
	"fmt"
	"math"
	"time"
)

// Algorithm selects how a RateLimiter counts requests.
type Algorithm uint8

const (
	// SlidingWindow allows Limit requests per Window, estimated with a
	// sliding-window counter: the count of the current fixed window plus the
	// previous window's count weighted by how much of it the sliding window
	// still covers. It keeps three numbers per key. It never admits more than
	// Limit requests in one aligned window; within a sliding window it
	// assumes the previous window's requests were spread evenly, so a burst
	// at the very end of one window followed by steady traffic in the next
	// can let up to about twice Limit through in the worst case, and
	// requests bunched early in a window make it stricter than an exact
	// count. It is the default.
	SlidingWindow Algorithm = iota
	// TokenBucket allows bursts of up to Burst requests and refills at
	// Limit requests per Window (one token every Window/Limit). It is
	// implemented as GCRA (the generic cell rate algorithm), which is
	// equivalent to a token bucket and keeps one timestamp per key.
	TokenBucket
)

func (a Algorithm) String() string {
	switch a {
	case SlidingWindow:
		return "sliding-window"
	case TokenBucket:
		return "token-bucket"
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Policy is one limit: an algorithm, a number of requests and a window.
// Its zero value is 60 requests a minute, sliding window.
type Policy struct {
	Algorithm Algorithm
	// Limit is the number of requests allowed per Window (for TokenBucket,
	// the refill rate). Zero means 60.
	Limit int
	// Window is the period Limit applies to. Zero means one minute.
	Window time.Duration
	// Burst is TokenBucket's capacity: how many requests may arrive at
	// once. Zero means Limit. SlidingWindow ignores it.
	Burst int
}

// normalized fills the defaults of p's zero fields.
func (p Policy) normalized() Policy {
	if p.Limit <= 0 {
		p.Limit = 60
	}
	if p.Window <= 0 {
		p.Window = time.Minute
	}
	if p.Window < time.Microsecond {
		p.Window = time.Microsecond
	}
	if p.Burst <= 0 || p.Algorithm != TokenBucket {
		p.Burst = p.Limit
	}
	return p
}

// Decision is a store's answer for one request.
type Decision struct {
	// Allowed reports whether the request may proceed; it was counted.
	Allowed bool
	// Limit is the policy's limit (Burst for TokenBucket).
	Limit int
	// Remaining is how many more requests would be allowed now.
	Remaining int
	// RetryAfter is, for a refused request, how long until one would be
	// allowed; zero when Allowed.
	RetryAfter time.Duration
	// Reset is how long until the quota is whole again (TokenBucket: the
	// bucket is full) or the current window ends (SlidingWindow).
	Reset time.Duration
}

// The algorithms work on whole microseconds since the Unix epoch, the same
// arithmetic as the Redis script, so both stores decide alike.

// gcra decides one request under a token bucket whose theoretical arrival
// time is tat (0: none). It returns the decision and the new tat to store
// (0: leave the state unchanged).
func gcra(p Policy, tat, now int64) (Decision, int64) {
	win := p.Window.Microseconds()
	t := max(win/int64(p.Limit), 1) // emission interval: one token
	tau := t * int64(p.Burst)       // the bucket's capacity, in time
	tat = max(tat, now)
	next := tat + t
	diff := next - now
	if diff > tau {
		return Decision{Limit: p.Burst, RetryAfter: micros(diff - tau), Reset: micros(tat - now)}, 0
	}
	return Decision{Allowed: true, Limit: p.Burst, Remaining: int((tau - diff) / t), Reset: micros(diff)}, next
}

// window is a sliding-window counter's state: the start of the current
// aligned window and the counts of it and of the one before.
type window struct {
	start, cur, prev int64
}

// slide decides one request under a sliding-window counter in state s and
// returns the decision and the new state. Windows are aligned to the epoch,
// so every instance sharing a store agrees on them.
func slide(p Policy, s window, now int64) (Decision, window) {
	w := p.Window.Microseconds()
	start := now - now%w
	if s.start != start {
		if s.start == start-w {
			s.prev = s.cur
		} else {
			s.prev = 0
		}
		s.start, s.cur = start, 0
	}
	elapsed := now - start
	limit := float64(p.Limit)
	est := float64(s.prev)*float64(w-elapsed)/float64(w) + float64(s.cur)
	d := Decision{Limit: p.Limit, Reset: micros(w - elapsed)}
	if est+1 > limit {
		d.RetryAfter = micros(slideRetry(p.Limit, w, elapsed, s.cur, s.prev))
		return d, s
	}
	s.cur++
	d.Allowed = true
	d.Remaining = int(math.Floor(limit - est - 1))
	return d, s
}

// slideRetry is how long after elapsed (into the current window) a request
// would be allowed: later in this window, as the previous window's weight
// fades, or in the next window, once this one's weight has faded enough.
func slideRetry(limit int, w, elapsed, cur, prev int64) int64 {
	room := int64(limit) - cur - 1 // how many of prev's requests may still count
	if room >= 0 && prev > 0 {
		// prev*(w-e)/w <= room  <=>  e >= w - room*w/prev
		at := w - int64(math.Floor(float64(room)*float64(w)/float64(prev)))
		return max(at-elapsed, 1)
	}
	// Next window: cur becomes prev and must weigh at most limit-1.
	at := int64(0)
	if lim := int64(limit) - 1; cur > lim {
		at = w - int64(math.Floor(float64(lim)*float64(w)/float64(cur)))
	}
	return w - elapsed + at
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
