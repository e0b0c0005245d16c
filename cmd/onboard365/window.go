package main

import (
	"io"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/onboard365/onboard365/resources"
	"github.com/onboard365/onboard365/ui"
)

// runWindow opens the app's window and returns when the user closes it. Without OpenGL 2.1 it
// says what to do instead and returns exitNoGraphics (gl.go).
func runWindow(opts ui.Options, stderr io.Writer) int {
	if !windowCanOpen(stderr) {
		return exitNoGraphics
	}
	// The window's heap is small (mostly fonts) and its work comes in bursts: collecting when the
	// heap has grown by half, not doubled, keeps its resident memory about 10 MB lower after a
	// 1,000-customer check, for a few milliseconds more of collecting (measured under Xvfb).
	debug.SetGCPercent(50)
	a := app.NewWithID("io.github.onboard365")
	a.SetIcon(resources.Icon())
	opts.Preferences = a.Preferences() // the first-run welcome's answer; not secret
	w := a.NewWindow("Onboard365")
	shell := ui.NewShell(opts)
	w.SetContent(shell.Object())
	w.Canvas().SetOnTypedKey(shell.TypedKey) // Enter and Escape in the wizards (ui/wizard/keys.go)
	w.Resize(fyne.NewSize(1024, 700))
	w.CenterOnScreen()
	w.ShowAndRun()
	return 0
}
