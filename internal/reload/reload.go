// Package reload rebuilds and restarts a development server when its sources change.
//
// It is the machinery behind `serve --reload`: like Django's autoreloader, but the swap
// from the old build to the new one drops no connection.
//
// # Supervisor
//
// [Supervise] runs in the process the developer started. It owns the listening socket,
// builds the app with `go build`, runs the binary as a child process that inherits the
// socket, and watches the source tree. When a Go file, a template (.html, .tmpl, .gohtml
// or .txt under a templates/ directory) or a static file (anything under a static/
// directory) changes, it builds again, starts the new binary beside the old one, waits
// until the new one reports that it is ready and only then stops the old one with
// SIGTERM. Both children accept on the same socket during the swap, and connections that
// arrive while no child is accepting wait in the socket's backlog, so none is refused.
//
// A build that fails, or a new child that exits or is not ready in time, is logged and
// the old child keeps serving.
//
// # Child
//
// The app calls [Listener] instead of net.Listen and [Ready] once it serves:
//
//	l, ok, err := reload.Listener()
//	if err != nil {
//		return err
//	}
//	if !ok {
//		l, err = net.Listen("tcp", addr)
//		...
//	}
//	go srv.Serve(l)
//	reload.Ready()
//
// On SIGTERM the child drains while the new child takes over. http.Server.Shutdown
// alone is not quite enough: a connection accepted just before it whose first request
// is read after it starts is closed unanswered. To drop nothing, close the listener,
// wait for Serve to return, wait (briefly, bounded) until every connection has left
// http.StateNew (http.Server.ConnState tells), then call Shutdown.
//
// # Mechanism
//
// The child receives the socket as file descriptor 3 and the write end of a pipe as
// file descriptor 4, named by the environment variables ANODE_RELOAD_LISTEN_FD and
// ANODE_RELOAD_READY_FD. Ready writes one byte to the pipe and closes it.
package reload

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"time"
)

// Options configures Supervise. Only Listener is required; the zero value of every
// other field selects the default given beside it.
type Options struct {
	// Listener is the socket the supervisor owns and passes to every child. It must be a
	// *net.TCPListener or *net.UnixListener. Supervise does not accept on it or close it.
	Listener net.Listener

	// Package is the main package to build, as given to `go build`, for example
	// "github.com/x/y/cmd/app" or "./cmd/app". The default is ".".
	Package string

	// Dir is the directory watched recursively and the one `go build` runs in.
	// The default is ".". Children run in the supervisor's working directory.
	Dir string

	// Args are the arguments the child runs with, for example []string{"serve"}.
	Args []string

	// Env is appended to os.Environ() for the child (not for `go build`).
	Env []string

	// Logger receives the supervisor's messages, compiler errors included.
	// The default is slog.Default().
	Logger *slog.Logger

	// Debounce is how long the tree must stay quiet after a change before a build
	// starts, so that a burst of writes causes one build. The default is 200ms.
	Debounce time.Duration

	// ReadyTimeout is how long a new child has to call Ready. A child not ready by then
	// is stopped and the old one kept. The default is 30s.
	ReadyTimeout time.Duration

	// Stdout and Stderr receive the children's output and, on Stderr, the compiler's.
	// The defaults are os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
}

const (
	defaultDebounce     = 200 * time.Millisecond
	defaultReadyTimeout = 30 * time.Second

	// stopTimeout bounds how long a child may drain after SIGTERM before it is killed,
	// so a long-lived connection (a WebSocket, an SSE stream) cannot keep an old build
	// alive for ever.
	stopTimeout = 10 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Package == "" {
		o.Package = "."
	}
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Debounce <= 0 {
		o.Debounce = defaultDebounce
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = defaultReadyTimeout
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	return o
}

// Supervise builds and runs the child, rebuilds and restarts it when the sources under
// o.Dir change, and returns when ctx is done, after sending SIGTERM to the children and
// waiting for them to exit (a child still running 10s later is killed). It then returns
// nil.
//
// Build failures and children that crash are logged, not returned: Supervise keeps
// watching so the next change can fix them. It returns an error only when it cannot
// start at all: o.Listener is missing or cannot be shared, o.Dir cannot be watched, or
// the very first build cannot even start the go command.
func Supervise(ctx context.Context, o Options) error {
	if o.Listener == nil {
		return errors.New("reload: Options.Listener is nil")
	}
	s, err := newSupervisor(o.withDefaults())
	if err != nil {
		return err
	}
	return s.run(ctx)
}
