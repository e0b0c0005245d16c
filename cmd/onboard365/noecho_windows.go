package main

import "golang.org/x/sys/windows"

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
