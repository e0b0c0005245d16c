package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// noEcho turns off the console's echo on fd while a secret is typed, and returns how to turn it
// on again; ok false when fd is not a console.
func noEcho(fd int) (restore func(), ok bool) {
	h := windows.Handle(fd)
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return nil, false
	}
	if windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT|windows.ENABLE_LINE_INPUT) != nil {
		return nil, false
	}
	return func() { _ = windows.SetConsoleMode(h, mode) }, true
}

// inputFile is where a command reads what the person types: standard input, or, for the
// windowed Onboard365.exe started from a console (which gets no standard input), that console.
func inputFile() *os.File {
	if h, err := windows.GetStdHandle(windows.STD_INPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return os.Stdin
	}
	if f, err := os.OpenFile("CONIN$", os.O_RDWR, 0); err == nil {
		return f
	}
	return os.Stdin
}
