package realtime

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// lifecycle is what the network brokers share about running and
// stopping: a context for their background work, which Close cancels,
// the goroutines to wait for, and the closed flag.
type lifecycle struct {
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

func (l *lifecycle) begin() { l.ctx, l.stop = context.WithCancel(context.Background()) }

func (l *lifecycle) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// end marks the broker closed and cancels its background work; false if
// it was closed already.
func (l *lifecycle) end() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.closed = true
	l.stop()
	return true
}

// every runs fn every d, each run bounded by d, until end; failures are
// logged as what.
func (l *lifecycle) every(d time.Duration, log *slog.Logger, what string, fn func(ctx context.Context) error) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-l.ctx.Done():
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(l.ctx, d)
			err := fn(ctx)
			cancel()
			if err != nil && l.ctx.Err() == nil {
				log.Warn("realtime: "+what, "error", err)
			}
		}
	}()
}
