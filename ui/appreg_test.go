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

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/cloud"
)

// fakeAppReg plays internal/appreg for the page.
type fakeAppReg struct {
	choice    AppChoice
	planErr   error
	plan      AppPlan
	applied   int
	consented []string
	inApp     bool // the sign-ins are the sandbox's, in the page
	signedIn  chan string
}

func (f *fakeAppReg) Integrations() []AppIntegration {
	return []AppIntegration{
		{Name: "Onboard365", Description: "This app itself.", AlwaysOn: true},
		{Name: "MSP Process Authenticator", Description: "MSP Process's module.", NeedsRedirect: true, RedirectFrom: "MSP Process"},
	}
}

func (f *fakeAppReg) launch(launched func(Launch)) Evidence {
	if !f.inApp {
		launched(Launch{URL: "https://login.example/authorize", Browser: "Chrome", Private: true})
		return Evidence{Compliant: true, Account: "alex@contoso.example"}
	}
	f.signedIn = make(chan string, 1)
	launched(Launch{URL: "https://sandbox/authorize", InAppUsers: []string{"alex@contoso.example"},
		InApp: func(_ context.Context, user, password string, approve bool) error {
			f.signedIn <- user
			return nil
		}})
	return Evidence{Compliant: true, Account: <-f.signedIn}
}

func (f *fakeAppReg) CheckChoice(c AppChoice, account string) error {
	for _, u := range c.RedirectURIs {
		if !strings.HasPrefix(u, "https://") {
			return errors.New("the redirect address must start with https:// (only a localhost address may use http://)")
		}
	}
	return app.CheckSignInName("the administrator account", account)
}

func (f *fakeAppReg) SignInAdmin(_ context.Context, c AppChoice, _ string, launched func(Launch)) (AppAdmin, error) {
	f.choice = c
	return AppAdmin{Evidence: f.launch(launched)}, nil
}

func (f *fakeAppReg) Plan(context.Context, AppAdmin, func(string)) (AppPlan, error) {
	return f.plan, f.planErr
}

func (f *fakeAppReg) Apply(_ context.Context, _ AppPlan, report func(int, int, string)) (AppOutcome, error) {
	f.applied++
	report(1, 2, "Creating the app…")
	if f.applied > 1 || len(f.plan.Changes) == 0 {
		return AppOutcome{Now: []string{"The app is correct."}}, nil
	}
	return AppOutcome{
		Lines:  []AppLine{{Done: true, Sentence: "Create the app registration. Created."}, {Done: true, Sentence: "Add a client secret. Added."}},
		Waited: 2,
		Secret: &ShownSecret{ClientID: "app-id", Value: "SECRET-VALUE-123", Expires: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), Stored: true},
		Now:    []string{"The app has its service principal."},
	}, nil
}

func (f *fakeAppReg) SignInWithApp(_ context.Context, _, _ string, launched func(Launch)) (AppSignIn, error) {
	return AppSignIn{Evidence: f.launch(launched), Kept: true}, nil
}

func (f *fakeAppReg) Customers(_ context.Context, _ AppAdmin, progress func(int, int)) ([]CustomerConsent, error) {
	progress(3, 3)
	return []CustomerConsent{
		{Customer: "Fabrikam", TenantID: "t1", Status: ConsentMissing, Sentence: "No consent yet.", Planned: true},
		{Customer: "Litware", TenantID: "t2", Status: ConsentMissing, Sentence: "No consent yet.", Planned: true},
		{Customer: "Northwind", TenantID: "t3", Status: ConsentOK, Sentence: "Consented."},
		{Customer: "Wingtip", TenantID: "t4", Status: ConsentCouldNotCheck, Sentence: "No GDAP access."},
	}, nil
}

func (f *fakeAppReg) Consent(_ context.Context, _ AppAdmin, _ string, chosen []CustomerConsent, progress func(int, int)) ([]CustomerConsent, error) {
	var ids []string
	for _, c := range chosen {
		ids = append(ids, c.TenantID)
	}
	f.consented = ids
	var out []CustomerConsent
	for _, id := range ids {
		r := CustomerConsent{Customer: id, TenantID: id, Tried: true, Done: true, Sentence: "Consented."}
		if id == "t4" {
			r.Done, r.Sentence = false, "Partner Center refused: renew the relationship in GDAP relationships."
		}
		out = append(out, r)
	}
	progress(len(ids), len(ids))
	return out, nil
}

func (f *fakeAppReg) RotateSecret(_ context.Context, _ string, launched func(Launch)) (AppOutcome, error) {
	f.launch(launched)
	return AppOutcome{Lines: []AppLine{{Done: true, Sentence: "Add a new client secret. Added."}, {Done: true, Sentence: "Remove the old secret. Removed."}},
		Secret: &ShownSecret{ClientID: "app-id", Value: "ROTATED-456", Expires: time.Now().AddDate(0, 6, 0), Stored: true}}, nil
}

