package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/onboard365/onboard365/internal/sandbox"
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

// signInOnPage waits for the sandbox's sign-in form in the page and signs in as alex.
func (w *walker) signInOnPage() {
	w.t.Helper()
	w.until("Sign in to the sandbox")
	w.tap("Sign in to the sandbox")
	w.workDone()
}

// TestAppRegistrationWizardOnAFreshTenant walks the whole App registration wizard in the real
// window, headless, against the sandbox's fresh tenant: it ends with a working, consented app,
// its secret and the app's own sign-in in the keychain; then it walks it again and nothing changes.
func TestAppRegistrationWizardOnAFreshTenant(t *testing.T) {
	s, err := sandbox.Start(sandbox.Options{Scenario: sandbox.ScenarioFresh})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	store := &keychainInMemory{items: map[string]string{}}
	a, err := newAccount(s.Cloud(), store, "", "")
	if err != nil {
		t.Fatal(err)
	}
	services := a.services()
	svc := services.AppRegistration.(*appregService)
	svc.waits = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	w := newWalker(t, ui.Options{Cloud: s.Cloud(), Services: services})
	w.shell.Show(ui.PageAppRegistry)

	w.expect("choose", "MSP Process Authenticator", "Also add the app to AdminAgents (DAP-era, optional)")
	w.tap("Sign in as an administrator")
	w.signInOnPage()
	w.expect("admin sign-in", "Signed in as alex@contosopartners.onmicrosoft.com")

	w.tap("Next")
	w.workDone()
	w.expect("plan", "What will change (8)", `Create the app registration "Onboard365"`, "Add the redirect address http://localhost",
		"Grant admin consent in your partner tenant")

	w.tap("Apply")
	w.workDone()
	w.expect("apply", "8 of 8 changes made.", "waited 2 times", "New client secret: shown only now", "[Copy the secret]", "What is true now")
	if strings.Contains(w.text(), "Still to do") {
		t.Errorf("after applying, something is still to do:\n%s", w.text())
	}

	w.tap("Sign in with the app")
	w.signInOnPage()
	w.expect("app sign-in", "Signed in as alex@contosopartners.onmicrosoft.com with the app, with MFA.", "The sign-in is kept in this computer's keychain.")
	if strings.Contains(w.text(), "SBXSECRET") {
		t.Error("the secret is still on screen after leaving its step")
	}

	w.tap("Check every customer")
	w.workDone()
	w.expect("customers", "12 customers: 0 consented, 9 need consent, 0 lack permissions, 3 could not be checked", "Relecloud: Needs consent", "Wingtip Toys: Could not check")

	w.tap("Consent in the ticked customers")
	w.workDone()
	w.expect("consent", "Consent worked in 8 of 9 customers.", "Woodgrove Bank: Partner Center refused to consent the app in Woodgrove Bank.",
		"Fabrikam: Consented")

	w.tap("Finish")
	w.expect("summary", "The app registration: 8 changes made.", "Customers: consent made in 8, refused in 1")

	// What is kept: the app's secret and the sign-in with the app (its refresh token).
	st, err := a.Stored(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.SignedIn || st.ClientID == "" || st.ClientID == sandbox.AppID || a.clientID() != st.ClientID {
		t.Fatalf("the keychain holds %+v; the account signs in with %s", st, a.clientID())
	}

	// A second run changes nothing and says so.
	w.tap("Start again")
	w.tap("Sign in as an administrator")
	w.signInOnPage()
	w.tap("Next")
	w.workDone()
	w.expect("second plan", "Nothing to change: the app registration is correct.", "Its client secret is in this computer's keychain")
	w.tap("Apply")
	w.workDone()
	w.expect("second apply", "Nothing needed changing.")
	w.tap("Sign in with the app")
	w.workDone()
	w.expect("second sign-in", "already belongs to this app")
	w.tap("Check every customer")
	w.workDone()
	w.expect("second customers", "12 customers: 7 consented, 1 need consent, 0 lack permissions, 4 could not be checked")
}
