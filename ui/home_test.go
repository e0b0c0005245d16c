package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
)

// fakeHealth keeps a last result and answers a check when the test lets it.
type fakeHealth struct {
	last    *HealthReport
	next    HealthReport
	err     error
	release chan struct{}
	checks  int
}

func (f *fakeHealth) Last() (HealthReport, bool, error) {
	if f.last == nil {
		return HealthReport{}, false, nil
	}
	return *f.last, true, nil
}

func (f *fakeHealth) Check(ctx context.Context, _ app.HealthRequest, progress func(done, total int)) (HealthReport, error) {
	f.checks++
	progress(1, 2)
	select {
	case <-f.release:
	case <-ctx.Done():
		return HealthReport{}, ctx.Err()
	}
	return f.next, f.err
}

func (f *fakeHealth) Fresh(r HealthReport) bool { return time.Since(r.CheckedAt) < time.Minute }

func report(at time.Time, customer string, st plan.Status, k health.Kind, fix health.Wizard, sentence string) HealthReport {
	r := HealthReport{CheckedAt: at, Template: "Liongard inspectors",
		Partner: health.Partner{Status: plan.Pass, Checks: []health.Part{{Check: health.KeptSignIn, Title: "Kept sign-in", Status: plan.Pass, Sentence: "Renewed."}}},
		Customers: []health.Customer{
			{TenantID: "t-1", Name: customer, Status: st, Checks: []health.Part{{Check: k, Title: k.Title(), Status: st, Sentence: sentence, Fix: fix}}},
			{TenantID: "t-2", Name: "Fabrikam", Status: plan.Pass, Checks: []health.Part{{Check: k, Title: k.Title(), Status: plan.Pass, Sentence: "Fine."}}},
		}}
	r.Count()
	return r
}

// TestHomeShowsTheLastResultAtOnceAndRefreshes: Home shows the result kept from the last check
// as soon as it is read, checks again in the background (the window is not held up: the check
// is still running while the page shows), and shows the new result when it comes; a problem's
// button opens the wizard that fixes it.
func TestHomeShowsTheLastResultAtOnceAndRefreshes(t *testing.T) {
	old := report(time.Now().Add(-48*time.Hour), "Relecloud", plan.Fail, health.Consent, health.FixAppRegistration, "The app has no consent in Relecloud.")
	fake := &fakeHealth{last: &old, release: make(chan struct{}),
		next: report(time.Now(), "Litware", plan.Fail, health.ConditionalAccess, health.FixTroubleshoot, "Litware's policy blocks your technicians.")}
	kc := &fakeKeychain{stored: Stored{SignedIn: true, Account: "alex@contoso.com", Renewed: time.Now(), ClientID: "app", SecretExpires: time.Date(2027, 5, 22, 0, 0, 0, 0, time.UTC)}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Health: fake, Keychain: kc, SignIn: &fakeSignIn{}}})

	wait() // the last result and the keychain, read in the background
	got := texts(win)
	for _, want := range []string{"Your connection's health", "Signed in as alex@contoso.com", "expires on 22 May 2027",
		"Relecloud: Consent", "The app has no consent in Relecloud.", "[Open App registration]", "Consent: 1 fails (Relecloud).",
		"2 customers: 1 pass, 1 fail", "Checking…", "Welcome to Onboard365"} {
		if !strings.Contains(got, want) {
			t.Errorf("while the new check runs, Home lacks %q:\n%s", want, got)
		}
	}
	if b := button(t, win, "Check now"); !b.Disabled() {
		t.Error("Check now is enabled while a check runs")
	}

	close(fake.release)
	for i := 0; i < 4 && !strings.Contains(texts(win), "Litware"); i++ {
		wait()
	}
	got = texts(win)
	if !strings.Contains(got, "Litware: Conditional Access") || strings.Contains(got, "Relecloud") || strings.Contains(got, "Checking every customer") {
		t.Fatalf("after the check Home shows:\n%s", got)
	}
	test.Tap(button(t, win, `Open Troubleshoot "400" errors`))
	if s.CurrentPage() != PageTroubleshoot {
		t.Errorf("the problem's button opened %s", s.CurrentPage())
	}
	// Back on Home, the fresh result is shown without checking again.
	s.Show(PageHome)
	if fake.checks != 1 || !strings.Contains(texts(win), "Litware") {
		t.Errorf("%d checks; Home:\n%s", fake.checks, texts(win))
	}
}

