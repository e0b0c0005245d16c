package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
)

// sandboxStarter is the state of "Try the sandbox" while it starts.
type sandboxStarter struct {
	starting bool
	problem  string // the last failure, as a sentence
}

// Health is what Home needs from the rest of the app (internal/app's Health): the last result
// kept on this computer, at once and without reaching Microsoft, and a new check of everything.
type Health interface {
	// Last is the last check this computer kept (the window's or the scheduled watch's).
	Last() (HealthReport, bool, error)
	// Check checks everything now and keeps the result.
	Check(ctx context.Context, req app.HealthRequest, progress func(done, total int)) (HealthReport, error)
	// Fresh says whether a result is recent enough not to check again when Home is opened.
	Fresh(r HealthReport) bool
}

// HealthReport is one check of everything, as internal/health writes it.
type HealthReport = app.HealthReport

// homeState is Home's health while the app runs: shown at once from the last result, refreshed
// in the background.
type homeState struct {
	loaded   bool // the last result and the keychain were read
	report   *HealthReport
	stored   *Stored
	checking bool
	done     int // customers checked so far
	total    int
	problem  string // why the last check could not run, as a sentence; "" when it could
	started  bool   // the window is set up (Object): background work may start
	quiet    bool   // the page is drawn again after background work: start nothing new
	progress *widget.Label
}

// homeProblems is how many of the worst problems Home lists.
const homeProblems = 6

// homePage shows the connection's health at a glance when the app can check it, then says what
// the app does, what the user needs, and where to start.
func (s *Shell) homePage() fyne.CanvasObject {
	page := container.NewVBox()
	if s.opts.Health != nil {
		page.Add(s.healthSection())
		page.Add(widget.NewSeparator())
	}
	title := heading("Welcome to Onboard365")
	what := paragraph("Onboard365 connects your Microsoft CSP partner tenant to your customers' Microsoft 365 " +
		"tenants and keeps that connection healthy: a sign-in with multi-factor authentication (MFA), the app " +
		"registration your tools use, and the GDAP admin relationships that give your technicians their roles.")
	how := paragraph("Each task on the left is a short guided wizard: it reads first, shows you exactly what it " +
		"would change and why, and changes nothing until you click.")
	needs := paragraph("You need an account in your partner tenant that signs in with MFA and holds the Global " +
		"Administrator role (or Application Administrator) and the Admin agent role in Partner Center; to " +
		"practise first, you need nothing at all.")

	steps := container.NewVBox(
		subheading("Where to start"),
		s.goButton("1. Sign in and check that MFA is really used", PageSignIn),
		s.goButton("2. Create or repair the app registration for your tools", PageAppRegistry),
		s.goButton("3. Check every customer's GDAP relationships and roles", PageGDAP),
		s.goButton(`When an integration reports a "400" error: Troubleshoot`, PageTroubleshoot),
	)
	page.Add(title)
	page.Add(what)
	page.Add(how)
	page.Add(needs)
	page.Add(s.sandboxCard())
	page.Add(steps)
	return wide(page)
}

// healthSection is the health at a glance: who is signed in, the secret's expiry, when the last
// check ran, how many customers fail which part, and the worst problems, each with a button into
// the wizard that fixes it. It shows what is known at once and starts the reading in the
// background: the last result first, then a new check when that is missing or old.
func (s *Shell) healthSection() fyne.CanvasObject {
	h := &s.home
	if h.started && !h.quiet {
		if !h.loaded {
			s.loadHealth()
		} else if !h.checking && (h.report == nil || !s.opts.Health.Fresh(*h.report) || h.problem != "") && s.opts.SignIn != nil {
			s.startCheck()
		}
	}
	box := container.NewVBox(heading("Your connection's health"))
	box.Add(s.signedInLine())

	when := "Not checked yet."
	if h.report != nil {
		when = "Last checked " + h.report.CheckedAt.Local().Format("2 January 2006 15:04") + "."
	}
	check := widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), s.checkHealth)
	said := container.NewVBox(paragraph(when))
	if h.checking {
		check.Disable()
		h.progress = paragraph(checkingWords(h.done, h.total))
		said.Add(h.progress)
	} else {
		h.progress = nil
	}
	box.Add(container.NewBorder(nil, nil, nil, container.NewVBox(check), said))
	if h.problem != "" {
		said := h.problem
		if h.report != nil {
			said += " What follows is from the last check that did run."
		}
		box.Add(withIcon(theme.WarningIcon(), said))
		if s.opts.SignIn != nil && h.stored != nil && !h.stored.SignedIn {
			box.Add(container.NewHBox(s.goButton("Sign in", PageSignIn)))
		}
	}
	if h.report == nil {
		return box
	}
	r := *h.report
	box.Add(paragraph(fmt.Sprintf("%d customers: %s.", r.Summary.Total(), counts(r.Summary))))
	for _, line := range partLines(r) {
		box.Add(line)
	}
	problems := r.Problems()
	if len(problems) == 0 {
		box.Add(withIcon(theme.ConfirmIcon(), "Everything passes: your partner tenant and every customer."))
		return box
	}
	box.Add(subheading("What to look at first"))
	for i, p := range problems {
		if i == homeProblems {
			box.Add(paragraph(fmt.Sprintf("And %d more: each task on the left lists its own.", len(problems)-homeProblems)))
			break
		}
		box.Add(s.problemRow(p))
	}
	return box
}

