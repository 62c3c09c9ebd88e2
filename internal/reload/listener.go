package reload

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
)

// The environment variables through which a supervisor tells its child which inherited
// file descriptors hold the listening socket and the ready pipe.
const (
	envListenFD = "ANODE_RELOAD_LISTEN_FD"
	envReadyFD  = "ANODE_RELOAD_READY_FD"
)

// An inheritance is what a supervisor handed this process.
type inheritance struct {
	supervised bool
	l          net.Listener
	listenErr  error
	ready      *os.File
	readyErr   error
}

// inherited reads the environment once, on first use by Listener or Ready.
var inherited = sync.OnceValue(inherit)

func inherit() *inheritance {
	lfd, rfd := os.Getenv(envListenFD), os.Getenv(envReadyFD)
	var in inheritance
	if lfd == "" {
		return &in
	}
	in.supervised = true
	// The variables describe this process's descriptors; a program it starts would
	// find other files, or none, under those numbers.
	os.Unsetenv(envListenFD)
	os.Unsetenv(envReadyFD)

	f, err := inheritedFile(envListenFD, lfd)
	if err != nil {
		in.listenErr = err
	} else {
		// FileListener duplicates the descriptor (close-on-exec), so f is closed and
		// the socket does not leak into programs the child starts.
		in.l, err = net.FileListener(f)
		f.Close()
		if err != nil {
			in.listenErr = fmt.Errorf("reload: %s=%s is not a listening socket: %w", envListenFD, lfd, err)
		}
	}
	if rfd != "" {
		in.ready, in.readyErr = inheritedFile(envReadyFD, rfd)
	}
	return &in
}

func inheritedFile(name, value string) (*os.File, error) {
	fd, err := strconv.Atoi(value)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("reload: %s=%q is not an inherited file descriptor", name, value)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Listener returns the listening socket inherited from a supervisor started by
// Supervise. The child calls it instead of net.Listen and serves on the result.
//
// When the process does not run under a supervisor, Listener returns ok == false and
// a nil error, and the caller listens as usual. An error means the process was started
// by a supervisor but the socket could not be taken over.
//
// Every call returns the same listener. Listener is safe for concurrent use.
func Listener() (l net.Listener, ok bool, err error) {
	in := inherited()
	return in.l, in.supervised, in.listenErr
}

// Ready tells the supervisor that this process is serving, upon which the supervisor
// stops the previous build. Call it once the server accepts on the listener from
// Listener; connections that arrive before then wait in the socket's backlog.
//
// Ready is a no-op returning nil when the process does not run under a supervisor.
// It is safe to call more than once and concurrently: only the first call reports to
// the supervisor, and every call returns the first call's error.
func Ready() error {
	return ready()
}

var ready = sync.OnceValue(func() error {
	in := inherited()
	if in.readyErr != nil {
		return in.readyErr
	}
	if in.ready == nil {
		return nil
	}
	_, err := in.ready.Write([]byte{1})
	if cerr := in.ready.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reload: tell the supervisor this process is ready: %w", err)
	}
	return nil
})
