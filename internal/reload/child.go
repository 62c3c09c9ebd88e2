package reload

import (
	"errors"
	"os"
	"os/exec"
	"time"
)

// A child is one running build of the app.
type child struct {
	cmd   *exec.Cmd
	bin   string
	pid   int
	ready chan struct{} // closed when the child has called Ready
	done  chan struct{} // closed when the child has exited and been reaped
	err   error         // what Wait returned; set before done is closed
}

// startChild runs bin with the shared listener as fd 3 and the write end of a fresh
// pipe as fd 4. The supervisor keeps the read end: one byte on it means ready, and end
// of file without that byte means the child exited (or closed it) first.
func startChild(o Options, bin string, lf *os.File) (*child, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, o.Args...)
	cmd.Env = append(os.Environ(), o.Env...)
	cmd.Env = append(cmd.Env, envListenFD+"=3", envReadyFD+"=4")
	cmd.Stdout = o.Stdout
	cmd.Stderr = o.Stderr
	cmd.ExtraFiles = []*os.File{lf, w}
	cmd.SysProcAttr = sysProcAttr()
	// Bound Wait when Stdout is not a file and a grandchild keeps the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close()

	c := &child{
		cmd:   cmd,
		bin:   bin,
		pid:   cmd.Process.Pid,
		ready: make(chan struct{}),
		done:  make(chan struct{}),
	}
	go func() {
		var b [1]byte
		if n, _ := r.Read(b[:]); n == 1 {
			close(c.ready)
		}
	}()
	go func() {
		c.err = cmd.Wait()
		r.Close() // unblocks the reader should a grandchild hold fd 4 open
		close(c.done)
	}()
	return c, nil
}

// stop sends SIGTERM and waits for c to exit, killing it after grace.
func (c *child) stop(grace time.Duration) {
	if err := terminate(c.cmd.Process); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			<-c.done
			return
		}
		c.cmd.Process.Kill()
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		c.cmd.Process.Kill()
		<-c.done
	}
}
