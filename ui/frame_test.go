package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/ui/wizard"
)

// The wizard frame (ui/wizard), held for EVERY wizard of the window: each page that holds a
// wizard is found in the shell, not listed by hand (TestEveryWizardIsACase fails for a wizard
// without a case below saying how to reach its first step with work): Sign in, App registration,
// Onboard a customer, GDAP relationships, Authenticator default method and Troubleshoot.
//
//   - One count: "Step N of M" and the numbered strip count the same pages.
//   - A new page starts at its top: the next step never keeps the last one's scroll position.
//   - The spinner stops: when the person presses Stop on a step whose work waits, and when the
//     work fails; the step then says what happened and offers Try again.
//   - Cancel resets: leaving the wizard and opening it again shows step 1, with nothing kept.

// workMode is what a frame case's service does when its first step's work runs.
type workMode int

const (
	workWorks workMode = iota
	workWaits          // until the step is stopped
	workFails          // with an error
)

var errFrame = errors.New("Microsoft did not answer this time: try again in a minute")

// work is what a fake's working call does in a mode: nil when it works.
func work(ctx context.Context, m workMode) error {
	switch m {
	case workWaits:
		<-ctx.Done()
		return ctx.Err()
	case workFails:
		return errFrame
	}
	return nil
}

// The fakes of the pages' tests, with their first working call made to wait or fail.
type (
	frameSignIn struct {
		fakeSignIn
		mode workMode
	}
	frameAppReg struct {
		fakeAppReg
		mode workMode
	}
	frameGDAP struct {
		fakeGDAP
		mode workMode
	}
	frameAuthenticator struct {
		fakeAuthenticator
		mode workMode
	}
	frameTroubleshoot struct {
		fakeTroubleshoot
		mode workMode
	}
	frameOnboard struct {
		quietOnboard
		mode workMode
	}
)

func (f *frameSignIn) Interactive(ctx context.Context, hint string, launched func(Launch)) (Evidence, error) {
	if err := work(ctx, f.mode); err != nil {
		return Evidence{}, err
	}
	return f.fakeSignIn.Interactive(ctx, hint, launched)
}

func (f *frameAppReg) SignInAdmin(ctx context.Context, c AppChoice, hint string, launched func(Launch)) (AppAdmin, error) {
	if err := work(ctx, f.mode); err != nil {
		return AppAdmin{}, err
	}
	return f.fakeAppReg.SignInAdmin(ctx, c, hint, launched)
}

func (f *frameGDAP) Check(ctx context.Context, req GDAPRequest, progress func(done, total int)) (GDAPResult, error) {
	if err := work(ctx, f.mode); err != nil {
		return GDAPResult{}, err
	}
	return f.fakeGDAP.Check(ctx, req, progress)
}

func (f *frameAuthenticator) ReadUsers(ctx context.Context, t Tenant, progress func(int)) (UserList, error) {
	if err := work(ctx, f.mode); err != nil {
		return UserList{}, err
	}
	return f.fakeAuthenticator.ReadUsers(ctx, t, progress)
}

func (f *frameTroubleshoot) Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error) {
	if err := work(ctx, f.mode); err != nil {
		return TroubleshootResult{}, err
	}
	return f.fakeTroubleshoot.Check(ctx, req, progress)
}

func (f *frameOnboard) Templates() []Template {
	return []Template{{Name: "Liongard inspectors", Description: "What Liongard reads.", Roles: []string{"Global Reader"}}}
}

func (f *frameOnboard) Check(ctx context.Context, _ OnboardRequest) (OnboardResult, error) {
	if err := work(ctx, f.mode); err != nil {
		return OnboardResult{}, err
	}
	return OnboardResult{}, nil
}

// frameCase is one wizard: its services in a mode, and how a person starts its first step with
// work from step 1 (the tap that leaves step 1).
type frameCase struct {
	page     string
	services func(workMode) Services
	start    func(t *testing.T, win fyne.Window, wait func())
	// workStep is the index of the step start leads to, the first with work: 1 (step 2) unless
	// set (Onboard a customer chooses the customer, then the access, before its first work).
	workStep int
}

