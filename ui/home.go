package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/explain"
)

// sandboxStarter is the state of "Try the sandbox" while it starts.
type sandboxStarter struct {
	starting bool
	problem  string // the last failure, as a sentence
}

// homePage says what the app does, what the user needs, and where to start.
func (s *Shell) homePage() fyne.CanvasObject {
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
	return readable(container.NewVBox(title, what, how, needs, s.sandboxCard(), steps))
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
