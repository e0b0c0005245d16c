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
	w.Resize(windowSize(a.Preferences()))
	w.CenterOnScreen()
	w.SetCloseIntercept(func() {
		keepWindowSize(a.Preferences(), w.Canvas().Size())
		w.Close()
	})
	w.ShowAndRun()
	return 0
}

// The window's size is remembered between runs in the app's preferences (not secret: two numbers).
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

// defaultWindow is the size of the first window: it fits a 1280x800 screen with its task bar.
var defaultWindow = fyne.NewSize(1180, 760)

// windowSize is the size the window had when it was last closed, or the default; never smaller
// than the 1024x700 the pages are laid out for, nor absurdly large.
func windowSize(p fyne.Preferences) fyne.Size {
	w := p.FloatWithFallback(prefWidth, float64(defaultWindow.Width))
	h := p.FloatWithFallback(prefHeight, float64(defaultWindow.Height))
	return fyne.NewSize(float32(clamp(w, 1024, 8000)), float32(clamp(h, 700, 5000)))
}

func keepWindowSize(p fyne.Preferences, s fyne.Size) {
	if s.Width >= 1 && s.Height >= 1 {
		p.SetFloat(prefWidth, float64(s.Width))
		p.SetFloat(prefHeight, float64(s.Height))
	}
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }
