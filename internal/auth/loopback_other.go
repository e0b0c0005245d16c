//go:build !windows

package auth

import "syscall"

// reuseControl leaves the socket as Go makes it: on Unix, a listening socket's address and port
// cannot be bound by another socket (SO_REUSEADDR does not allow it while one listens).
func reuseControl(_, _ string, _ syscall.RawConn) error { return nil }

func isWindowsNoIPv6(error) bool { return false }
