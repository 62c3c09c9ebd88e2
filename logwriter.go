package anode

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logWriter is the App's log output. Unbuffered it passes writes straight
// through; while the App serves in production it buffers them and flushes
// every logFlushEvery, when the buffer fills, after any warning or error, and
// at shutdown, so that a busy server makes one write system call per batch of
// access-log lines instead of one per request.
type logWriter struct {
	mu       sync.Mutex
	out      io.Writer
	buf      []byte
	buffered bool
}

const (
	logBufSize    = 64 << 10
	logFlushEvery = 200 * time.Millisecond
)

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.buffered {
		return l.out.Write(p)
	}
	if len(l.buf)+len(p) > logBufSize {
		l.flushLocked()
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *logWriter) setOutput(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	l.out = w
}

// Flush writes out whatever is buffered.
func (l *logWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *logWriter) flushLocked() {
	if len(l.buf) > 0 {
		l.out.Write(l.buf)
		l.buf = l.buf[:0]
	}
}

// buffer turns buffering on and returns a function that turns it off again
// after a final flush. A background goroutine flushes periodically meanwhile.
func (l *logWriter) buffer() (stop func()) {
	l.mu.Lock()
	l.buffered = true
	if l.buf == nil {
		l.buf = make([]byte, 0, logBufSize)
	}
	l.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(logFlushEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				l.Flush()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		l.mu.Lock()
		l.flushLocked()
		l.buffered = false
		l.mu.Unlock()
	}
}

// flushingHandler flushes the log writer after every record at warning level
// or above, so problems reach the log at once even while access lines are
// batched.
type flushingHandler struct {
	slog.Handler
	w *logWriter
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.w}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.w}
}