func TestAppRegistrationWizardWalksEveryStep(t *testing.T) {
	const consent = "About the numbers: 12 permissions, 8 consented in your partner tenant, 7 in each customer."
	svc := &fakeAppReg{plan: AppPlan{Facts: []string{"No app registration called Onboard365 exists."},
		Changes: []string{"Create the app registration \"Onboard365\".", "Add a client secret."}, Consent: consent}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{AppRegistration: svc}})
	s.Show(PageAppRegistry)

	// Step 1: Onboard365 is always on; MSP Process needs its redirect address.
	var boxes []*widget.Check
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok {
			boxes = append(boxes, c)
		}
	}
	if len(boxes) != 3 || !boxes[0].Checked || !boxes[0].Disabled() || boxes[2].Checked {
		t.Fatalf("Onboard365 must be ticked and fixed, the AdminAgents option off: %d boxes", len(boxes))
	}
	test.Tap(boxes[1]) // MSP Process
	test.Tap(button(t, win, "Sign in as an administrator"))
	if got := texts(win); !strings.Contains(got, "MSP Process Authenticator needs its redirect address: copy it from MSP Process and paste it here.") {
		t.Fatalf("a missing redirect address must be a sentence:\n%s", got)
	}
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "https://") {
			test.Type(e, "https://app.mspprocess.com/cb")
		}
	}
	test.Tap(button(t, win, "Sign in as an administrator"))
	wait() // where the sign-in opened, shown in the page
	wait() // the sign-in's end
	if svc.choice.Name != "Onboard365" || len(svc.choice.Integrations) != 2 || len(svc.choice.RedirectURIs) != 1 || svc.choice.AdminAgents {
		t.Errorf("the choice reached the service as %+v", svc.choice)
	}
	if got := texts(win); !strings.Contains(got, "Signed in as alex@contoso.example") {
		t.Fatalf("no sign-in shown:\n%s", got)
	}

	// Step 3: the plan, one line per change.
	test.Tap(button(t, win, "Next"))
	wait()
	got := texts(win)
	for _, want := range []string{"What will change (2)", "1. Create the app registration \"Onboard365\".", "2. Add a client secret.", "No app registration called Onboard365 exists.", consent} {
		if !strings.Contains(got, want) {
			t.Errorf("the plan does not say %q:\n%s", want, got)
		}
	}

	// Step 4: apply; the new secret is shown once, with a Copy button.
	test.Tap(button(t, win, "Apply"))
	wait()
	got = texts(win)
	for _, want := range []string{"2 of 2 changes made.", "waited 2 times", "SECRET-VALUE-123", "[Copy the secret]", "It is kept in this computer's keychain.", "The app has its service principal."} {
		if !strings.Contains(got, want) {
			t.Errorf("after applying the page does not say %q:\n%s", want, got)
		}
	}
	test.Tap(button(t, win, "Copy the secret"))
	if got := fyne.CurrentApp().Clipboard().Content(); got != "SECRET-VALUE-123" {
		t.Errorf("the clipboard holds %q", got)
	}

	// Step 5: sign in with the app; then Back to step 4 shows no secret any more.
	test.Tap(button(t, win, "Sign in with the app"))
	wait()
	wait()
	if got := texts(win); !strings.Contains(got, "Signed in as alex@contoso.example with the app, with MFA.") {
		t.Fatalf("the sign-in with the app is not shown:\n%s", got)
	}
	test.Tap(button(t, win, "Back"))
	wait()
	if got := texts(win); strings.Contains(got, "SECRET-VALUE-123") {
		t.Errorf("the secret was shown a second time:\n%s", got)
	}
	if svc.applied != 2 {
		t.Errorf("Apply called %d times", svc.applied)
	}
	test.Tap(button(t, win, "Sign in with the app"))
	wait()
	wait()

	// Step 6: customers; untick Litware, tick Wingtip (could not be checked).
	test.Tap(button(t, win, "Check every customer"))
	wait()
	got = texts(win)
	if !strings.Contains(got, "4 customers: 1 consented, 2 need consent, 0 lack permissions, 1 could not be checked.") {
		t.Fatalf("no customer count:\n%s", got)
	}
	if !strings.Contains(got, consent) {
		t.Errorf("the customers step does not say what the permission counts mean:\n%s", got)
	}
	var ticks []*widget.Check
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok {
			ticks = append(ticks, c)
		}
	}
	if len(ticks) != 3 || !ticks[0].Checked || !ticks[1].Checked || ticks[2].Checked {
		t.Fatalf("the planned customers must be ticked, the one that could not be checked not: %d boxes", len(ticks))
	}
	test.Tap(ticks[1])
	test.Tap(ticks[2])
	test.Tap(button(t, win, "Consent in the ticked customers"))
	wait()
	if strings.Join(svc.consented, ",") != "t1,t4" {
		t.Errorf("consented in %v, want the ticked t1 and t4", svc.consented)
	}
	got = texts(win)
	if !strings.Contains(got, "Consent worked in 1 of 2 customers.") || !strings.Contains(got, "t4: Partner Center refused: renew the relationship in GDAP relationships.") {
		t.Errorf("the per-customer results are not shown:\n%s", got)
	}
	test.Tap(button(t, win, "Finish"))
	if got := texts(win); !strings.Contains(got, "Customers: consent made in 1, refused in 1") {
		t.Errorf("no summary:\n%s", got)
	}
}

