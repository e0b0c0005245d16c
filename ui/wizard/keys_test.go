package wizard

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// press types one key the way Fyne's desktop driver delivers it: Tab moves the focus, Shift+Tab
// (KeyTab with shift) moves it back, any other key goes to the focused widget, or to the canvas'
// OnTypedKey when nothing has the focus.
func press(c fyne.Canvas, name fyne.KeyName) {
	if name == fyne.KeyTab {
		test.FocusNext(c)
		return
	}
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// keyboardWindow shows the wizard in a test window whose canvas hands unfocused keys to the
// wizard found in its content, as the app's window does through Shell.TypedKey.
func keyboardWindow(t *testing.T, w *Wizard) fyne.Canvas {
	t.Helper()
	win := show(t, w)
	// As the app does: the page around the wizard is made of containers.
	win.SetContent(container.NewPadded(container.NewStack(w.Object())))
	c := win.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if found := Find(win.Content()); found != nil {
			found.TypedKey(ev)
		}
	})
	return c
}

func TestKeyboardThroughAWizard(t *testing.T) {
	closed := 0
	var account *widget.Entry
	w := New(Config{
		Title: "Keys",
		Steps: []Step{
			{Title: "Start", Intro: "Nothing to fill in."},
			{
				Title: "Account", Intro: "Type the account.",
				Content: func() fyne.CanvasObject {
					account = widget.NewEntry()
					return widget.NewForm(widget.NewFormItem("Account", account))
				},
				Validate: func() error {
					if account.Text == "" {
						return errors.New("type the account first")
					}
					return nil
				},
			},
			{Title: "Check", Intro: "Read what will happen."},
		},
		OnClose: func() { closed++ },
	})
	c := keyboardWindow(t, w)

	press(c, fyne.KeyReturn)
	if w.Current() != 1 {
		t.Fatalf("Enter with nothing focused: on step %d, want 2", w.Current()+1)
	}
	press(c, fyne.KeyReturn)
	if w.Current() != 1 || !w.problems.Visible() {
		t.Fatalf("Enter on a step that does not validate: on step %d, problem shown %v", w.Current()+1, w.problems.Visible())
	}

	// Tab reaches the text field first, then Cancel, Back and Next.
	press(c, fyne.KeyTab)
	if c.Focused() != account {
		t.Fatalf("Tab focused %T, want the account field", c.Focused())
	}
	test.Type(account, "alex@contoso.example")
	press(c, fyne.KeyReturn) // Enter in the field is Next
	if w.Current() != 2 {
		t.Fatalf("Enter in the text field: on step %d, want 3", w.Current()+1)
	}
	if c.Focused() != nil {
		t.Errorf("the field of a step no longer shown keeps the focus (%T)", c.Focused())
	}

	var order []string
	for range 3 {
		press(c, fyne.KeyTab)
		b, ok := c.Focused().(*Button)
		if !ok {
			t.Fatalf("Tab focused %T, want a wizard button", c.Focused())
		}
		order = append(order, b.Text)
	}
	if order[0] != "Cancel" || order[1] != "Back" || order[2] != "Finish" {
		t.Errorf("Tab order on the last step = %q, want Cancel, Back, Finish", order)
	}

	// Enter presses the focused button: Back, from the focused Back.
	test.FocusPrevious(c)
	if b, ok := c.Focused().(*Button); !ok || b != w.back {
		t.Fatalf("Shift+Tab from Finish focused %T, want Back", c.Focused())
	}
	press(c, fyne.KeyReturn)
	if w.Current() != 1 {
		t.Fatalf("Enter on the focused Back: on step %d, want 2", w.Current()+1)
	}
	if b, ok := c.Focused().(*Button); !ok || b != w.back {
		t.Errorf("after Back the focus moved to %T", c.Focused())
	}

	// Escape is Cancel, from a focused button as from nowhere.
	press(c, fyne.KeyEscape)
	if closed != 1 {
		t.Fatalf("Escape on a focused button: closed %d times, want 1", closed)
	}
	c.Unfocus()
	press(c, fyne.KeyEscape)
	if closed != 2 {
		t.Fatalf("Escape with nothing focused: closed %d times, want 2", closed)
	}
}

