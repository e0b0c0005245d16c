package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/ui/wizard"
)

func newShell(t *testing.T, opts Options) (*Shell, fyne.Window, func()) {
	t.Helper()
	test.NewTempApp(t)
	s := newShellForTest(opts)
	done := make(chan struct{}, 4)
	s.afterAsync = func() { done <- struct{}{} }
	win := test.NewTempWindow(t, s.Object())
	win.Resize(fyne.NewSize(1024, 700))
	// wait lets one piece of background work finish: it runs the page update that the work
	// handed to the UI goroutine (here, the test's goroutine), or waits for a wizard step's end.
	wait := func() {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case u := <-s.uiQueue:
				u.run()
				select {
				case <-done: // that was a wizard step's end
					return
				default:
				}
				if !u.wizard {
					return // a page's own update
				}
				// a wizard's progress report: go on to the step's end
			case <-done:
				return
			case <-deadline:
				t.Fatal("background work did not finish within 10 s")
			}
		}
	}

	return s, win, wait
}

// visible returns every object in the tree that a person can see: hidden objects and everything
// inside them are left out.
func visible(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, visible(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, visible(c)...)
		}
	}
	return out
}

// texts returns every label and button shown in the window, one a line; buttons in [brackets].
func texts(win fyne.Window) string {
	var b strings.Builder
	for _, o := range visible(win.Content()) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString("[" + w.Text + "]\n")
		case *wizard.Button: // a wizard's Back, Next, Cancel: a widget.Button that also answers keys
			b.WriteString("[" + w.Text + "]\n")
		}
	}
	return b.String()
}

func button(t *testing.T, win fyne.Window, text string) *widget.Button {
	t.Helper()
	for _, o := range visible(win.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
		if b, ok := o.(*wizard.Button); ok && b.Text == text {
			return &b.Button
		}
	}
	t.Fatalf("no visible button %q in:\n%s", text, texts(win))
	return nil
}

func sandboxCloud() cloud.Cloud {
	return cloud.Cloud{Name: "Sandbox", AuthorityHost: "https://127.0.0.1:1", GraphURL: "https://127.0.0.1:1/graph",
		PartnerCenterURL: "https://127.0.0.1:1/partnercenter", Sandbox: true}
}

func TestTaskListHasEveryTask(t *testing.T) {
	_, win, _ := newShell(t, Options{Cloud: cloud.Public()})
	got := texts(win)
	for _, want := range []string{"Home", "Sign in", "App registration", "Onboard a customer", "GDAP relationships",
		"Authenticator default method", `Troubleshoot "400" errors`, "Settings"} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("the task list has no %q", want)
		}
	}
}

func TestEveryPageOpensWithItsHeading(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), TrySandbox: func(context.Context) (cloud.Cloud, error) { return sandboxCloud(), nil }})
	headings := map[string]string{
		PageHome:          "Welcome to Onboard365",
		PageSignIn:        "Sign in",
		PageAppRegistry:   "App registration",
		PageOnboard:       "Onboard a customer",
		PageGDAP:          "GDAP relationships",
		PageAuthenticator: "Authenticator default method",
		PageTroubleshoot:  `Troubleshoot "400" errors`,
		PageSettings:      "Settings",
	}
	if got := len(s.PageIDs()); got != len(headings) {
		t.Fatalf("%d pages, want %d", got, len(headings))
	}
	for _, id := range s.PageIDs() {
		s.Show(id)
		if s.CurrentPage() != id {
			t.Fatalf("Show(%q) shows %q", id, s.CurrentPage())
		}
		page := test.RenderObjectToMarkup(s.content)
		if !strings.Contains(page, headings[id]) {
			t.Errorf("page %q does not show %q", id, headings[id])
		}
	}
	s.Show("no such page")
	if s.CurrentPage() != PageSettings {
		t.Error("an unknown page id changed the page")
	}
	_ = win
}