// working is the index of the step start leads to.
func (c frameCase) working() int {
	if c.workStep == 0 {
		return 1
	}
	return c.workStep
}

var frameCases = []frameCase{
	{PageSignIn, func(m workMode) Services {
		return Services{SignIn: &frameSignIn{fakeSignIn: fakeSignIn{evidence: compliant}, mode: m}}
	}, func(t *testing.T, win fyne.Window, _ func()) { test.Tap(button(t, win, "Sign in")) }, 0},
	{PageAppRegistry, func(m workMode) Services {
		return Services{AppRegistration: &frameAppReg{mode: m}}
	}, func(t *testing.T, win fyne.Window, _ func()) { test.Tap(button(t, win, "Sign in as an administrator")) }, 0},
	{PageGDAP, func(m workMode) Services {
		return Services{GDAP: &frameGDAP{mode: m}}
	}, func(t *testing.T, win fyne.Window, _ func()) { test.Tap(button(t, win, "Check every customer")) }, 0},
	{PageAuthenticator, func(m workMode) Services {
		return Services{Authenticator: &frameAuthenticator{mode: m}}
	}, func(t *testing.T, win fyne.Window, wait func()) {
		selectTenant(t, win, "Proseware")
		wait() // Proseware's checks
		test.Tap(button(t, win, "Read the users"))
	}, 0},
	{PageTroubleshoot, func(m workMode) Services {
		return Services{Troubleshoot: &frameTroubleshoot{mode: m}}
	}, func(t *testing.T, win fyne.Window, _ func()) { test.Tap(button(t, win, "Run the checks")) }, 0},
	{PageOnboard, func(m workMode) Services {
		return Services{Onboard: &frameOnboard{mode: m}}
	}, func(t *testing.T, win fyne.Window, _ func()) {
		for _, o := range visible(win.Content()) {
			if r, ok := o.(*widget.RadioGroup); ok {
				r.SetSelected(whoNew)
			}
		}
		for _, o := range visible(win.Content()) {
			if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "Their domain") {
				test.Type(e, "fourthcoffee.onmicrosoft.com")
			}
		}
		test.Tap(button(t, win, "Next"))
		for _, o := range visible(win.Content()) {
			if c, ok := o.(*widget.Check); ok && c.Text == "Liongard inspectors" && !c.Checked {
				test.Tap(c)
			}
		}
		test.Tap(button(t, win, "Check and plan"))
	}, 2},
}

// openFrame opens a case's page on a new shell; the page's own first background work (a list of
// tenants or customers) has ended.
func openFrame(t *testing.T, c frameCase, m workMode) (*Shell, fyne.Window, func(), *wizard.Wizard) {
	t.Helper()
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: c.services(m)})
	s.Show(c.page)
	if c.page == PageAuthenticator || c.page == PageTroubleshoot || c.page == PageOnboard {
		wait() // the page reads its tenants or customers first
	}
	w := wizard.Find(win.Content())
	if w == nil {
		t.Fatalf("%s: no wizard on the page", c.page)
	}
	return s, win, wait, w
}

// TestEveryWizardIsACase: every page of the window that holds a wizard has a frame case.
func TestEveryWizardIsACase(t *testing.T) {
	all := Services{SignIn: &fakeSignIn{}, AppRegistration: &fakeAppReg{}, GDAP: &fakeGDAP{}, Authenticator: &fakeAuthenticator{},
		Troubleshoot: &fakeTroubleshoot{}, Onboard: quietOnboard{}, Keychain: &fakeKeychain{}}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Services: all})
	cased := map[string]bool{}
	for _, c := range frameCases {
		cased[c.page] = true
	}
	for _, id := range s.PageIDs() {
		s.Show(id)
		if wizard.Find(win.Content()) != nil && !cased[id] {
			t.Errorf("the page %q holds a wizard that the frame tests do not hold: add a frameCase for it", id)
		}
	}
}

