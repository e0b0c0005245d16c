package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
)

// fakeSignIn plays the rest of the app for the Sign in page.
type fakeSignIn struct {
	evidence  Evidence
	signInErr error
	pcErr     error
	final     *Evidence // the verdict with Partner Center's answer; nil: evidence

	noApp              bool // NeedsApp: no app registration to sign in with yet
	hint               string
	kept, discarded    int
	interactiveCalls   int
	inspectedWithToken string
}

func (f *fakeSignIn) Interactive(ctx context.Context, hint string, launched func(Launch)) (Evidence, error) {
	f.interactiveCalls++
	f.hint = hint
	launched(Launch{URL: "https://login.example/authorize?x=1", Browser: "Chrome", Private: true})
	return f.evidence, f.signInErr
}

func (f *fakeSignIn) DeviceCode(ctx context.Context, code func(DeviceCode)) (Evidence, error) {
	code(DeviceCode{UserCode: "ABCD1234", VerificationURL: "https://microsoft.com/devicelogin"})
	return f.evidence, f.signInErr
}

func (f *fakeSignIn) NeedsApp() bool { return f.noApp }

func (f *fakeSignIn) CheckPartnerCenter(context.Context) (Evidence, error) {
	if f.final != nil {
		return *f.final, f.pcErr
	}
	return f.evidence, f.pcErr
}
func (f *fakeSignIn) Keep(context.Context) error    { f.kept++; return nil }
func (f *fakeSignIn) Discard(context.Context) error { f.discarded++; return nil }
func (f *fakeSignIn) Inspect(token, tenant, upn string) (Evidence, error) {
	f.inspectedWithToken = token
	if token == "" {
		return Evidence{}, errors.New("paste a token first")
	}
	return Evidence{Compliant: false, Reasons: []string{"The token has no MFA claim."}, Notes: []string{"Its signature is not checked here."},
		Claims: [][2]string{{"amr", "pwd"}}}, nil
}

var compliant = Evidence{Compliant: true, Account: "alex@contosopartners.onmicrosoft.com",
	Claims: [][2]string{{"amr", "pwd, mfa"}, {"tid", "partner-tenant"}, {"upn", "alex@contosopartners.onmicrosoft.com"}}}

func entryIn(t *testing.T, win fyne.Window) *widget.Entry {
	t.Helper()
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && !e.MultiLine {
			return e
		}
	}
	t.Fatal("no entry on the page")
	return nil
}

func TestSignInCompliantIsKept(t *testing.T) {
	svc := &fakeSignIn{evidence: compliant}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: svc}})
	s.Show(PageSignIn)

	test.Type(entryIn(t, win), "alex@contosopartners.onmicrosoft.com")
	test.Tap(button(t, win, "Sign in"))
	wait() // where the sign-in opened, shown in the page
	wait() // the sign-in
	if svc.hint != "alex@contosopartners.onmicrosoft.com" || svc.interactiveCalls != 1 {
		t.Fatalf("signed in with hint %q, %d calls", svc.hint, svc.interactiveCalls)
	}
	if got := texts(win); !strings.Contains(got, "Microsoft answered for alex@") {
		t.Errorf("the sign-in step does not say how it went:\n%s", got)
	}
	test.Tap(button(t, win, "Next"))
	wait() // the Partner Center check
	got := texts(win)
	for _, want := range []string{"This sign-in used MFA", "Partner Center answered: it accepts this sign-in.", "pwd, mfa"} {
		if !strings.Contains(got, want) {
			t.Errorf("the verdict does not say %q:\n%s", want, got)
		}
	}
	test.Tap(button(t, win, "Keep this sign-in"))
	wait() // storing
	if svc.kept != 1 || svc.discarded != 0 {
		t.Fatalf("kept %d, discarded %d", svc.kept, svc.discarded)
	}
	if !strings.Contains(texts(win), "Stored in this computer's keychain") {
		t.Errorf("the last step does not say where the sign-in went:\n%s", texts(win))
	}
	test.Tap(button(t, win, "Finish"))
	if !strings.Contains(texts(win), "Partner Center will accept this sign-in") {
		t.Errorf("no summary:\n%s", texts(win))
	}
}

func TestSignInWithoutMFAIsNotKept(t *testing.T) {
	svc := &fakeSignIn{
		evidence: Evidence{Compliant: false, Account: "megan@contosopartners.onmicrosoft.com",
			Reasons: []string{"The sign-in did not use MFA: the token's amr claim has no mfa."}, Claims: [][2]string{{"amr", "pwd"}}},
		pcErr: errors.New("partner Center refused the sign-in because it has no MFA (error 900421)"),
	}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: svc}})
	s.Show(PageSignIn)
	test.Tap(button(t, win, "Sign in"))
	wait()
	wait()
	if svc.discarded != 1 {
		t.Fatalf("a sign-in without MFA must be discarded at once; discarded %d", svc.discarded)
	}
	test.Tap(button(t, win, "Next"))
	wait()
	got := texts(win)
	for _, want := range []string{"This sign-in is not one to keep: why, and what to do, below.", "did not use MFA", "Nothing from this sign-in was stored."} {
		if !strings.Contains(got, want) {
			t.Errorf("the verdict does not say %q:\n%s", want, got)
		}
	}
	// The token's own checks said NO, so Partner Center was not asked, and nothing on the page
	// speaks for it (it said "refused it: Onboard365 keeps a sign-in only when...", beside a NO).
	if strings.Contains(got, "Partner Center refused it") || strings.Contains(got, "Partner Center's answer") || strings.Contains(got, "Partner Center answered") {
		t.Errorf("the page speaks for Partner Center, which was not asked:\n%s", got)
	}
	// A NO cannot be kept: Keep is off.
	if keep := button(t, win, "Keep this sign-in"); !keep.Disabled() {
		t.Error("Keep this sign-in is on beside a NO")
	}
	if svc.kept != 0 {
		t.Fatal("a non-compliant sign-in was kept")
	}
}

