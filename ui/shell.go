// Package ui is Onboard365's window: a task list on the left and the chosen task on the right.
// It is a thin layer over internal/: it shows what the domain packages compute and never talks
// HTTP itself. It imports no driver, so every screen can be built and tested headless.
package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/resources"
	"github.com/onboard365/onboard365/ui/wizard"
)

// Options is what the window needs from the rest of the app.
type Options struct {
	// Cloud is the Microsoft cloud (or the sandbox) the app talks to.
	Cloud cloud.Cloud
	// Version is the app's version, shown in Settings.
	Version string
	// About is the rest of what Settings says about this build: commit, Go version, licences.
	About About
	// CheckConnection reaches the cloud's sign-in service; nil hides the button.
	CheckConnection func(ctx context.Context, c cloud.Cloud) error
	// TrySandbox starts the simulated cloud and returns its description. Nil when the app already
	// runs on the sandbox or cannot start one.
	TrySandbox func(ctx context.Context) (cloud.Cloud, error)
	// Services are what the pages do with the cloud.
	Services
	// Connect, when set, gives the services of a cloud the app switches to (Try the sandbox).
	Connect func(c cloud.Cloud) Services
	// Preferences, when set, remembers the answer to the first-run welcome (welcome.go); nil
	// (tests, screenshots) means no welcome.
	Preferences Preferences
}

// Services are the parts of the app that work on one cloud. A nil one shows its task's outline.
type Services struct {
	SignIn   SignIn   // signs the technician in and keeps the sign-in
	Keychain Keychain // shows and forgets what the app keeps in the OS keychain (Settings)
	GDAP     GDAP     // checks and fixes the customers' GDAP relationships
	// Authenticator finds users whose default MFA method is not Authenticator, and switches them.
	Authenticator Authenticator
	// AppRegistration creates or repairs the app registration, consents it in customers, and
	// rotates its secret (Settings).
	AppRegistration AppRegistration
	// Troubleshoot finds why customers refuse the partner's tools ("400" errors) and fixes what it can.
	Troubleshoot Troubleshoot
	// Health checks everything at once for Home (home.go); Audit reads the audit trail (Settings).
	Health Health
	Audit  Audit
	// Onboard brings one customer, existing or new, to a verified GDAP connection.
	Onboard Onboard
	// SandboxCustomer, set only on the sandbox, lets the onboarding page act as the customer's
	// administrator; nil on a real cloud, where only the customer can approve.
	SandboxCustomer SandboxCustomer
}

// Page ids, also the names of the screenshot files.
const (
	PageHome          = "home"
	PageSignIn        = "sign-in"
	PageAppRegistry   = "app-registration"
	PageOnboard       = "onboard"
	PageGDAP          = "gdap"
	PageAuthenticator = "authenticator"
	PageTroubleshoot  = "troubleshoot"
	PageSettings      = "settings"
)

// page is one entry of the left-hand task list.
type page struct {
	id    string
	title string
	icon  fyne.Resource
	build func() fyne.CanvasObject
	keep  bool // build once and keep: the page holds a wizard whose progress must survive a visit elsewhere

	built fyne.CanvasObject
}

// Shell is the whole window content.
type Shell struct {
	opts    Options
	pages   []page
	current int

	root         *fyne.Container
	nav          *widget.List
	banner       *fyne.Container
	content      *fyne.Container
	sandboxEntry *fyne.Container   // the sidebar's "Try the sandbox", hidden once it is on
	welcome      fyne.CanvasObject // the first-run welcome while it is shown (welcome.go)

	sandbox sandboxStarter
	home    homeState // Home's health: the last result and the check in progress (home.go)

	onboarding *onboardState // the onboarding page's state, once built (a GDAP row opens it for a customer)

	afterAsync func()        // test hook: called on the UI goroutine when a wizard's work has ended
	uiQueue    chan uiUpdate // set by Headless: onUI hands its function here instead of to fyne.Do
	pending    atomic.Int32
}

