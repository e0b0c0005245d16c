package wizard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Keyboard use of a wizard:
//
//   - Tab and Shift+Tab move the focus through the step's fields and the wizard's buttons (Fyne's
//     own focus order: top to bottom, left to right).
//   - Enter is Next when the step may move on (Next is shown and enabled; the step's Validate
//     still runs). On a focused wizard button, Enter presses that button, as Space does.
//     In a one-line text field that has no Enter action of its own, Enter is Next too.
//   - Escape is Cancel: it stops work in flight, and otherwise leaves the wizard, asking first
//     when Config.Unsaved (or the step's Unsaved) says there are choices that leaving would throw
//     away. While that question shows, Escape answers "Stay".
//
// The window passes keys typed while nothing has the focus to Find(content).TypedKey (the shell
// does, through its canvas' OnTypedKey); a focused wizard Button handles its own.

// Button is a widget.Button that answers the keyboard as a wizard needs: Enter presses it, as
// Space does, and Escape is the wizard's Cancel.
type Button struct {
	widget.Button
	escape func()
}

func newButton(label string, icon fyne.Resource, tapped, escape func()) *Button {
	b := &Button{escape: escape}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter and cancels the wizard on Escape.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		// Not Tapped: that takes the focus away (Fyne does so for a tap), and a keyboard user
		// wants it to stay, so that Enter, Enter, Enter walks through the steps.
		if !b.Disabled() && b.Visible() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		if b.escape != nil {
			b.escape()
		}
	default:
		b.Button.TypedKey(ev)
	}
}

// TypedKey answers a key typed while no widget of the window has the focus. It returns whether
// the wizard used it.
func (w *Wizard) TypedKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		return w.pressNext()
	case fyne.KeyEscape:
		w.escape()
		return true
	}
	return false
}

// pressNext is Enter: Next, when the Next button is there to press.
func (w *Wizard) pressNext() bool {
	if w.confirm.Visible() || !w.next.Visible() || w.next.Disabled() {
		return false
	}
	w.Next()
	return true
}

// escape is Escape: "Stay" while the wizard asks whether to leave, Cancel otherwise.
func (w *Wizard) escape() {
	if w.confirm.Visible() {
		w.stay()
		return
	}
	w.Cancel()
}

// askToLeave shows, above the buttons, the question whether to leave and lose the choices made.
func (w *Wizard) askToLeave() {
	w.confirm.Show()
	w.leave.Enable()
}

func (w *Wizard) stay() { w.confirm.Hide() }

func (w *Wizard) leaveNow() {
	w.confirm.Hide()
	if w.cfg.OnClose != nil {
		w.cfg.OnClose()
	}
}

// newConfirm builds the hidden "leave without finishing?" bar.
func (w *Wizard) newConfirm() *fyne.Container {
	question := widget.NewLabel("Leave this wizard? The choices you made on these steps have not been applied, and they will be lost.")
	question.Wrapping = fyne.TextWrapWord
	question.Importance = widget.WarningImportance
	w.leave = newButton("Leave without applying", nil, w.leaveNow, w.stay)
	w.leave.Importance = widget.DangerImportance
	stay := newButton("Stay", nil, w.stay, w.stay)
	c := container.NewBorder(nil, nil, nil, container.NewHBox(stay, w.leave), question)
	c.Hide()
	return c
}

// submitsNext makes Enter in every one-line text field of the step's body press Next, unless the
// field has an Enter action of its own.
func (w *Wizard) submitsNext(o fyne.CanvasObject) {
	walk(o, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok && !e.MultiLine && e.OnSubmitted == nil {
			e.OnSubmitted = func(string) { w.pressNext() }
		}
		return false
	})
}

// view is the wizard's root as a widget of its own, so that Find can tell it in a window.
type view struct {
	widget.BaseWidget
	w       *Wizard
	content fyne.CanvasObject
}

func newView(w *Wizard, content fyne.CanvasObject) *view {
	v := &view{w: w, content: content}
	v.ExtendBaseWidget(v)
	return v
}

func (v *view) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// Find returns the wizard shown in o (a page, or a window's content), or nil when there is none.
// It looks through containers and scroll containers; a hidden wizard does not count.
func Find(o fyne.CanvasObject) *Wizard {
	var found *Wizard
	walk(o, func(o fyne.CanvasObject) bool {
		if v, ok := o.(*view); ok {
			found = v.w
			return true
		}
		return false
	})
	return found
}

// walk visits o and what it holds (containers, scroll containers, forms, accordions), in order,
// until visit returns true. Hidden objects are skipped.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if visit(o) {
		return true
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if walk(c, visit) {
				return true
			}
		}
	case *container.Scroll:
		return walk(x.Content, visit)
	case *widget.Form:
		for _, it := range x.Items {
			if walk(it.Widget, visit) {
				return true
			}
		}
	case *widget.Accordion:
		for _, it := range x.Items {
			if walk(it.Detail, visit) {
				return true
			}
		}
	case *view:
		return walk(x.content, visit)
	}
	return false
}

// releaseFocus takes the focus from a field of a step that is no longer shown, so that Enter and
// Escape reach the wizard again. A focused wizard button keeps it: Enter, Enter, Enter walks on.
func (w *Wizard) releaseFocus() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	c := app.Driver().CanvasForObject(w.view)
	if c == nil || c.Focused() == nil {
		return
	}
	if b, ok := c.Focused().(*Button); ok && (b == w.next || b == w.back || b == w.cancel || b == w.retry) {
		return
	}
	c.Unfocus()
}