// TestSignInRefusedByPartnerCenterIsNotKept: the token's own checks pass, but Partner Center
// refuses the sign-in (a customer tenant's administrator: 403): the verdict shown is Partner
// Center's NO, the sign-in is discarded, and Keep is never reached.
func TestSignInRefusedByPartnerCenterIsNotKept(t *testing.T) {
	no := compliant
	no.Compliant = false
	no.Reasons = []string{"Partner Center refused this sign-in (403 Forbidden): the tenant is not a partner tenant."}
	svc := &fakeSignIn{evidence: compliant, final: &no, pcErr: errors.New("partner Center answered 403 Forbidden")}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: svc}})
	s.Show(PageSignIn)
	test.Tap(button(t, win, "Sign in"))
	wait()
	wait()
	test.Tap(button(t, win, "Next"))
	wait()
	got := texts(win)
	for _, want := range []string{"This sign-in is not one to keep: why, and what to do, below.", "not a partner tenant", "Nothing from this sign-in was stored.", "Partner Center's answer"} {
		if !strings.Contains(got, want) {
			t.Errorf("the verdict does not say %q:\n%s", want, got)
		}
	}
	if svc.discarded != 1 {
		t.Errorf("discarded %d times, want once", svc.discarded)
	}
	if keep := button(t, win, "Keep this sign-in"); !keep.Disabled() {
		t.Error("Keep this sign-in is on beside Partner Center's NO")
	}
	if svc.kept != 0 {
		t.Fatal("a sign-in Partner Center refused was kept")
	}
}

func TestSignInFailureIsASentenceAndNothingIsKept(t *testing.T) {
	svc := &fakeSignIn{signInErr: errors.New("sign in: AADSTS50126: Error validating credentials due to invalid username or password.")}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: svc}})
	s.Show(PageSignIn)
	test.Tap(button(t, win, "Sign in"))
	wait()
	wait()
	got := texts(win)
	if strings.Contains(got, "Error validating credentials") {
		t.Errorf("Microsoft's raw message is shown:\n%s", got)
	}
	if !strings.Contains(got, "[Try again]") || svc.discarded != 1 || svc.kept != 0 {
		t.Errorf("after a failed sign-in: discarded %d, kept %d, page:\n%s", svc.discarded, svc.kept, got)
	}
}

func TestCheckATokenDecodesLocally(t *testing.T) {
	svc := &fakeSignIn{}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: svc}})
	s.Show(PageSignIn)
	var acc *widget.Accordion
	for _, o := range visible(win.Content()) {
		if a, ok := o.(*widget.Accordion); ok {
			acc = a
		}
	}
	if acc == nil {
		t.Fatal("no Check a token box")
	}
	acc.Open(0)
	var box *widget.Entry
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.MultiLine {
			box = e
		}
	}
	test.Type(box, "eyJhbGciOiJub25lIn0.eyJhbXIiOlsicHdkIl19.")
	test.Tap(button(t, win, "Check this token"))
	if svc.inspectedWithToken != "eyJhbGciOiJub25lIn0.eyJhbXIiOlsicHdkIl19." {
		t.Fatalf("inspected %q", svc.inspectedWithToken)
	}
	if got := texts(win); !strings.Contains(got, "Partner Center would refuse this token.") || !strings.Contains(got, "The token has no MFA claim.") ||
		!strings.Contains(got, "Its signature is not checked here.") {
		t.Errorf("the token check does not show its verdict:\n%s", got)
	}
	if svc.interactiveCalls != 0 {
		t.Error("checking a token must not sign in")
	}
}

func TestLaunchMessages(t *testing.T) {
	for _, tc := range []struct {
		l    Launch
		want string
	}{
		{Launch{Private: true, Browser: "Chrome"}, "A private window of Chrome opened."},
		{Launch{Private: true}, "A private window of your browser opened."},
		{Launch{}, "Your normal browser opened"},
		{Launch{Failed: errors.New("none")}, "No browser could be opened. Copy the address below"},
		{Launch{InApp: func(context.Context, string, string, bool) error { return nil }}, "Sign in to the sandbox below"},
	} {
		if got := launchMessage(tc.l); !strings.HasPrefix(got, tc.want) {
			t.Errorf("launchMessage(%+v) = %q, want it to start %q", tc.l, got, tc.want)
		}
	}
}
