package screenshot

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/wizard"
)

// Action is one thing a tour does, as a person would: open a page, tap a button, tick a box,
// type into a field, wait for the work a tap started, or take a picture.
type Action struct {
	Page   string // open this page of the task list
	Tap    string // tap the visible button with this label (waits up to 20 s for it to appear)
	Check  string // tick the visible check box with this label
	Field  string // with Type or Choose: the visible entry or drop-down whose placeholder starts with this text
	Type   string // the text to type into Field
	Choose string // the option to choose in Field
	Wait   bool   // wait until the wizard's background work has ended
	Idle   bool   // wait until no background work of the window is left
	Text   string // wait until a label on screen holds this text (work still running may write it)
	Shot   string // write the window to Shot + ".png"
	// Look, when set, is given the window as it is now (a test reads what it shows); its error
	// ends the tour.
	Look func(win fyne.Window) error
}

// Tour runs actions on a window of the given size in the light theme and writes a PNG for each
// Shot into dir. It returns the files written. Like Write, it owns the Fyne test app it creates.
func Tour(dir string, opts ui.Options, size fyne.Size, actions []Action) ([]string, error) {
	app := test.NewApp()
	defer app.Quit()
	app.Settings().SetTheme(fixedVariant{theme.DefaultTheme(), theme.VariantLight})

	shell := ui.NewShell(opts)
	shell.Headless()
	done := make(chan struct{}, 16)
	shell.OnWorkDone(func() { done <- struct{}{} })
	win := test.NewWindow(shell.Object())
	defer win.Close()
	win.Resize(size)

	var written []string
	for i, a := range actions {
		switch {
		case a.Page != "":
			shell.Show(a.Page)
			shell.Settle(20 * time.Second)
		case a.Tap != "":
			b, err := waitFor(shell, win, a.Tap, func(o fyne.CanvasObject) bool {
				b := asButton(o)
				return b != nil && b.Text == a.Tap && !b.Disabled()
			})
			if err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
			test.Tap(b.(fyne.Tappable))
			shell.Settle(200 * time.Millisecond) // a quick answer; Wait or Idle for work that takes longer
		case a.Check != "":
			c, err := waitFor(shell, win, a.Check, func(o fyne.CanvasObject) bool {
				c, ok := o.(*widget.Check)
				return ok && c.Text == a.Check
			})
			if err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
			c.(*widget.Check).SetChecked(true)
		case a.Field != "" && a.Choose != "":
			sel, err := waitFor(shell, win, a.Field, func(o fyne.CanvasObject) bool {
				s, ok := o.(*widget.Select)
				return ok && strings.HasPrefix(s.PlaceHolder, a.Field)
			})
			if err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
			sel.(*widget.Select).SetSelected(a.Choose)
			shell.Settle(20 * time.Second)
		case a.Field != "":
			e, err := waitFor(shell, win, a.Field, func(o fyne.CanvasObject) bool {
				e, ok := o.(*widget.Entry)
				return ok && strings.HasPrefix(e.PlaceHolder, a.Field)
			})
			if err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
			e.(*widget.Entry).SetText(a.Type)
		case a.Text != "":
			if _, err := waitFor(shell, win, a.Text, func(o fyne.CanvasObject) bool {
				l, ok := o.(*widget.Label)
				return ok && strings.Contains(l.Text, a.Text)
			}); err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
		case a.Idle:
			if !shell.Settle(60 * time.Second) {
				return written, fmt.Errorf("tour step %d: the window's work did not end within 60 s", i+1)
			}
		case a.Wait:
			deadline := time.Now().Add(60 * time.Second)
		waiting:
			for {
				select {
				case <-done:
					break waiting
				default:
				}
				if time.Now().After(deadline) {
					return written, fmt.Errorf("tour step %d: the work did not end within 60 s", i+1)
				}
				shell.Settle(50 * time.Millisecond) // the work's page updates
				time.Sleep(5 * time.Millisecond)
			}
			shell.Settle(20 * time.Second)
		case a.Look != nil:
			if err := a.Look(win); err != nil {
				return written, fmt.Errorf("tour step %d: %w", i+1, err)
			}
		case a.Shot != "":
			relayout(win, size)
			path := filepath.Join(dir, a.Shot+".png")
			if err := writePNG(path, win.Canvas()); err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}

// waitFor finds the first visible object that match accepts, waiting up to 20 s for it to appear
// (a wizard's work may still be building it).
func waitFor(shell *ui.Shell, win fyne.Window, what string, match func(fyne.CanvasObject) bool) (fyne.CanvasObject, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		// A dialog lies over the page: look there first.
		var objs []fyne.CanvasObject
		for _, ov := range win.Canvas().Overlays().List() {
			objs = append(objs, Visible(ov)...)
		}
		for _, o := range append(objs, Visible(win.Content())...) {
			if match(o) {
				return o, nil
			}
		}
		if time.Now().After(deadline) {
			var shown []string
			for _, o := range append(objs, Visible(win.Content())...) {
				if b := asButton(o); b != nil {
					shown = append(shown, "["+b.Text+"]")
				}
			}
			return nil, fmt.Errorf("nothing called %q is on screen; its buttons are %s", what, strings.Join(shown, " "))
		}
		shell.Settle(50 * time.Millisecond) // page updates that background work handed over
		time.Sleep(10 * time.Millisecond)
	}
}

// visible returns every object in the tree that a person can see.
func Visible(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, Visible(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, Visible(c)...)
		}
	}
	return out
}

// asButton returns the button o is, or nil: a plain button or a wizard's (which answers the
// keyboard too).
func asButton(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case *wizard.Button:
		return &b.Button
	}
	return nil
}
