package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// noEcho turns off the terminal's echo on fd while a secret is typed, and returns how to turn it
// on again; ok false when fd is not a terminal.
func noEcho(fd int) (restore func(), ok bool) {
	t, err := unix.IoctlGetTermios(fd, unix.TIOCGETA)
	if err != nil {
		return nil, false
	}
	old := *t
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	if unix.IoctlSetTermios(fd, unix.TIOCSETA, t) != nil {
		return nil, false
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TIOCSETA, &old) }, true
}

// inputFile is where a command reads what the person types.
func inputFile() *os.File { return os.Stdin }
