package reload

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestListenerFileKeepsNonblocking guards the reason listenerFile exists: starting a
// child with the shared socket must leave the socket non-blocking, or a child still
// serving on it can hang in accept during its shutdown.
func TestListenerFileKeepsNonblocking(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true command:", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := listenerFile(l)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	cmd := exec.Command(truePath)
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}

	rc, err := l.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags uintptr
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}); err != nil {
		t.Fatal(err)
	}
	if errno != 0 {
		t.Fatal(errno)
	}
	if flags&syscall.O_NONBLOCK == 0 {
		t.Fatal("starting a child put the shared socket into blocking mode")
	}
}
