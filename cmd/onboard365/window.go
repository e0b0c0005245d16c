package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/onboard365/onboard365/resources"
	"github.com/onboard365/onboard365/ui"
)

// runWindow opens the app's window and returns when the user closes it.
func runWindow(opts ui.Options) int {
	a := app.NewWithID("io.github.onboard365")
	a.SetIcon(resources.Icon())
	w := a.NewWindow("Onboard365")
	w.SetContent(ui.NewShell(opts).Object())
	w.Resize(fyne.NewSize(1024, 700))
	w.CenterOnScreen()
	w.ShowAndRun()
	return 0
}
