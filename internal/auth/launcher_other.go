//go:build !windows

package auth

import "os/exec"

// hideWindow does nothing where starting a program shows no console window.
func hideWindow(*exec.Cmd) {}
