package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
)

// The mouse wheel over a field one types into scrolls the page (ui/wizard/wheel.go), and the
// field still takes clicks, typing and selecting: each event goes through the canvas at the
// field's place, the way Fyne's driver finds its receiver, not to the field directly.
func TestWheelOverAFieldScrollsThePage(t *testing.T) {
	cases := []struct {
		name  string
		open  func(t *testing.T) fyne.Window
		field func(e *widget.Entry) bool
	}{
		{"App registration's name", func(t *testing.T) fyne.Window {
			s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Services: Services{AppRegistration: &fakeAppReg{}}})
			s.Show(PageAppRegistry)
			return win
		}, func(e *widget.Entry) bool { return e.Text == "Onboard365" }},
		{"GDAP's table filter", func(t *testing.T) fyne.Window {
			s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{GDAP: &manyVerdicts{}}})
			s.Show(PageGDAP)
			test.Tap(button(t, win, "Check every customer"))
			wait()
			return win
		}, func(e *widget.Entry) bool { return e.PlaceHolder == "Filter by customer name" }},
		{"Troubleshoot's account", func(t *testing.T) fyne.Window {
			s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Troubleshoot: &fakeTroubleshoot{}}})
			s.Show(PageTroubleshoot)
			wait() // the page reads its customers first
			return win
		}, func(e *widget.Entry) bool {
			return e.PlaceHolder == "integration@yourpartner.onmicrosoft.com (optional)"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			win := c.open(t)
			win.Resize(fyne.NewSize(1024, 480)) // short, so that the page scrolls
			var entry *widget.Entry
			for _, o := range visible(win.Content()) {
				if e, ok := o.(*widget.Entry); ok && c.field(e) {
					entry = e
				}
			}
			if entry == nil {
				t.Fatalf("no such field on the page:\n%s", texts(win))
			}
			body := bodyScroll(t, win)
			body.Refresh()
			body.ScrollToTop()
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(entry).Add(fyne.NewPos(entry.Size().Width/2, entry.Size().Height/2))
			if at.Y >= body.Size().Height+fyne.CurrentApp().Driver().AbsolutePositionForObject(body).Y {
				t.Fatalf("the field (at %v) is below the window: make the test window taller", at)
			}

			test.Scroll(win.Canvas(), at, 0, -40) // the wheel turned towards the person: the page moves up
			if body.Offset.Y == 0 {
				t.Errorf("the wheel over the field did not scroll the page")
			}
			body.ScrollToTop()

			// A click at the field: the glfw driver hands a press to the deepest object under the
			// pointer that is tappable, focusable or takes the mouse (its mouseClicked); that is
			// the field, never the wheel's forwarder, and the press focuses it.
			entry.SetText("")
			pressed := under(win, at, func(o fyne.CanvasObject) bool {
				switch o.(type) {
				case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, fyne.Focusable, desktop.Mouseable:
					return true
				}
				return false
			})
			if pressed != fyne.CanvasObject(entry) {
				t.Fatalf("a click on the field goes to a %T, not to the field", pressed)
			}
			abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(entry)
			entry.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at, Position: at.Subtract(abs)}, Button: desktop.MouseButtonPrimary})
			entry.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at, Position: at.Subtract(abs)}, Button: desktop.MouseButtonPrimary})
			if win.Canvas().Focused() != entry {
				t.Fatalf("a click on the field did not focus it (focused: %T)", win.Canvas().Focused())
			}
			test.Type(win.Canvas().Focused(), "contoso") // keys go to the focused object, as in the driver
			if entry.Text != "contoso" {
				t.Errorf("typed \"contoso\", the field holds %q", entry.Text)
			}
			// A drag: the press at the text's start, the pointer held down to past its end (the
			// driver gives Dragged the pointer's position now, at the object found there).
			start := fyne.NewPos(theme.Padding()*2, entry.Size().Height/2)
			entry.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: abs.Add(start), Position: start}, Button: desktop.MouseButtonPrimary})
			end := fyne.NewPos(entry.Size().Width*3/4, start.Y)
			test.Drag(win.Canvas(), abs.Add(end), end.X-start.X, 0)
			if entry.SelectedText() != "contoso" {
				t.Errorf("a drag across the field selected %q, want \"contoso\"", entry.SelectedText())
			}
		})
	}
}

// under is the object at pos that Fyne's driver gives an event to: of those under pos that
// match, the last in its walk of the tree, depth first (internal/driver/util.go,
// FindObjectAtPositionMatching).
func under(win fyne.Window, pos fyne.Position, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	var found fyne.CanvasObject
	d := fyne.CurrentApp().Driver()
	for _, o := range visible(win.Content()) {
		p, size := d.AbsolutePositionForObject(o), o.Size()
		if pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+size.Width && pos.Y < p.Y+size.Height && match(o) {
			found = o
		}
	}
	return found
}

// TestEveryFieldHandsTheWheelToThePage: on the first step of every wizard, no field keeps the
// wheel to its own scroll (a field a page forgot to wrap with its Wheel).
func TestEveryFieldHandsTheWheelToThePage(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			_, win, _, _ := openFrame(t, c, workWorks)
			for _, o := range visible(win.Content()) {
				e, ok := o.(*widget.Entry)
				if !ok {
					continue
				}
				at := fyne.CurrentApp().Driver().AbsolutePositionForObject(e).Add(fyne.NewPos(e.Size().Width/2, e.Size().Height/2))
				got := under(win, at, func(o fyne.CanvasObject) bool { _, ok := o.(fyne.Scrollable); return ok })
				if _, own := got.(*container.Scroll); own {
					t.Errorf("the wheel over the field %q (%q) goes to the field's own scroll, not the page's", e.Text, e.PlaceHolder)
				}
			}
		})
	}
}