func TestFrameOneStepCount(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			_, win, _, w := openFrame(t, c, workWorks)
			circles := 0
			for _, o := range visible(win.Content()) {
				if ic, ok := o.(*widget.Icon); ok && ic.Resource != nil && strings.Contains(ic.Resource.Name(), "radio-button") {
					circles++
				}
			}
			// The strip: one circle (or tick) per page; on step 1 every page is a circle.
			if circles != w.Steps() {
				t.Errorf("%d circles in the strip, %d pages", circles, w.Steps())
			}
			if want := "Step 1 of " + strconv.Itoa(w.Steps()) + ": "; !strings.HasPrefix(w.Heading(), want) {
				t.Errorf("heading %q, want it to start %q", w.Heading(), want)
			}
		})
	}
}

func TestFrameNewStepStartsAtTheTop(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			_, win, wait, w := openFrame(t, c, workWorks)
			win.Resize(fyne.NewSize(1024, 420)) // short, so that step 1 scrolls
			for _, o := range visible(win.Content()) {
				if a, ok := o.(*widget.Accordion); ok {
					a.OpenAll() // Sign in's "Check a token" makes its step 1 taller
				}
			}
			body := bodyScroll(t, win)
			body.Refresh()
			body.ScrollToBottom()
			if body.Offset.Y == 0 {
				t.Fatal("step 1 does not scroll in a window 420 pixels high: make the window shorter")
			}
			c.start(t, win, wait)
			untilIdle(w, wait)
			if w.Current() != c.working() {
				t.Fatalf("on step %d, want %d:\n%s", w.Current()+1, c.working()+1, texts(win))
			}
			if off := bodyScroll(t, win).Offset.Y; off != 0 {
				t.Errorf("step %d opens scrolled down by %v", c.working()+1, off)
			}
			bodyScroll(t, win).ScrollToBottom()
			test.Tap(button(t, win, "Back"))
			if off := bodyScroll(t, win).Offset.Y; off != 0 {
				t.Errorf("Back to step %d opens scrolled down by %v", c.working(), off)
			}
		})
	}
}

func TestFrameSpinnerStopsOnStop(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			_, win, wait, w := openFrame(t, c, workWaits)
			c.start(t, win, wait)
			if !w.Running() || !spinning(win) {
				t.Fatalf("the waiting work shows no spinner:\n%s", texts(win))
			}
			test.Tap(button(t, win, "Stop"))
			untilIdle(w, wait)
			if w.Running() || spinning(win) {
				t.Fatalf("the spinner goes on after Stop:\n%s", texts(win))
			}
			got := texts(win)
			if !strings.Contains(got, "[Try again]") || !strings.Contains(got, "[Back]") || !strings.Contains(got, "[Cancel]") {
				t.Errorf("after Stop the step offers no way on:\n%s", got)
			}
		})
	}
}

func TestFrameSpinnerStopsOnError(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			_, win, wait, w := openFrame(t, c, workFails)
			c.start(t, win, wait)
			untilIdle(w, wait)
			if w.Running() || spinning(win) {
				t.Fatalf("the spinner goes on after the error:\n%s", texts(win))
			}
			got := texts(win)
			if !strings.Contains(got, "Microsoft did not answer this time: try again in a minute.") || !strings.Contains(got, "[Try again]") {
				t.Errorf("the error is not said, or there is no Try again:\n%s", got)
			}
			// No outcome is shown for a run that failed.
			for _, stale := range []string{"customers checked", "Microsoft answered for", "Signed in as", "users."} {
				if strings.Contains(got, stale) {
					t.Errorf("a failed step shows an outcome (%q):\n%s", stale, got)
				}
			}
		})
	}
}