// signedInLine says who is signed in and when the app's secret expires, from the keychain.
func (s *Shell) signedInLine() fyne.CanvasObject {
	st := s.home.stored
	if st == nil {
		return paragraph("Reading this computer's keychain…")
	}
	var parts []string
	if st.SignedIn {
		parts = append(parts, fmt.Sprintf("Signed in as %s (kept; renewed %s).", st.Account, st.Renewed.Local().Format("2 January 2006")))
	} else {
		parts = append(parts, "Nobody's sign-in is kept on this computer.")
	}
	if st.ClientID != "" {
		parts = append(parts, fmt.Sprintf("The app's secret expires on %s.", st.SecretExpires.Local().Format("2 January 2006")))
	}
	if st.Problem != "" {
		parts = append(parts, st.Problem)
	}
	return paragraph(strings.Join(parts, " "))
}

// partLines say, for each part some customers do not pass, how many and who fails it.
func partLines(r HealthReport) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, pc := range r.ByPart() {
		if pc.Pass == pc.Total() {
			continue
		}
		var said []string
		if pc.Fail > 0 {
			who := strings.Join(pc.Failing, ", ")
			if len(pc.Failing) > 3 {
				who = strings.Join(pc.Failing[:3], ", ") + fmt.Sprintf(" and %d more", len(pc.Failing)-3)
			}
			said = append(said, fmt.Sprintf("%d %s (%s)", pc.Fail, map[bool]string{true: "fails", false: "fail"}[pc.Fail == 1], who))
		}
		if pc.Warning > 0 {
			said = append(said, fmt.Sprintf("%d with a warning", pc.Warning))
		}
		if pc.CouldNotCheck > 0 {
			said = append(said, fmt.Sprintf("%d could not be checked", pc.CouldNotCheck))
		}
		st := plan.Warning
		if pc.Fail > 0 {
			st = plan.Fail
		}
		out = append(out, withIcon(statusIcon(st), pc.Title+": "+strings.Join(said, ", ")+"."))
	}
	return out
}

// problemRow is one problem: whom and which part, what is wrong, and the wizard that fixes it.
func (s *Shell) problemRow(p health.Problem) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(p.Subject+": "+p.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Importance = statusImportance(p.Status)
	head.Wrapping = fyne.TextWrapWord
	text := paragraph(p.Sentence)
	row := container.NewVBox(head, text)
	if page := fixPage(p.Fix); page != "" && s.hasPage(page) {
		b := widget.NewButtonWithIcon("Open "+string(p.Fix), theme.NavigateNextIcon(), func() { s.Show(page) })
		b.Importance = widget.LowImportance
		row.Add(container.NewHBox(b))
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(statusIcon(p.Status))), nil, row)
}

// fixPage is the page of the wizard that fixes a part.
func fixPage(w health.Wizard) string {
	switch w {
	case health.FixSignIn:
		return PageSignIn
	case health.FixAppRegistration:
		return PageAppRegistry
	case health.FixGDAP:
		return PageGDAP
	case health.FixTroubleshoot:
		return PageTroubleshoot
	case health.FixSettings:
		return PageSettings
	case health.FixOnboard:
		return "onboard"
	}
	return ""
}

func (s *Shell) hasPage(id string) bool {
	for _, p := range s.pages {
		if p.id == id {
			return true
		}
	}
	return false
}

func checkingWords(done, total int) string {
	if total == 0 {
		return "Checking…"
	}
	return fmt.Sprintf("Checking every customer… (%d of %d)", done, total)
}

// startHome lets Home start its background reading, and starts it when Home is on screen. It
// waits for the window to be set up (Shell.Object), so that no update reaches widgets while
// NewShell still builds them.
func (s *Shell) startHome() {
	if s.home.started {
		return
	}
	s.home.started = true
	if s.opts.Health != nil && s.pages[s.current].id == PageHome && s.welcome == nil {
		s.loadHealth()
	}
}

// loadHealth reads the last result and the keychain in the background, shows them, and then
// checks again when the last result is missing or old.
func (s *Shell) loadHealth() {
	h := &s.home
	h.loaded = true
	svc, kc := s.opts.Health, s.opts.Keychain
	s.background(20*time.Second, func(ctx context.Context) func() {
		last, ok, err := svc.Last()
		st := storedNow(ctx, kc)
		return func() {
			if s.opts.Health != svc {
				return // the app switched to another cloud meanwhile
			}
			if ok {
				h.report = &last
			} else if err != nil {
				h.problem = explain.Sentence(err)
			}
			h.stored = st
			if !h.checking && (!ok || !svc.Fresh(last)) && s.opts.SignIn != nil {
				s.startCheck()
			}
			s.redrawHome()
		}
	})
}

