package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// onboardWindow is the window on a sandbox whose customers answer only when asked, signed in as
// its technician, with the onboarding page's waits short. clock, when set, is the app's clock;
// before, when set, runs on the service before the window opens.
func onboardWindow(t *testing.T, clock func() time.Time, before ...func(*app.Onboard)) (*walker, *sandbox.Server, *app.Onboard) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	f := &factory{stderr: &strings.Builder{}, useSandbox: true, store: app.MemoryKeychain()}
	t.Cleanup(f.close)
	a, err := f.signedIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		a.UseClock(clock)
	}
	srv := f.sandboxOf(a)
	s := f.windowServices(a)
	svc := s.Onboard.(*app.Onboard)
	svc.Pauses = []time.Duration{20 * time.Millisecond}
	for _, b := range before {
		b(svc)
	}
	w := newWalker(t, ui.Options{Cloud: srv.Cloud(), Services: s})
	w.shell.Show(ui.PageOnboard)
	w.idle()
	return w, srv, svc
}

// choose picks an option of the select whose placeholder starts with what.
func (w *walker) choose(what, option string) {
	w.t.Helper()
	for _, o := range visibleObjects(w.win.Content()) {
		if sel, ok := o.(*widget.Select); ok && strings.HasPrefix(sel.PlaceHolder, what) {
			sel.SetSelected(option)
			return
		}
	}
	w.t.Fatalf("no %q to choose from:\n%s", what, w.text())
}

// typeInto types into the entry whose placeholder starts with what.
func (w *walker) typeInto(what, text string) {
	w.t.Helper()
	for _, o := range visibleObjects(w.win.Content()) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, what) {
			e.SetText(text)
			return
		}
	}
	w.t.Fatalf("no field %q:\n%s", what, w.text())
}

// tapInDialog taps a button of the dialog on top of the window, waiting for it to open.
func (w *walker) tapInDialog(text string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, ov := range w.win.Canvas().Overlays().List() {
			for _, o := range screenshot.Visible(ov) {
				if got, tap, ok := asButton(o); ok && got == text {
					test.Tap(tap)
					return
				}
			}
		}
		w.settle()
		time.Sleep(5 * time.Millisecond)
	}
	w.t.Fatalf("no dialog with %q:\n%s", text, w.text())
}

// untilText waits for the page to say something, running page updates meanwhile.
func (w *walker) untilText(want string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(w.text(), want) {
		if time.Now().After(deadline) {
			w.t.Fatalf("the page never said %q:\n%s", want, w.text())
		}
		w.settle()
		time.Sleep(5 * time.Millisecond)
	}
}

// finish walks from the wait (once approved) to the connection check.
func (w *walker) finish(customer string) {
	w.t.Helper()
	w.tap("Plan the set-up")
	w.workDone()
	w.expect("set-up plan", "Review the set-up", "Groups and roles (to do)", "Customer's approval (done)")
	w.tap("Apply")
	w.workDone()
	w.expect("set-up", "changes made.", "What is true now")
	w.tap("Check the connection")
	w.workDone()
	w.expect("connection", "Connected: Onboard365 got a token for "+customer+" through GDAP")
	w.tap("Finish")
	w.expect("summary", "Summary", "Connection check (done): Connected")
}

// approveOnTheSandbox waits for the sandbox's own button on the waiting step, taps it, and waits
// for the step to see the relationship active.
func (w *walker) approveOnTheSandbox() {
	w.t.Helper()
	w.until("Approve as the customer's administrator")
	w.expect("waiting", "Sandbox only", "Approval link for the Global Administrator of")
	w.tap("Approve as the customer's administrator")
	w.workDone() // the wait ends: active
	w.expect("approved", "approved the request: the relationship is active")
}

