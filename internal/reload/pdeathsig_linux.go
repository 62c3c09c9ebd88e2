package reload

import "syscall"

// sysProcAttr has the kernel send SIGTERM to a child whose supervisor dies without
// stopping it (kill -9, a crash), so no orphan keeps serving a stale build on the port.
// The kernel watches the forking thread, not the process; Go ends a thread only when a
// goroutine locked to it exits, and this package locks none.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
