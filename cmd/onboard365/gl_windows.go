package main

import (
	"os"
	"syscall"
	"unsafe"
)

var (
	user32            = syscall.NewLazyDLL("user32.dll")
	kernel32          = syscall.NewLazyDLL("kernel32.dll")
	procMessageBoxW   = user32.NewProc("MessageBoxW")
	procAttachConsole = kernel32.NewProc("AttachConsole")
)

const (
	mbOK              = 0x00000000
	mbIconWarning     = 0x00000030
	attachParentProcs = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
)

// showMessageBox shows text in a Windows message box. Onboard365.exe is a GUI program: started
// from Explorer it has no console, and what it prints is lost.
func showMessageBox(title, text string) {
	t, err1 := syscall.UTF16PtrFromString(title)
	m, err2 := syscall.UTF16PtrFromString(text)
	if err1 != nil || err2 != nil {
		return
	}
	_, _, _ = procMessageBoxW.Call(0, uintptr(unsafe.Pointer(m)), uintptr(unsafe.Pointer(t)), mbOK|mbIconWarning)
}

// attachConsole gives the command line commands (onboard365 check gdap, --version, --help) the
// console of the Command Prompt or PowerShell they were typed in. A GUI program gets none of its
// own; output already redirected to a file or a pipe is left where it goes.
func attachConsole() {
	out, _ := syscall.GetStdHandle(syscall.STD_OUTPUT_HANDLE)
	errh, _ := syscall.GetStdHandle(syscall.STD_ERROR_HANDLE)
	if out != 0 && out != syscall.InvalidHandle && errh != 0 && errh != syscall.InvalidHandle {
		return // both redirected
	}
	if r, _, _ := procAttachConsole.Call(attachParentProcs); r == 0 {
		return // started from Explorer: there is no console to attach to
	}
	if out == 0 || out == syscall.InvalidHandle {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if errh == 0 || errh == syscall.InvalidHandle {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
}
