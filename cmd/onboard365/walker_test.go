package main

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/onboard365/onboard365/ui"
)

// walker drives the real window headless, as a person would: taps buttons by their text and
// waits for the wizard's work.
type walker struct {
	t     *testing.T
	shell *ui.Shell
	win   fyne.Window
	done  chan struct{}
}

func newWalker(t *testing.T, opts ui.Options) *walker {
	t.Helper()
	test.NewTempApp(t)
	s := ui.NewShell(opts)
	s.Headless()
	w := &walker{t: t, shell: s, done: make(chan struct{}, 8)}
	s.OnWorkDone(func() { w.done <- struct{}{} })
	w.win = test.NewTempWindow(t, s.Object())
	w.win.Resize(fyne.NewSize(1024, 700))
	return w
}

// text is every label and button shown, one a line; buttons in [brackets] (authmethods_test.go).
func (w *walker) text() string { return windowText(w.win) }

func (w *walker) find(text string) fyne.Tappable {
	for _, o := range visibleObjects(w.win.Content()) {
		if got, tap, ok := asButton(o); ok && got == text {
			if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
				continue
			}
			return tap
		}
	}
	return nil
}

func (w *walker) tap(text string) {
	w.t.Helper()
	b := w.find(text)
	if b == nil {
		w.t.Fatalf("no button %q in:\n%s", text, w.text())
	}
	test.Tap(b)
}

// settle runs the page updates that background work handed over.
func (w *walker) settle() { w.shell.Settle(50 * time.Millisecond) }

// idle runs page updates until no background work of the window is left.
func (w *walker) idle() {
	w.t.Helper()
	if !w.shell.Settle(30 * time.Second) {
		w.t.Fatalf("the page's background work did not end within 30 s:\n%s", w.text())
	}
}

// until waits for a button to appear, running page updates meanwhile.
func (w *walker) until(text string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for w.find(text) == nil {
		if time.Now().After(deadline) {
			w.t.Fatalf("no button %q appeared:\n%s", text, w.text())
		}
		w.settle()
		time.Sleep(5 * time.Millisecond)
	}
}

// workDone waits for a wizard step's work to end.
func (w *walker) workDone() {
	w.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case <-w.done:
			w.settle()
			return
		case <-deadline:
			w.t.Fatalf("the step's work did not end:\n%s", w.text())
		default:
			w.settle()
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (w *walker) expect(step string, wants ...string) {
	w.t.Helper()
	got := w.text()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			w.t.Errorf("%s: the page does not say %q:\n%s", step, want, got)
		}
	}
}
