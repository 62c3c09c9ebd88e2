//go:build !unix

package reload

import (
	"fmt"
	"net"
	"os"
	"runtime"
)

// listenerFile fails: only Unix systems let a child inherit a socket by descriptor.
func listenerFile(l net.Listener) (*os.File, error) {
	return nil, fmt.Errorf("reload: passing a listener to a child process is not supported on %s", runtime.GOOS)
}

// terminate stops p; without SIGTERM there is no gentler way.
func terminate(p *os.Process) error {
	return p.Kill()
}
