package reload

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// A startError reports that the go command itself could not be started, as opposed to
// a build that ran and failed.
type startError struct{ err error }

func (e *startError) Error() string { return "reload: cannot run go build: " + e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// A buildError reports a build that ran and failed; Output holds what the compiler said.
type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return "reload: go build failed: " + e.err.Error() }
func (e *buildError) Unwrap() error { return e.err }

// binaryName names the n-th build. Every build gets a new file, so the binary a child
// runs is never overwritten under it.
func binaryName(n int) string {
	name := "app-" + strconv.Itoa(n)
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return name
}

// build runs `go build -o bin` on the package. A change arriving meanwhile cancels the
// build and returns errSuperseded: the next build would make this one's result stale.
// Compiler output goes to the log and, verbatim so that editors can follow file:line,
// to Stderr.
func (s *supervisor) build(ctx context.Context, bin string) error {
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(bctx, "go", "build", "-o", bin, s.o.Package)
	cmd.Dir = s.o.Dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Error("reload: cannot run go build", "dir", s.o.Dir, "err", err)
		return &startError{err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		be := &buildError{err: err, output: strings.TrimSpace(out.String())}
		s.log.Error("reload: build failed"+s.keeping(),
			"package", s.o.Package, "err", err, "output", be.output)
		fmt.Fprintln(s.o.Stderr, be.output)
		return be
	case path := <-s.changes:
		cancel()
		<-done
		s.log.Info("reload: change detected during the build; restarting it", "path", s.rel(path))
		return errSuperseded
	case <-ctx.Done():
		<-done
		return ctx.Err()
	}
}
