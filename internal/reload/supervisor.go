package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// errSuperseded reports that a build or a start was abandoned because the sources
// changed again meanwhile.
var errSuperseded = errors.New("reload: superseded by a newer change")

// errNotReady reports that a new child exited or timed out before it was ready.
var errNotReady = errors.New("reload: new process was not ready")

// A supervisor is the state of one Supervise call. Only run's goroutine touches its
// fields, except stopping.
type supervisor struct {
	o       Options
	log     *slog.Logger
	lf      *os.File // duplicate of o.Listener, handed to every child as fd 3
	tmp     string   // directory holding the builds
	w       *watcher
	changes chan string // changed paths, debounced; capacity 1 so bursts coalesce

	builds   int    // builds started so far; numbers the binaries
	cur      *child // the child serving, or nil
	stopping sync.WaitGroup
}

func newSupervisor(o Options) (*supervisor, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("reload: %w", err)
	}
	o.Dir = dir
	lf, err := listenerFile(o.Listener)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "anode-reload-")
	if err != nil {
		lf.Close()
		return nil, fmt.Errorf("reload: %w", err)
	}
	w, err := newWatcher(dir, tmp, o.Logger)
	if err != nil {
		lf.Close()
		os.RemoveAll(tmp)
		return nil, err
	}
	return &supervisor{
		o:       o,
		log:     o.Logger,
		lf:      lf,
		tmp:     tmp,
		w:       w,
		changes: make(chan string, 1),
	}, nil
}

func (s *supervisor) run(ctx context.Context) error {
	defer s.close()
	go s.w.run(ctx, s.o.Debounce, s.changes)
	s.log.Info("reload: watching for changes", "dir", s.o.Dir, "package", s.o.Package)

	first, pending := true, true
	for {
		if pending {
			pending = false
			err := s.reload(ctx)
			if errors.Is(err, errSuperseded) {
				pending = true
				continue
			}
			var se *startError
			if first && errors.As(err, &se) {
				return err
			}
			first = false
		}

		var exited <-chan struct{}
		if s.cur != nil {
			exited = s.cur.done
		}
		select {
		case <-ctx.Done():
			return nil
		case path := <-s.changes:
			s.log.Info("reload: change detected", "path", s.rel(path))
			pending = true
		case <-exited:
			if ctx.Err() == nil {
				s.log.Warn("reload: process exited; waiting for a change to restart it",
					"pid", s.cur.pid, "err", exitReason(s.cur.err))
			}
			os.Remove(s.cur.bin)
			s.cur = nil
		}
	}
}

// reload builds the sources, starts the new binary and, once it is ready, retires the
// child serving until then. On any failure the old child is left alone.
func (s *supervisor) reload(ctx context.Context) error {
	s.builds++
	bin := filepath.Join(s.tmp, binaryName(s.builds))
	start := time.Now()
	if err := s.build(ctx, bin); err != nil {
		os.Remove(bin)
		return err
	}
	built := time.Since(start)
	s.log.Debug("reload: built", "bin", bin, "took", built.Round(time.Millisecond))

	start = time.Now()
	c, err := startChild(s.o, bin, s.lf)
	if err != nil {
		os.Remove(bin)
		s.log.Error("reload: cannot start the new build"+s.keeping(), "bin", bin, "err", err)
		return err
	}
	if err := s.waitReady(ctx, c); err != nil {
		s.retire(c)
		return err
	}
	s.log.Info("reload: serving", "pid", c.pid,
		"build", built.Round(time.Millisecond), "start", time.Since(start).Round(time.Millisecond))
	old := s.cur
	s.cur = c
	if old != nil {
		s.retire(old)
	}
	return nil
}

// waitReady waits until c calls Ready. It gives up when c exits, when ReadyTimeout
// passes, when the sources change again or when ctx is done.
func (s *supervisor) waitReady(ctx context.Context, c *child) error {
	t := time.NewTimer(s.o.ReadyTimeout)
	defer t.Stop()
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		s.log.Error("reload: new process exited before it was ready"+s.keeping(),
			"pid", c.pid, "err", exitReason(c.err))
		return errNotReady
	case <-t.C:
		s.log.Error("reload: new process did not call reload.Ready in time"+s.keeping(),
			"pid", c.pid, "timeout", s.o.ReadyTimeout)
		return errNotReady
	case path := <-s.changes:
		s.log.Info("reload: change detected while the new process was starting; rebuilding",
			"path", s.rel(path))
		return errSuperseded
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retire stops c in the background, letting it drain, and removes its binary.
// The supervisor goes on watching meanwhile; close waits for every retired child.
func (s *supervisor) retire(c *child) {
	s.stopping.Add(1)
	go func() {
		defer s.stopping.Done()
		c.stop(stopTimeout)
		os.Remove(c.bin)
		s.log.Debug("reload: stopped", "pid", c.pid, "err", exitReason(c.err))
	}()
}

// close stops every child, the watcher and the shared descriptor, and removes the builds.
func (s *supervisor) close() {
	if s.cur != nil {
		s.retire(s.cur)
		s.cur = nil
	}
	s.stopping.Wait()
	s.w.close()
	s.lf.Close()
	if err := os.RemoveAll(s.tmp); err != nil {
		s.log.Warn("reload: cannot remove the build directory", "dir", s.tmp, "err", err)
	}
}

// keeping completes a failure message with what happens next.
func (s *supervisor) keeping() string {
	if s.cur != nil {
		return "; the previous build keeps serving"
	}
	return "; waiting for a change"
}

// rel shortens path for messages.
func (s *supervisor) rel(path string) string {
	if r, err := filepath.Rel(s.o.Dir, path); err == nil {
		return r
	}
	return path
}

// exitReason turns a nil Wait error into something worth logging.
func exitReason(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