// NewShell builds the window content and shows the home page.
func NewShell(opts Options) *Shell {
	s := &Shell{opts: opts}
	s.pages = []page{
		{id: PageHome, title: "Home", icon: theme.HomeIcon(), build: s.homePage},
		{id: PageSignIn, title: "Sign in", icon: theme.LoginIcon(), build: s.signInPage, keep: true},
		{id: PageAppRegistry, title: "App registration", icon: theme.ComputerIcon(), build: s.appRegPage, keep: true},
		{id: PageOnboard, title: "Onboard a customer", icon: theme.ContentAddIcon(), build: s.onboardPage, keep: true},
		{id: PageGDAP, title: "GDAP relationships", icon: theme.AccountIcon(), build: s.gdapPage, keep: true},
		{id: PageAuthenticator, title: "Authenticator default method", icon: theme.ConfirmIcon(), build: s.authenticatorPage, keep: true},
		{id: PageTroubleshoot, title: `Troubleshoot "400" errors`, icon: theme.WarningIcon(), build: s.troubleshootPage, keep: true},
		{id: PageSettings, title: "Settings", icon: theme.SettingsIcon(), build: s.settingsPage},
	}

	s.nav = widget.NewList(
		func() int { return len(s.pages) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Authenticator default method"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(s.pages[i].icon)
			row.Objects[1].(*widget.Label).SetText(s.pages[i].title)
		},
	)
	s.nav.OnSelected = func(i widget.ListItemID) {
		s.showIndex(i)
		s.releaseNavFocus() // so that Enter and Escape reach the page's wizard (keys.go)
	}

	s.banner = container.NewStack()
	s.content = container.NewStack()
	s.root = container.NewBorder(nil, nil, s.sidebar(), nil,
		container.NewBorder(s.banner, nil, nil, nil, s.content))
	s.refreshBanner()
	s.nav.Select(0)
	s.firstRun()
	return s
}

// Object is the shell's widget tree, to set as a window's content. The first call starts Home's
// background reading (home.go): by then the caller has chosen how updates reach the window.
func (s *Shell) Object() fyne.CanvasObject {
	s.startHome()
	return s.root
}

// PageIDs lists every top-level page in the order of the task list.
func (s *Shell) PageIDs() []string {
	ids := make([]string, len(s.pages))
	for i, p := range s.pages {
		ids[i] = p.id
	}
	return ids
}

// Show opens the page with the given id; an unknown id is ignored.
func (s *Shell) Show(id string) {
	for i, p := range s.pages {
		if p.id == id {
			s.nav.Select(i) // calls showIndex through OnSelected
			return
		}
	}
}

// CurrentPage returns the id of the page on screen.
func (s *Shell) CurrentPage() string { return s.pages[s.current].id }

// background runs work off the UI goroutine with a time limit; the function it returns updates
// the page on the UI goroutine.
func (s *Shell) background(limit time.Duration, work func(ctx context.Context) (update func())) {
	s.pending.Add(1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		update := work(ctx)
		s.onUI(func() {
			defer s.pending.Add(-1)
			update()
		})
	}()
}

// uiUpdate is a page update waiting in the headless queue. A wizard's updates are marked, so
// that a test waiting for "the next thing" can run past a progress report to the step's end.
type uiUpdate struct {
	run    func()
	wizard bool
}

// onUI runs f on the UI goroutine. After Headless, f goes to a queue that Settle (or a test) runs.
func (s *Shell) onUI(f func()) { s.enqueue(uiUpdate{run: f}) }

func (s *Shell) enqueue(u uiUpdate) {
	if s.uiQueue != nil {
		s.uiQueue <- u
		return
	}
	fyne.Do(u.run)
}

// Headless makes background work hand its page updates to Settle instead of fyne.Do. It is for
// Fyne's test driver, which runs fyne.Do at once on whatever goroutine calls it: there, updates
// must run on the goroutine that drives the window (a test, or the screenshot command).
func (s *Shell) Headless() { s.uiQueue = make(chan uiUpdate, 64) }

// Settle runs, on the calling goroutine, the page updates of background work until none is
// pending; false if some is still pending after limit. Only after Headless.
func (s *Shell) Settle(limit time.Duration) bool {
	deadline := time.After(limit)
	for s.pending.Load() > 0 {
		select {
		case u := <-s.uiQueue:
			u.run()
		case <-deadline:
			return false
		}
	}
	return true
}

// wizardConfig connects a wizard to the shell: its page updates go through onUI (so that Headless
// and Settle cover them), its work counts as pending until it has ended and then tells
// OnWorkDone, and leaving it goes back to the home page.
//
// Leaving a wizard (Cancel, or Close on its summary) throws its page away: the next visit starts
// afresh on step 1, with nothing ticked, as Cancel's "the choices will be lost" says. Choosing
// another task on the left keeps it, so that a check in progress survives a look elsewhere.
func (s *Shell) wizardConfig(cfg wizard.Config) wizard.Config {
	leave := cfg.OnClose
	if leave == nil {
		leave = func() { s.Show(PageHome) }
	}
	cfg.OnClose = func() {
		s.forget(s.current)
		leave()
	}
	if cfg.AfterWork == nil {
		cfg.AfterWork = func(int, error) { s.asyncDone() }
	}
	if cfg.Failed == nil {
		cfg.Failed = func(_ int, err error) fyne.CanvasObject { return s.whereToGo(err) }
	}
	cfg.OnUI = s.duringWork
	cfg.Busy = func(busy bool) {
		if busy {
			s.pending.Add(1)
		} else {
			s.pending.Add(-1)
		}
	}
	return cfg
}

