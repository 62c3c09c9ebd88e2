package reload

import "syscall"

// sysProcAttr has the kernel send SIGTERM to a child whose supervisor dies without
// stopping it (kill -9, a crash), so no orphan keeps serving a stale build on the port.
// The signal follows the death of the forking thread, not the process; Go only ends a
// thread when a goroutine locked to it exits, which the supervisor never does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
