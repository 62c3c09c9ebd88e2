//go:build !linux

package reload

import "syscall"

// sysProcAttr asks for nothing: only Linux can signal a child when its parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