func TestHomeSaysWhyItCouldNotCheck(t *testing.T) {
	fake := &fakeHealth{release: make(chan struct{}), err: errors.New("nobody is signed in yet: open Sign in")}
	close(fake.release)
	_, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Health: fake, Keychain: &fakeKeychain{}, SignIn: &fakeSignIn{}}})
	for i := 0; i < 4 && !strings.Contains(texts(win), "could not run"); i++ {
		wait()
	}
	got := texts(win)
	if !strings.Contains(got, "The check could not run: Nobody is signed in yet") || !strings.Contains(got, "[Sign in]") || !strings.Contains(got, "Not checked yet.") {
		t.Errorf("Home:\n%s", got)
	}
}

func TestHomeWithoutHealthIsTheWelcome(t *testing.T) {
	_, win, _ := newShell(t, Options{Cloud: cloud.Public()})
	if got := texts(win); strings.Contains(got, "Your connection's health") || !strings.Contains(got, "Welcome to Onboard365") {
		t.Errorf("Home:\n%s", got)
	}
}

type fakeAudit struct{ entries []audit.Entry }

func (f *fakeAudit) Entries(_ context.Context, flt audit.Filter) ([]audit.Entry, error) {
	return audit.Select(f.entries, flt), nil
}

func (f *fakeAudit) Verify(context.Context) (audit.Report, error) {
	return audit.Report{OK: false, Seq: 2, Sentence: "Entry 2 was changed after it was written."}, nil
}

// TestSettingsShowsTheAuditTrailPerCustomer: every change, the latest first; one customer's only
// when it is chosen; and the check of the chain says what it found.
func TestSettingsShowsTheAuditTrailPerCustomer(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	fa := &fakeAudit{entries: []audit.Entry{
		{Seq: 1, Time: at, Technician: "alex@contoso.com", TenantID: "l-1", TenantName: "Litware", Change: "Excluded service provider users from the policy \"Block\"", Before: "Applies.", After: "Excludes them.", Result: audit.Succeeded},
		{Seq: 2, Time: at.Add(time.Hour), Technician: "alex@contoso.com", TenantID: "n-1", TenantName: "Northwind Traders", Change: "Requested the new GDAP relationship", Result: audit.Failed, Detail: "Microsoft refused it"},
	}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Audit: fa}})
	s.Show(PageSettings)
	wait()
	got := texts(win)
	if !strings.Contains(got, "Audit trail") || !strings.Contains(got, "Litware: Excluded service provider users") || !strings.Contains(got, "Failed: Microsoft refused it") {
		t.Fatalf("Settings:\n%s", got)
	}
	if strings.Index(got, "Northwind Traders: Requested") > strings.Index(got, "Litware: Excluded") {
		t.Error("the latest change is not first")
	}
	var chooser *widget.Select
	for _, o := range visible(win.Content()) {
		if sel, ok := o.(*widget.Select); ok && sel.PlaceHolder == "Choose a customer" {
			chooser = sel
		}
	}
	if chooser == nil || len(chooser.Options) != 3 {
		t.Fatalf("the customer chooser: %+v", chooser)
	}
	chooser.SetSelected("Litware")
	if got := texts(win); strings.Contains(got, "Northwind Traders: Requested") || !strings.Contains(got, "Litware: Excluded") {
		t.Errorf("Litware's changes only:\n%s", got)
	}
	test.Tap(button(t, win, "Check the audit trail"))
	wait()
	if got := texts(win); !strings.Contains(got, "Entry 2 was changed after it was written.") {
		t.Errorf("the check's verdict:\n%s", got)
	}
}

// TestHomeAfterTheWelcomeIsDrawnWhenTheCheckEnds: a check that ends after the welcome was
// answered (and Home shown) redraws Home: its result replaces "Checking every customer", on
// screen, without leaving the page and coming back.
func TestHomeAfterTheWelcomeIsDrawnWhenTheCheckEnds(t *testing.T) {
	fake := &fakeHealth{release: make(chan struct{}),
		next: report(time.Now(), "Litware", plan.Fail, health.ConditionalAccess, health.FixTroubleshoot, "Litware's policy blocks your technicians.")}
	s, win, wait := newShell(t, Options{Cloud: sandboxCloud(), Preferences: memoryPrefs{},
		Services: Services{Health: fake, Keychain: &fakeKeychain{}, SignIn: &fakeSignIn{}}})
	test.Tap(button(t, win, "No, try the sandbox first"))
	if s.Welcoming() || s.CurrentPage() != PageHome {
		t.Fatalf("after No on the sandbox: welcoming %v, page %q", s.Welcoming(), s.CurrentPage())
	}
	close(fake.release)
	for i := 0; i < 4 && !strings.Contains(texts(win), "Litware: Conditional Access"); i++ {
		wait()
	}
	if got := texts(win); !strings.Contains(got, "Litware: Conditional Access") || strings.Contains(got, "Checking every customer") {
		t.Fatalf("the check ended, and Home shows:\n%s", got)
	}
}

