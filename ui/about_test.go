package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/licenses"
)

func TestSettingsShowsAbout(t *testing.T) {
	about := About{
		Commit: "0123456789abcdef", GoVersion: "go1.26.8", Platform: "windows/amd64",
		Licenses: licenses.List{Go: "BSD-3-Clause", Modules: []licenses.Module{
			{Path: "fyne.io/fyne/v2", Version: "v2.8.1", License: "BSD-3-Clause", InApp: true},
			{Path: "github.com/chromedp/chromedp", Version: "v0.23.0", License: "MIT", InApp: false},
		}},
	}
	s, win, _ := newShell(t, Options{Cloud: sandboxCloud(), Version: "1.2.3", About: about})
	s.Show(PageSettings)
	got := texts(win)
	for _, want := range []string{"About Onboard365", "1.2.3", "0123456789abcdef", "go1.26.8", "windows/amd64"} {
		if !strings.Contains(got, want) {
			t.Errorf("Settings does not show %q:\n%s", want, got)
		}
	}
	// The licences are folded away until asked for.
	if strings.Contains(got, "fyne.io/fyne/v2 v2.8.1") {
		t.Errorf("the licence list is open before it was asked for")
	}
	var acc *widget.Accordion
	for _, o := range visible(win.Content()) {
		if a, ok := o.(*widget.Accordion); ok {
			acc = a
		}
	}
	if acc == nil {
		t.Fatal("Settings has no licence list")
	}
	acc.Open(0)
	got = texts(win)
	for _, want := range []string{"fyne.io/fyne/v2 v2.8.1", "BSD-3-Clause", "Go standard library and runtime go1.26.8", "One more module is used only by Onboard365's tests"} {
		if !strings.Contains(got, want) {
			t.Errorf("the licence list does not show %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "chromedp") {
		t.Errorf("the licence list shows a module only the tests use:\n%s", got)
	}
}

func TestAboutWithoutBuildInformation(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: sandboxCloud()})
	s.Show(PageSettings)
	got := texts(win)
	for _, want := range []string{"development build", "not known"} {
		if !strings.Contains(got, want) {
			t.Errorf("Settings does not show %q:\n%s", want, got)
		}
	}
}
