//go:build !windows

package main

// showMessageBox does nothing outside Windows: there the app is started from a terminal or a
// desktop launcher that keeps what it prints.
func showMessageBox(title, text string) {}

// attachConsole does nothing outside Windows, where a program always has its terminal.
func attachConsole() {}