// TestHomeAfterSignOut: after "Sign out and forget", Home no longer says who was signed in or
// when the app's secret expires: it reads the keychain again.
func TestHomeAfterSignOut(t *testing.T) {
	last := report(time.Now(), "Litware", plan.Fail, health.ConditionalAccess, health.FixTroubleshoot, "Litware's policy blocks your technicians.")
	fake := &fakeHealth{last: &last, release: make(chan struct{})}
	close(fake.release)
	kc := &fakeKeychain{stored: Stored{SignedIn: true, Account: "alex@contoso.com", Renewed: time.Now(), ClientID: "app", SecretExpires: time.Date(2027, 5, 22, 0, 0, 0, 0, time.UTC)}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Health: fake, Keychain: kc, SignIn: &fakeSignIn{}}})
	wait()
	if got := texts(win); !strings.Contains(got, "Signed in as alex@contoso.com") {
		t.Fatalf("Home before signing out:\n%s", got)
	}
	s.Show(PageSettings)
	wait()
	test.Tap(button(t, win, "Sign out and forget"))
	if b := findButton(win, "Yes"); b != nil {
		test.Tap(b)
	}
	wait() // forgetting
	wait() // Settings reads the keychain again
	s.Show(PageHome)
	for i := 0; i < 4 && !strings.Contains(texts(win), "Nobody's sign-in is kept"); i++ {
		wait()
	}
	if got := texts(win); strings.Contains(got, "alex@contoso.com") || strings.Contains(got, "expires on 22 May 2027") || !strings.Contains(got, "Nobody's sign-in is kept on this computer.") {
		t.Fatalf("after Sign out and forget, Home shows:\n%s", got)
	}
}

// TestHomeSaysWhyTheKeychainCouldNotBeRead: a keychain that cannot be read is said on Home's
// first line, not "Reading this computer's keychain…" for ever.
func TestHomeSaysWhyTheKeychainCouldNotBeRead(t *testing.T) {
	fake := &fakeHealth{release: make(chan struct{}), err: errors.New("nobody is signed in yet: open Sign in")}
	close(fake.release)
	kc := &fakeKeychain{err: errors.New("the keychain is locked: unlock it, then try again")}
	_, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Health: fake, Keychain: kc, SignIn: &fakeSignIn{}}})
	for i := 0; i < 4 && !strings.Contains(texts(win), "could not run"); i++ {
		wait()
	}
	got := texts(win)
	if strings.Contains(got, "Reading this computer's keychain") || !strings.Contains(got, "Nobody's sign-in is kept on this computer. The keychain is locked") {
		t.Errorf("Home:\n%s", got)
	}
}

// TestHomeSaysTheResultsAreFromAnEarlierCheck: when a new check could not run (nobody is signed
// in any more), the last result still shown is said to be from the last check that ran.
func TestHomeSaysTheResultsAreFromAnEarlierCheck(t *testing.T) {
	old := report(time.Now().Add(-48*time.Hour), "Relecloud", plan.Fail, health.Consent, health.FixAppRegistration, "The app has no consent in Relecloud.")
	fake := &fakeHealth{last: &old, release: make(chan struct{}), err: errors.New("nobody is signed in yet: open Sign in")}
	close(fake.release)
	_, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Health: fake, Keychain: &fakeKeychain{}, SignIn: &fakeSignIn{}}})
	for i := 0; i < 4 && !strings.Contains(texts(win), "could not run"); i++ {
		wait()
	}
	got := texts(win)
	if !strings.Contains(got, "What follows is from the last check that did run.") || !strings.Contains(got, "Relecloud: Consent") || !strings.Contains(got, "[Sign in]") {
		t.Errorf("Home:\n%s", got)
	}
}