// TestOnboardingWizardExistingCustomer walks the wizard for Northwind Traders: one request, one
// approval link, approved on the sandbox, set up and connected; walked again, nothing is to do.
func TestOnboardingWizardExistingCustomer(t *testing.T) {
	w, _, svc := onboardWindow(t, nil)
	w.expect("who", "12 customers in Partner Center.")
	w.choose("Choose a customer", "Northwind Traders")
	w.tap("Next")
	w.expect("access", "What Liongard's Microsoft 365 inspectors read", "One relationship with 5 roles: those of Onboard365.", "With Global Administrator the relationship cannot extend itself")
	w.tap("Check and plan")
	w.workDone()
	w.expect("plan", "Review the request", `Request one relationship "Northwind Traders - Onboard365" with Northwind Traders that grants 5 roles, the roles Onboard365 needs`, "then the wizard sets up your groups")
	w.tap("Send the request")
	w.workDone()
	w.expect("sent", "1 of 1 done.", `Sent the request "Northwind Traders - Onboard365" to Northwind Traders for approval`, "Approval link for the customer's Global Administrator", "A message you can send", "(90 days left)")
	w.tap("Wait for approval")
	w.approveOnTheSandbox()
	w.finish("Northwind Traders")

	invs, err := svc.Invitations()
	if err != nil || len(invs) != 1 || invs[0].State != "onboarded" {
		t.Errorf("one approval link for the customer, onboarded: %+v %v", invs, err)
	}

	// Again: nothing to send, nothing to set up.
	w.tap("Start again")
	w.choose("Choose a customer", "Northwind Traders")
	w.tap("Next")
	w.tap("Check and plan")
	w.workDone()
	w.expect("again", "Nothing to send: every step is done or not needed; the last step checks the connection.", "Relationship request (not needed)", "Groups and roles (not needed)", "App consent (not needed)")
	w.tap("Send the request")
	w.workDone()
	w.tap("Wait for approval")
	w.workDone()
	w.tap("Plan the set-up")
	w.workDone()
	w.expect("again, set-up", "Nothing to set up: every step is done or not needed; the last step checks the connection.")
}

// TestOnboardingWizardNewCustomer walks the wizard for Fourth Coffee, not a customer yet: the
// request names no customer, the reseller invitation goes with it, both approved on the sandbox.
func TestOnboardingWizardNewCustomer(t *testing.T) {
	w, _, svc := onboardWindow(t, nil)
	w.newCustomer(sandbox.ProspectDomain)
	w.tap("Check and plan")
	w.workDone()
	w.expect("plan", "Get your reseller invitation link from Partner Center", "naming no customer: whoever approves it with the link becomes its customer")
	w.tap("Send the request")
	w.workDone()
	w.expect("sent", "2 of 2 done.", "Reseller invitation link", "Got your reseller invitation link")
	w.tap("Wait for approval")
	w.approveOnTheSandbox()
	// Back to the step that sent the request shows what it did and sends nothing again.
	w.tap("Back")
	w.workDone()
	w.expect("back", "2 of 2 done.")
	w.tap("Wait for approval")
	w.workDone()
	if invs, err := svc.Invitations(); err != nil || len(invs) != 1 {
		t.Errorf("one invitation for Fourth Coffee, not %d: %v", len(invs), err)
	}
	w.finish("Fourth Coffee")
}

// newCustomer chooses a new customer by its domain and goes on to the templates.
func (w *walker) newCustomer(domain string) {
	w.t.Helper()
	for _, o := range visibleObjects(w.win.Content()) {
		if r, ok := o.(*widget.RadioGroup); ok {
			r.SetSelected("A new customer, not with you yet")
		}
	}
	w.settle()
	w.typeInto("Their domain", domain)
	w.tap("Next")
}

// sendToNewCustomer sends a new customer the request with the default template, and opens the wait.
func (w *walker) sendToNewCustomer(domain string) {
	w.t.Helper()
	w.newCustomer(domain)
	w.tap("Check and plan")
	w.workDone()
	w.tap("Send the request")
	w.workDone()
	w.tap("Wait for approval")
}

