package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/onboard365/onboard365/internal/cloud"
)

// pressKey types one key as Fyne's desktop driver delivers it: to the focused widget, or to the
// canvas' OnTypedKey (the shell's TypedKey) when nothing has the focus.
func pressKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// TestKeysReachTheWizardOnScreen: the window hands Enter and Escape to the wizard of the page on
// screen, and to nothing on a page without one.
func TestKeysReachTheWizardOnScreen(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: &fakeSignIn{evidence: compliant}}})
	c := win.Canvas()
	c.SetOnTypedKey(s.TypedKey)

	pressKey(c, fyne.KeyReturn) // Home has no wizard: nothing happens
	pressKey(c, fyne.KeyEscape)
	if s.CurrentPage() != PageHome {
		t.Fatalf("keys on Home moved to %q", s.CurrentPage())
	}

	s.Show(PageSignIn)
	pressKey(c, fyne.KeyEscape) // Cancel: the Sign in wizard goes back to Home
	if s.CurrentPage() != PageHome {
		t.Fatalf("Escape on Sign in: page %q, want home", s.CurrentPage())
	}

	s.Show(PageSignIn)
	if !strings.Contains(texts(win), "Step 1 of") {
		t.Fatalf("Sign in does not open on its first step:\n%s", texts(win))
	}
	pressKey(c, fyne.KeyReturn) // Next ("Sign in"): the sign-in step runs
	wait()
	if got := texts(win); !strings.Contains(got, "Step 2 of") {
		t.Fatalf("Enter did not move Sign in on:\n%s", got)
	}
	test.FocusNext(c) // Tab: something in the window takes the focus
	if c.Focused() == nil {
		t.Fatal("Tab focused nothing")
	}
}

// TestChoosingATaskLeavesTheKeysToItsWizard: a click on the task list focuses the list (Fyne does
// so on the desktop), and a focused list would swallow Enter; choosing a task gives the keys back.
func TestChoosingATaskLeavesTheKeysToItsWizard(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: &fakeSignIn{evidence: compliant}}})
	c := win.Canvas()
	c.SetOnTypedKey(s.TypedKey)
	c.Focus(s.nav) // as listItem.Tapped does before it selects
	s.nav.Select(1)
	if s.CurrentPage() != PageSignIn {
		t.Fatalf("page %q, want Sign in", s.CurrentPage())
	}
	if c.Focused() != nil {
		t.Fatalf("after choosing a task the focus stays on %T", c.Focused())
	}
	pressKey(c, fyne.KeyReturn)
	wait()
	if got := texts(win); !strings.Contains(got, "Step 2 of") {
		t.Fatalf("Enter after choosing Sign in from the list did not move it on:\n%s", got)
	}
}
