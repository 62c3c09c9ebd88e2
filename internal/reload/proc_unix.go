//go:build unix

package reload

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// listenerFile returns a duplicate of l's descriptor as a file to hand to children.
//
// (*net.TCPListener).File is not used: the file it returns switches the socket to
// blocking mode when os/exec asks for its descriptor, and that mode belongs to the
// socket, shared by every process holding it. A child serving on a blocking socket can
// hang in accept and miss its shutdown. A file made by os.NewFile leaves the mode alone.
func listenerFile(l net.Listener) (*os.File, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("reload: a %T cannot be passed to a child process; use a *net.TCPListener", l)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("reload: %w", err)
	}
	fd, dupErr := -1, error(nil)
	err = rc.Control(func(s uintptr) {
		// ForkLock keeps a concurrent fork from inheriting fd before it is close-on-exec.
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		if fd, dupErr = syscall.Dup(int(s)); dupErr == nil {
			syscall.CloseOnExec(fd)
		}
	})
	if err == nil {
		err = dupErr
	}
	if err != nil {
		return nil, fmt.Errorf("reload: duplicate listener: %w", err)
	}
	return os.NewFile(uintptr(fd), "anode-reload-listener"), nil
}

// terminate asks p to shut down gracefully.
func terminate(p *os.Process) error {
	return p.Signal(syscall.SIGTERM)
}