func TestAppRegistrationSandboxSignInIsInThePage(t *testing.T) {
	svc := &fakeAppReg{inApp: true}
	s, win, wait := newShell(t, Options{Cloud: sandboxCloud(), Services: Services{AppRegistration: svc}})
	s.Show(PageAppRegistry)
	test.Tap(button(t, win, "Sign in as an administrator"))
	wait() // the launch, handed to the page
	if got := texts(win); !strings.Contains(got, "alex can manage app registrations") {
		t.Errorf("the administrator's form does not say who can manage app registrations:\n%s", got)
	}
	test.Tap(button(t, win, "Sign in to the sandbox"))
	wait() // the sign-in's end
	if got := texts(win); !strings.Contains(got, "Signed in as alex@contoso.example") {
		t.Fatalf("the in-page sign-in did not finish:\n%s", got)
	}
	// An empty plan says so, and Apply changes nothing.
	test.Tap(button(t, win, "Next"))
	wait()
	if got := texts(win); !strings.Contains(got, "Nothing to change: the app registration is correct.") {
		t.Errorf("an empty plan must say so:\n%s", got)
	}
	test.Tap(button(t, win, "Apply"))
	wait()
	if got := texts(win); !strings.Contains(got, "Nothing needed changing.") {
		t.Errorf("after an empty plan:\n%s", got)
	}
	// The technician's sign-in with the app: its form names the technicians, not the administrator.
	test.Tap(button(t, win, "Sign in with the app"))
	wait() // the launch, handed to the page
	if got := texts(win); !strings.Contains(got, "Sign in as the technician your tools act as.") || strings.Contains(got, "alex can manage app registrations") {
		t.Errorf("the technician's form:\n%s", got)
	}
}

func TestAppRegistrationFailureIsASentence(t *testing.T) {
	svc := &fakeAppReg{planErr: errors.New("Onboard365 could not read the app registrations in your partner tenant. Microsoft refused: the account you signed in with has no role that may manage app registrations. Sign in with an account that has Application Administrator, then press Try again.")}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{AppRegistration: svc}})
	s.Show(PageAppRegistry)
	test.Tap(button(t, win, "Sign in as an administrator"))
	wait()
	wait()
	test.Tap(button(t, win, "Next"))
	wait()
	got := texts(win)
	if !strings.Contains(got, "has no role that may manage app registrations") || !strings.Contains(got, "[Try again]") {
		t.Errorf("the failure must be shown as its sentence, with Try again:\n%s", got)
	}
}

func TestSettingsRotatesTheSecret(t *testing.T) {
	svc := &fakeAppReg{}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{AppRegistration: svc}})
	s.Show(PageSettings)
	test.Tap(button(t, win, "Rotate the secret"))
	wait() // where the administrator's sign-in opened
	wait() // the rotation's end
	got := texts(win)
	for _, want := range []string{"2 of 2 changes made.", "Remove the old secret. Removed.", "ROTATED-456", "[Copy the secret]"} {
		if !strings.Contains(got, want) {
			t.Errorf("after rotating, Settings does not say %q:\n%s", want, got)
		}
	}
}

// TestAppRegistrationSecretIsShownForItsRunOnly: Apply, Back to the plan, Apply again: the second
// run made no secret, so the page shows none (not the first run's under "shown only now").
func TestAppRegistrationSecretIsShownForItsRunOnly(t *testing.T) {
	svc := &fakeAppReg{plan: AppPlan{Changes: []string{"Create the app registration \"Onboard365\".", "Add a client secret."}}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{AppRegistration: svc}})
	s.Show(PageAppRegistry)
	test.Tap(button(t, win, "Sign in as an administrator"))
	wait()
	wait()
	test.Tap(button(t, win, "Next"))
	wait()
	test.Tap(button(t, win, "Apply"))
	wait()
	if got := texts(win); !strings.Contains(got, "SECRET-VALUE-123") {
		t.Fatalf("the first run shows no secret:\n%s", got)
	}
	test.Tap(button(t, win, "Back"))
	wait()
	test.Tap(button(t, win, "Apply"))
	wait()
	if got := texts(win); svc.applied != 2 || strings.Contains(got, "SECRET-VALUE-123") || strings.Contains(got, "Copy the secret") {
		t.Errorf("after %d runs, the second without a new secret, the page shows:\n%s", svc.applied, got)
	}
}