// TestOnboardingWizardDeclinedInvitation: Margie's Travel declines; the waiting step says so and
// offers a new request, which asks first (unticked: talk to them), then waits again.
func TestOnboardingWizardDeclinedInvitation(t *testing.T) {
	w, srv, svc := onboardWindow(t, nil)
	w.sendToNewCustomer(sandbox.ProspectDeclinesDomain)
	w.untilText("Waiting for the Global Administrator of margiestravel.onmicrosoft.com to approve the request")
	invs, _ := svc.Invitations()
	if err := srv.OpenAsCustomer(sandbox.ProspectDeclinesDomain, invs[0].ApprovalLink); err != nil { // their admin opens it, and declines
		t.Fatal(err)
	}
	w.untilText("declined the request")
	w.expect("declined", "Talk to them, then send a new request if they agree.")
	w.until("Renew the request…")
	w.tap("Renew the request…")
	w.tapInDialog("Send it")
	w.untilText("Waiting for the Global Administrator of margiestravel.onmicrosoft.com to approve the request")
	invs, _ = svc.Invitations()
	if len(invs) != 2 || invs[1].State != "replaced" || !invs[0].Open {
		t.Errorf("the ledger after renewing: %+v", invs)
	}
	w.approveOnTheSandbox()
	w.finish("Margie's Travel")
}

// TestOnboardingWizardExpiredInvitation: Coho Winery never answers; 91 days on, the request has
// expired (Microsoft keeps one for 90 days), and a new one is sent and approved.
func TestOnboardingWizardExpiredInvitation(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	w, _, _ := onboardWindow(t, clock)
	w.sendToNewCustomer(sandbox.ProspectSilentDomain)
	w.untilText("(90 days left)")
	offset.Store(int64(91 * 24 * time.Hour))
	w.untilText("expired: Microsoft keeps a request for 90 days and nobody approved it")
	w.until("Renew the request…")
	w.tap("Renew the request…")
	w.tapInDialog("Send it")
	w.untilText("(90 days left)")
	w.approveOnTheSandbox()
	w.finish("Coho Winery")
}

// TestGDAPRowOpensOnboarding: a failing customer's row in the GDAP check has "Onboard…", which
// opens the onboarding wizard for that customer with the profile checked.
func TestGDAPRowOpensOnboarding(t *testing.T) {
	w, _, _ := onboardWindow(t, nil)
	w.shell.Show(ui.PageGDAP)
	w.tap("Check every customer")
	w.workDone()
	w.tap("Details") // the first failing customer: Alpine Ski House, worst first then by name
	w.tap("Onboard…")
	if w.shell.CurrentPage() != ui.PageOnboard {
		t.Fatalf("the row opened %q", w.shell.CurrentPage())
	}
	w.tap("Next")
	w.expect("access", "One relationship with 6 roles: those of Liongard inspectors.")
	w.tap("Check and plan")
	w.workDone()
	w.expect("plan", "Alpine Ski House is your customer in Partner Center.", "Relationship request (not needed)", "Groups and roles (to do)")
}

// TestOnboardingWizardResumesAndWithdraws: invitations sent earlier (here by the command line's
// service) are listed on the first step; Resume carries on with one without sending it again;
// Withdraw stops following the other.
func TestOnboardingWizardResumesAndWithdraws(t *testing.T) {
	w, _, svc := onboardWindow(t, nil, func(svc *app.Onboard) {
		for _, d := range []string{sandbox.ProspectSilentDomain, sandbox.ProspectDomain} {
			rep, err := svc.Run(context.Background(), app.OnboardRequest{NewDomain: d}, app.RunOptions{})
			if err != nil || rep.Status != "waiting" {
				t.Fatalf("%s: %+v %v", d, rep, err)
			}
		}
	})
	w.expect("the list", "Invitations you sent", "cohowinery.onmicrosoft.com: waiting for approval, sent today (90 days before Microsoft lets it expire)",
		"fourthcoffee.onmicrosoft.com: waiting for approval, sent today")
	w.tap("Withdraw") // the newest first: Fourth Coffee's
	w.tapInDialog("Yes")
	w.idle()
	w.expect("withdrawn", "fourthcoffee.onmicrosoft.com: withdrawn, sent today")
	w.tap("Resume") // the one still open: Coho Winery's
	w.workDone()
	w.expect("resumed", "Nothing to send: the request is sent; the next step waits for the customer's approval.", "Relationship request (done)")
	invs, err := svc.Invitations()
	if err != nil || len(invs) != 2 {
		t.Fatalf("%+v %v", invs, err)
	}
	for _, i := range invs {
		if (i.Domain == sandbox.ProspectDomain) != (i.State == "withdrawn") {
			t.Errorf("%s is %s", i.Domain, i.State)
		}
	}
}