func TestFrameCancelResets(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.page, func(t *testing.T) {
			s, win, wait, w := openFrame(t, c, workWorks)
			c.start(t, win, wait)
			untilIdle(w, wait)
			if w.Current() != c.working() {
				t.Fatalf("on step %d, want %d", w.Current()+1, c.working()+1)
			}
			test.Tap(button(t, win, "Cancel"))
			if b := findButton(win, "Leave without applying"); b != nil {
				test.Tap(b) // the choices made would be lost: it asks first
			}
			if s.CurrentPage() != PageHome {
				t.Fatalf("Cancel left for %q, want the home page", s.CurrentPage())
			}
			s.Show(c.page)
			if c.page == PageAuthenticator || c.page == PageTroubleshoot || c.page == PageOnboard {
				wait()
			}
			again := wizard.Find(win.Content())
			if again == nil || again == w || again.Current() != 0 {
				t.Fatalf("reopened after Cancel: the same wizard %v, on step %d", again == w, again.Current()+1)
			}
		})
	}
}

// TestSignOutClearsEveryPage: after "Sign out and forget" in Settings, no page shows what is no
// longer kept: Sign in starts again at step 1 (not its old YES), and Settings says nothing is
// stored.
func TestSignOutClearsEveryPage(t *testing.T) {
	kc := &fakeKeychain{stored: Stored{SignedIn: true, Account: "alex@contosopartners.onmicrosoft.com", Tenant: "t", ClientID: "app-1"}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{SignIn: &fakeSignIn{evidence: compliant}, Keychain: kc}})
	s.Show(PageSignIn)
	test.Tap(button(t, win, "Sign in"))
	wait()
	wait()
	test.Tap(button(t, win, "Next"))
	wait()
	test.Tap(button(t, win, "Keep this sign-in"))
	wait()
	test.Tap(button(t, win, "Finish"))
	if !strings.Contains(texts(win), "Partner Center will accept this sign-in") {
		t.Fatalf("no YES to forget:\n%s", texts(win))
	}

	s.Show(PageSettings)
	wait() // the keychain is read
	if !strings.Contains(texts(win), "App secret for app app-1") {
		t.Fatalf("Settings shows no secret:\n%s", texts(win))
	}
	test.Tap(button(t, win, "Sign out and forget"))
	if b := findButton(win, "Yes"); b != nil {
		test.Tap(b)
	}
	wait() // forgetting
	wait() // Settings reads the keychain again
	got := texts(win)
	if kc.forgotten != 1 || strings.Contains(got, "App secret for app app-1") || !strings.Contains(got, "No app secret is stored.") {
		t.Fatalf("after Sign out and forget (forgot %d), Settings shows:\n%s", kc.forgotten, got)
	}
	s.Show(PageSignIn)
	if got := texts(win); strings.Contains(got, "Partner Center will accept this sign-in") || !strings.Contains(got, "Step 1 of 5") {
		t.Errorf("after Sign out and forget, Sign in still shows the old sign-in:\n%s", got)
	}
}

// untilIdle runs the page updates of a wizard's work until it has ended.
func untilIdle(w *wizard.Wizard, wait func()) {
	for i := 0; i < 20 && w.Running(); i++ {
		wait()
	}
}

// bodyScroll is the scroll of the wizard's body on screen.
func bodyScroll(t *testing.T, win fyne.Window) *container.Scroll {
	t.Helper()
	for _, o := range visible(win.Content()) {
		if sc, ok := o.(*container.Scroll); ok && sc.Direction == container.ScrollVerticalOnly {
			return sc
		}
	}
	t.Fatal("no scrolling body")
	return nil
}

// spinning says whether a spinner (an infinite progress bar) is on screen.
func spinning(win fyne.Window) bool {
	for _, o := range visible(win.Content()) {
		if _, ok := o.(*widget.ProgressBarInfinite); ok {
			return true
		}
	}
	return false
}

func findButton(win fyne.Window, text string) fyne.Tappable {
	for _, o := range visible(win.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && !b.Disabled() {
			return b
		}
		if b, ok := o.(*wizard.Button); ok && b.Text == text && !b.Disabled() {
			return b
		}
	}
	for _, ov := range win.Canvas().Overlays().List() {
		for _, o := range visible(ov) {
			if b, ok := o.(*widget.Button); ok && b.Text == text {
				return b
			}
		}
	}
	return nil
}