// storedNow is what the keychain keeps, for the line that says who is signed in; nil without a
// keychain. One that cannot be read keeps nothing, and its Problem says why.
func storedNow(ctx context.Context, kc Keychain) *Stored {
	if kc == nil {
		return nil
	}
	st, err := kc.Stored(ctx)
	if err != nil {
		return &Stored{Problem: explain.Sentence(err)}
	}
	return &st
}

// checkHealth is "Check now": it starts a check and shows that it runs.
func (s *Shell) checkHealth() {
	s.startCheck()
	s.redrawHome()
}

// startCheck checks everything in the background, never blocking the window; Home shows the
// result when it comes.
func (s *Shell) startCheck() {
	h := &s.home
	if h.checking || s.opts.Health == nil {
		return
	}
	h.checking, h.done, h.total = true, 0, 0
	svc, kc := s.opts.Health, s.opts.Keychain
	progress := func(done, total int) {
		s.later(func() {
			h.done, h.total = done, total
			if h.progress != nil {
				h.progress.SetText(checkingWords(done, total))
			}
		})
	}
	s.background(5*time.Minute, func(ctx context.Context) func() {
		r, err := svc.Check(ctx, app.HealthRequest{}, progress)
		st := storedNow(ctx, kc)
		return func() {
			if s.opts.Health != svc {
				return
			}
			h.checking = false
			if st != nil {
				h.stored = st
			}
			if err != nil {
				h.problem = "The check could not run: " + explain.Sentence(err)
			} else {
				h.problem = ""
				h.report = &r
			}
			s.redrawHome()
		}
	})
}

// redrawHome draws Home again with what is known now, if it is on screen, without starting
// new work.
func (s *Shell) redrawHome() {
	if s.pages[s.current].id != PageHome || s.Welcoming() {
		return
	}
	s.home.quiet = true
	s.showIndex(s.current)
	s.home.quiet = false
}

// sandboxCard offers the simulated cloud, or says that it is on.
func (s *Shell) sandboxCard() fyne.CanvasObject {
	if s.opts.Cloud.Sandbox {
		return card(theme.ColorNameSuccess,
			widget.NewIcon(theme.ConfirmIcon()),
			subheading("You are in the sandbox"),
			paragraph("Every task runs against a simulated Microsoft cloud on this computer. Nothing you do here "+
				"touches a real tenant. To work with your real partner tenant, close Onboard365 and open it again the usual way: the sandbox lasts for this run only."))
	}
	if s.opts.TrySandbox == nil {
		return container.NewVBox()
	}
	body := container.NewVBox(
		subheading("New here? Try the sandbox"),
		paragraph("The sandbox is a simulated Microsoft cloud that runs on this computer. Walk through the tasks "+
			"there first: nothing you do in it touches a real tenant."),
	)
	button := widget.NewButtonWithIcon("Try the sandbox", theme.MediaPlayIcon(), s.startSandbox)
	button.Importance = widget.WarningImportance
	if s.sandbox.starting {
		button.Disable()
		button.SetText("Starting the sandbox…")
	}
	body.Add(container.NewHBox(button))
	if s.sandbox.problem != "" {
		problem := widget.NewLabel(s.sandbox.problem)
		problem.Wrapping = fyne.TextWrapWord
		problem.Importance = widget.DangerImportance
		body.Add(problem)
	}
	return card(theme.ColorNameWarning, widget.NewIcon(theme.InfoIcon()), body)
}

// startSandbox starts the simulated cloud off the UI goroutine and switches the app to it.
func (s *Shell) startSandbox() {
	if s.sandbox.starting || s.opts.TrySandbox == nil {
		return
	}
	s.sandbox = sandboxStarter{starting: true}
	s.Show(PageHome)
	s.showIndex(s.current)
	start := s.opts.TrySandbox
	s.background(30*time.Second, func(ctx context.Context) func() {
		c, err := start(ctx)
		return func() {
			s.sandbox = sandboxStarter{}
			if err != nil {
				s.sandbox.problem = "The sandbox did not start. " + explain.Sentence(err)
			} else {
				s.opts.Cloud = c
				s.opts.TrySandbox = nil
				if s.opts.Connect != nil {
					s.opts.Services = s.opts.Connect(c)
				}
				s.home = homeState{started: true} // the sandbox's health, not the real cloud's
				s.rebuild()
				s.sandboxEntry.Hide()
				s.refreshBanner()
			}
			s.showIndex(s.current)
		}
	})
}

// refreshBanner shows, above every page, that the app runs on the sandbox.
func (s *Shell) refreshBanner() {
	s.banner.Objects = nil
	if s.opts.Cloud.Sandbox {
		bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x66))
		text := widget.NewLabelWithStyle("Sandbox: a simulated Microsoft cloud on this computer. Nothing here touches a real tenant.",
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		text.Wrapping = fyne.TextWrapWord
		s.banner.Objects = []fyne.CanvasObject{bg, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, text)}
	}
	s.banner.Refresh()
}

func (s *Shell) goButton(label, pageID string) fyne.CanvasObject {
	b := widget.NewButtonWithIcon(label, theme.NavigateNextIcon(), func() { s.Show(pageID) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return b
}
