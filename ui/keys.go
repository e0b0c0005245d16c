package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/ui/wizard"
)

// TypedKey handles a key typed while no widget has the focus; the window sets it as its canvas'
// OnTypedKey. On a page that shows a wizard, Enter is Next and Escape is Cancel (ui/wizard/keys.go).
func (s *Shell) TypedKey(ev *fyne.KeyEvent) {
	if w := wizard.Find(s.content); w != nil {
		w.TypedKey(ev)
	}
}

// releaseNavFocus takes the focus from the task list once a task is chosen. A click on the list
// focuses it (Fyne does so on the desktop), and a focused list keeps Enter and Escape to itself;
// after choosing a task, those keys belong to the task's wizard. Tab brings the focus back.
func (s *Shell) releaseNavFocus() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	c := app.Driver().CanvasForObject(s.nav)
	if c == nil {
		return
	}
	if f, ok := c.Focused().(*widget.List); ok && f == s.nav {
		c.Unfocus()
	}
}
