package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/sandboxtest"
	"github.com/onboard365/onboard365/ui"
)

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
	s, _ := sandboxtest.Start(t, sandbox.Options{Scenario: sandbox.ScenarioFresh})
	a, err := app.NewAccount(s.Cloud(), app.MemoryKeychain(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	services := services(a)
	services.AppRegistration.(*app.AppRegistration).Waits = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
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
	if !st.SignedIn || st.ClientID == "" || st.ClientID == sandbox.AppID || a.ClientID() != st.ClientID {
		t.Fatalf("the keychain holds %+v; the account signs in with %s", st, a.ClientID())
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
	w.expect("second customers", "12 customers: 7 consented, 1 needs consent, 0 lack permissions, 4 could not be checked")
}
