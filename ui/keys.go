package ui

import (
	"fyne.io/fyne/v2"

	"github.com/onboard365/onboard365/ui/wizard"
)

// TypedKey handles a key typed while no widget has the focus; the window sets it as its canvas'
// OnTypedKey. On a page that shows a wizard, Enter is Next and Escape is Cancel (ui/wizard/keys.go).
func (s *Shell) TypedKey(ev *fyne.KeyEvent) {
	if w := wizard.Find(s.content); w != nil {
		w.TypedKey(ev)
	}
}