func TestEscapeAsksBeforeThrowingAwayChoices(t *testing.T) {
	closed := 0
	ticked := true
	w := New(Config{
		Title:   "Fixes",
		Steps:   []Step{{Title: "Review", Intro: "Tick the fixes."}, {Title: "Apply", Intro: "Apply them."}},
		OnClose: func() { closed++ },
		Unsaved: func() bool { return ticked },
	})
	c := keyboardWindow(t, w)

	press(c, fyne.KeyEscape)
	if closed != 0 || !w.confirm.Visible() {
		t.Fatalf("Escape with unsaved choices: closed %d, question shown %v", closed, w.confirm.Visible())
	}
	press(c, fyne.KeyReturn)
	if w.Current() != 0 {
		t.Fatal("Enter moved on while the wizard asked whether to leave")
	}
	press(c, fyne.KeyEscape) // Escape answers Stay
	if closed != 0 || w.confirm.Visible() {
		t.Fatalf("second Escape: closed %d, question shown %v; want it to stay", closed, w.confirm.Visible())
	}

	test.Tap(w.cancel) // the mouse asks too
	if !w.confirm.Visible() {
		t.Fatal("Cancel with unsaved choices did not ask")
	}
	press(c, fyne.KeyTab) // the question's buttons take the focus first: Stay, then Leave
	press(c, fyne.KeyTab)
	if c.Focused() != w.leave {
		t.Fatalf("Tab focused %T, want Leave without applying", c.Focused())
	}
	press(c, fyne.KeyReturn)
	if closed != 1 || w.confirm.Visible() {
		t.Fatalf("Leave without applying: closed %d, question shown %v", closed, w.confirm.Visible())
	}

	ticked = false
	c.Unfocus()
	press(c, fyne.KeyEscape)
	if closed != 2 {
		t.Fatalf("Escape with nothing to lose: closed %d, want 2 (no question)", closed)
	}
}

func TestEnterWaitsForWorkAndEscapeStopsIt(t *testing.T) {
	release := make(chan struct{})
	stopped := make(chan struct{})
	w := New(Config{Title: "Read", Steps: []Step{
		{Title: "Start", Intro: "Start."},
		{Title: "Read", Intro: "Reading every customer.", Work: func(ctx context.Context, _ func(Progress)) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				close(stopped)
				return ctx.Err()
			}
		}},
		{Title: "Done", Intro: "Done."},
	}})
	wait := waitForWork(t, w)
	c := keyboardWindow(t, w)

	press(c, fyne.KeyReturn) // to the step with work
	if w.Current() != 1 || !w.running {
		t.Fatalf("on step %d, running %v", w.Current()+1, w.running)
	}
	press(c, fyne.KeyReturn)
	if w.Current() != 1 {
		t.Fatal("Enter moved on while the step's work was running")
	}
	press(c, fyne.KeyEscape)
	<-stopped
	wait()
	if w.running || w.Current() != 1 || !w.next.Disabled() {
		t.Fatalf("after Escape: running %v, step %d, next disabled %v", w.running, w.Current()+1, w.next.Disabled())
	}
	press(c, fyne.KeyReturn)
	if w.Current() != 1 {
		t.Fatal("Enter moved on past work that was stopped")
	}
	close(release)
	test.Tap(w.retry)
	wait()
	press(c, fyne.KeyReturn)
	if w.Current() != 2 {
		t.Fatalf("Enter after the work succeeded: on step %d, want 3", w.Current()+1)
	}
}

func TestFind(t *testing.T) {
	test.NewTempApp(t)
	w := New(Config{Title: "T", Steps: []Step{{Title: "A"}}})
	hidden := New(Config{Title: "H", Steps: []Step{{Title: "B"}}})
	hidden.Object().Hide()
	tests := []struct {
		name string
		in   fyne.CanvasObject
		want *Wizard
	}{
		{"the wizard itself", w.Object(), w},
		{"inside containers and a scroll", container.NewVBox(widget.NewLabel("x"), container.NewVScroll(container.NewPadded(w.Object()))), w},
		{"a hidden wizard", container.NewVBox(hidden.Object()), nil},
		{"a page without one", container.NewVBox(widget.NewLabel("Settings")), nil},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Find(tt.in); got != tt.want {
				t.Errorf("Find = %p, want %p", got, tt.want)
			}
		})
	}
}