func TestHomeLinksOpenTheirTask(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: cloud.Public()})
	test.Tap(button(t, win, "3. Check every customer's GDAP relationships and roles"))
	if s.CurrentPage() != PageGDAP {
		t.Fatalf("the GDAP link opened %q", s.CurrentPage())
	}
}

func TestTrySandboxSwitchesTheAppToTheSandbox(t *testing.T) {
	started := 0
	s, win, wait := newShell(t, Options{
		Cloud: cloud.Public(),
		TrySandbox: func(context.Context) (cloud.Cloud, error) {
			started++
			return sandboxCloud(), nil
		},
	})
	if strings.Contains(texts(win), "Nothing here touches a real tenant") {
		t.Fatal("the sandbox banner shows before the sandbox was started")
	}
	s.Show(PageSettings)
	test.Tap(button(t, win, "Try the sandbox")) // the one in the sidebar
	wait()
	if started != 1 {
		t.Fatalf("TrySandbox called %d times", started)
	}
	got := texts(win)
	for _, want := range []string{"Nothing here touches a real tenant", "You are in the sandbox"} {
		if !strings.Contains(got, want) {
			t.Errorf("after starting the sandbox the window does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "[Try the sandbox]") {
		t.Error("Try the sandbox is still offered once the sandbox is on")
	}
	if s.CurrentPage() != PageHome {
		t.Errorf("after starting the sandbox the page is %q, want home", s.CurrentPage())
	}
}

func TestTrySandboxFailureIsASentence(t *testing.T) {
	_, win, wait := newShell(t, Options{
		Cloud: cloud.Public(),
		TrySandbox: func(context.Context) (cloud.Cloud, error) {
			return cloud.Cloud{}, errors.New("start the sandbox on this computer's loopback address: permission denied")
		},
	})
	test.Tap(button(t, win, "Try the sandbox"))
	wait()
	got := texts(win)
	if !strings.Contains(got, "The sandbox did not start. Start the sandbox on this computer's loopback address: permission denied.") {
		t.Errorf("the failure is not shown as a sentence:\n%s", got)
	}
	if !strings.Contains(got, "[Try the sandbox]") {
		t.Error("after a failure the user must be able to try again")
	}
}

func TestSandboxBannerAndNoOfferWhenStartedOnTheSandbox(t *testing.T) {
	_, win, _ := newShell(t, Options{Cloud: sandboxCloud()})
	got := texts(win)
	if !strings.Contains(got, "Sandbox: a simulated Microsoft cloud on this computer.") {
		t.Error("no sandbox banner")
	}
	if strings.Contains(got, "[Try the sandbox]") {
		t.Error("Try the sandbox offered while on the sandbox")
	}
}

func TestSettingsCheckConnection(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"reachable", nil, "The sign-in service answered"},
		{"unreachable", errors.New("could not reach the sign-in service at https://login.example; check the internet connection"), "Could not reach the sign-in service at https://login.example; check the internet connection."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var checked cloud.Cloud
			s, win, wait := newShell(t, Options{Cloud: cloud.Public(), CheckConnection: func(_ context.Context, c cloud.Cloud) error {
				checked = c
				return tt.err
			}})
			s.Show(PageSettings)
			got := texts(win)
			for _, want := range []string{cloud.Public().Name, cloud.Public().GraphURL, cloud.Public().PartnerCenterURL} {
				if !strings.Contains(got, want) {
					t.Errorf("Settings does not show %q", want)
				}
			}
			test.Tap(button(t, win, "Check the connection"))
			wait()
			if checked.AuthorityHost != cloud.Public().AuthorityHost {
				t.Errorf("checked %q, want the current cloud", checked.AuthorityHost)
			}
			if got := texts(win); !strings.Contains(got, tt.want) {
				t.Errorf("after the check the page does not say %q:\n%s", tt.want, got)
			}
		})
	}
}

// newShellForTest builds a shell whose background updates wait for the test to run them.
func newShellForTest(opts Options) *Shell {
	s := NewShell(opts)
	s.Headless()
	return s
}
