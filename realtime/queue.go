package realtime

import "sync"

// queue is a connection's bounded send queue. Unlike a buffered channel
// it holds no memory while empty: an idle connection costs a few words.
type queue struct {
	mu       sync.Mutex
	items    [][]byte
	bytes    int
	max      int
	maxBytes int
	notify   chan struct{} // has a value when items is not empty
}

func (q *queue) init(max, maxBytes int) {
	q.max, q.maxBytes = max, maxBytes
	q.notify = make(chan struct{}, 1)
}

// push adds b, or reports false when the queue is full.
func (q *queue) push(b []byte) bool {
	q.mu.Lock()
	if len(q.items) >= q.max || q.bytes+len(b) > q.maxBytes {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, b)
	q.bytes += len(b)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return true
}

// take removes and returns every queued frame, into buf's storage.
func (q *queue) take(buf [][]byte) [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	buf = append(buf[:0], q.items...)
	clear(q.items)
	if cap(q.items) > 64 {
		q.items = nil // let a burst's storage go
	} else {
		q.items = q.items[:0]
	}
	q.bytes = 0
	return buf
}
