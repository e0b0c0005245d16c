package auth

import (
	"errors"
	"syscall"
)

// soExclusiveAddrUse is Winsock's SO_EXCLUSIVEADDRUSE, ((int)(~SO_REUSEADDR)): with it, no other
// socket may bind the same address and port, not even one that asks for SO_REUSEADDR (which on
// Windows would otherwise let a program take over a port another program listens on).
const soExclusiveAddrUse = ^4

// reuseControl sets SO_EXCLUSIVEADDRUSE on the listener's socket before it binds.
func reuseControl(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, soExclusiveAddrUse, 1)
	}); err != nil {
		return err
	}
	return serr
}

// isWindowsNoIPv6 says whether err is Winsock's "address not available" or "address family not
// supported": no IPv6 loopback on this computer.
func isWindowsNoIPv6(err error) bool {
	const wsaeAddrNotAvail, wsaeAFNoSupport = syscall.Errno(10049), syscall.Errno(10047)
	return errors.Is(err, wsaeAddrNotAvail) || errors.Is(err, wsaeAFNoSupport)
}
