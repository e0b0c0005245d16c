package main

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The window opens at the size it had when it was last closed (the app's preferences), at a
// sensible size the first time, and never at a size the pages cannot be laid out in.
func TestWindowSizeIsRemembered(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	if got := windowSize(p); got != defaultWindow {
		t.Fatalf("first window %v, want %v", got, defaultWindow)
	}
	keepWindowSize(p, fyne.NewSize(1720, 980))
	if got := windowSize(p); got != fyne.NewSize(1720, 980) {
		t.Errorf("after closing at 1720x980: %v", got)
	}
	keepWindowSize(p, fyne.NewSize(300, 200)) // a window shrunk by hand below what the pages need
	if got := windowSize(p); got != fyne.NewSize(1024, 700) {
		t.Errorf("after closing at 300x200: %v, want the 1024x700 the pages need", got)
	}
	keepWindowSize(p, fyne.NewSize(0, 0)) // a window closed before it was drawn changes nothing
	if got := windowSize(p); got != fyne.NewSize(1024, 700) {
		t.Errorf("a zero size was kept: %v", got)
	}
}