// whereToGo is a button to the page that puts an error right, when another page does: Sign in
// for a sign-in that is missing or has expired, App registration when there is no app to sign
// in with. Nil when the step itself is the place (Try again).
func (s *Shell) whereToGo(err error) fyne.CanvasObject {
	page, label := "", ""
	code := ""
	if x, ok := explain.Of(err); ok {
		code = strings.ToUpper(x.Code)
	}
	switch {
	case errors.Is(err, app.ErrNoApp) || code == "AADSTS700016" || (s.opts.SignIn != nil && s.opts.SignIn.NeedsApp()):
		page, label = PageAppRegistry, "Open App registration"
	case errors.Is(err, app.ErrSignInFirst), code == "AADSTS700082", code == "AADSTS70008", code == "AADSTS70043", code == "AADSTS50173":
		page, label = PageSignIn, "Open Sign in"
	}
	if page == "" || page == s.pages[s.current].id {
		return nil
	}
	return container.NewHBox(s.goButton(label, page))
}

// duringWork runs f, an update of a wizard step's progress, on the UI goroutine, counting it as
// pending until it has run.
func (s *Shell) duringWork(f func()) {
	s.pending.Add(1)
	s.enqueue(uiUpdate{wizard: true, run: func() {
		defer s.pending.Add(-1)
		f()
	}})
}

// later runs f on the UI goroutine, counting it as pending until it has run.
func (s *Shell) later(f func()) {
	s.pending.Add(1)
	s.onUI(func() {
		defer s.pending.Add(-1)
		f()
	})
}

// OnWorkDone sets f to be called each time a wizard's background work has ended and its page
// was updated (for a driver such as the user guide's screenshot tour).
func (s *Shell) OnWorkDone(f func()) { s.afterAsync = f }

// asyncDone runs at the end of every fyne.Do that finishes a wizard's background work.
func (s *Shell) asyncDone() {
	if s.afterAsync != nil {
		s.afterAsync()
	}
}

func (s *Shell) showIndex(i int) {
	s.current = i
	p := &s.pages[i]
	if p.built == nil || !p.keep {
		p.built = p.build()
	} else if w := wizard.Find(p.built); w != nil && w.Current() == 0 && !w.Running() {
		// A wizard kept on its first step is drawn again: what it says there may have changed
		// meanwhile (App registration made the app the Sign in page had asked for).
		w.Restart()
	}
	if p.keep {
		// A wizard has its own scrolling body and its buttons stay in view.
		s.content.Objects = []fyne.CanvasObject{container.NewPadded(p.built)}
	} else {
		s.content.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewPadded(p.built))}
	}
	s.content.Refresh()
}

// rebuild forgets every kept page, after something they depend on changed (the cloud, or what
// the keychain keeps): each is built afresh when it is shown next.
func (s *Shell) rebuild() {
	for i := range s.pages {
		s.pages[i].built = nil
	}
}

// forget throws page i away, so that it is built afresh when it is shown next.
func (s *Shell) forget(i int) {
	if i >= 0 && i < len(s.pages) {
		s.pages[i].built = nil
	}
}

// window finds the window the shell is shown in, for dialogs.
func (s *Shell) window() fyne.Window {
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Content() == s.root {
			return w
		}
	}
	return nil
}

func (s *Shell) sidebar() fyne.CanvasObject {
	logo := canvas.NewImageFromResource(resources.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(36, 36))
	name := widget.NewLabelWithStyle("Onboard365", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameSubHeadingText
	header := container.NewHBox(logo, name)
	trySandbox := widget.NewButtonWithIcon("Try the sandbox", theme.MediaPlayIcon(), s.startSandbox)
	trySandbox.Importance = widget.WarningImportance
	footer := container.NewVBox(widget.NewSeparator(), trySandbox)
	if s.opts.Cloud.Sandbox || s.opts.TrySandbox == nil {
		footer.Hide()
	}
	s.sandboxEntry = footer
	left := container.NewBorder(container.NewVBox(container.NewPadded(header), widget.NewSeparator()), footer, nil, nil, s.nav)
	return container.NewHBox(left, widget.NewSeparator())
}
