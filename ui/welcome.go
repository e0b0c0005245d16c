package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Preferences is where the app remembers small choices that are not secret, such as the answer
// to the welcome's question. fyne.App.Preferences() satisfies it.
type Preferences interface {
	String(key string) string
	SetString(key, value string)
	RemoveValue(key string)
}

// welcomeKey holds the answer to "Do you have a partner tenant account ready?": "partner" or
// "sandbox". While it is empty the app opens on the welcome.
const welcomeKey = "welcome.answer"

const (
	answerPartner = "partner"
	answerSandbox = "sandbox"
)

// firstRun shows the welcome when the user has not answered its question yet. Without
// Preferences (tests, screenshots) there is no first run.
func (s *Shell) firstRun() {
	if s.opts.Preferences != nil && s.opts.Preferences.String(welcomeKey) == "" {
		s.showWelcome()
	}
}

// showWelcome puts the welcome in place of the current page. Choosing a task on the left leaves
// it without an answer, and it shows again at the next start.
func (s *Shell) showWelcome() {
	s.nav.UnselectAll()
	s.welcome = container.NewVScroll(container.NewPadded(s.welcomePage()))
	s.content.Objects = []fyne.CanvasObject{s.welcome}
	s.content.Refresh()
}

// Welcoming says whether the welcome is on screen.
func (s *Shell) Welcoming() bool {
	return s.welcome != nil && len(s.content.Objects) == 1 && s.content.Objects[0] == s.welcome
}

// welcomePage asks whether the user has a partner tenant account ready and sends them to Sign in
// (yes) or to the sandbox (no).
func (s *Shell) welcomePage() fyne.CanvasObject {
	yes := widget.NewButtonWithIcon("Yes, sign in", theme.LoginIcon(), func() { s.answerWelcome(answerPartner) })
	yes.Importance = widget.HighImportance
	no := widget.NewButtonWithIcon("No, try the sandbox first", theme.MediaPlayIcon(), func() { s.answerWelcome(answerSandbox) })
	no.Importance = widget.WarningImportance

	page := container.NewVBox(
		heading("Welcome to Onboard365"),
		paragraph("Onboard365 connects your Microsoft CSP partner tenant to your customers' Microsoft 365 tenants "+
			"and keeps that connection healthy. Each task is a short guided wizard that shows you what it would "+
			"change, and why, before it changes anything."),
		subheading("Do you have a partner tenant account ready?"),
		paragraph("That is an account in your partner tenant that signs in with multi-factor authentication (MFA) "+
			"and holds the Admin agent role in Partner Center, and Global Administrator or Application "+
			"Administrator in the tenant."),
		container.NewHBox(yes, no),
		paragraph("Not sure? Try the sandbox: a simulated Microsoft cloud on this computer with twelve example "+
			"customers. Nothing you do there touches a real tenant, and you can sign in to your own tenant at any time."),
		widget.NewSeparator(),
		paragraph("Onboard365 asks this only once. To see this page again, open Settings and press Show the welcome again."),
	)
	return readable(page)
}

// answerWelcome remembers the answer and goes where it leads.
func (s *Shell) answerWelcome(answer string) {
	if s.opts.Preferences != nil {
		s.opts.Preferences.SetString(welcomeKey, answer)
	}
	switch {
	case answer == answerPartner:
		// Without an app registration to sign in with yet, Sign in says why App registration
		// comes first and leads there (its card "First, the app registration").
		s.Show(PageSignIn)
	case s.opts.Cloud.Sandbox || s.opts.TrySandbox == nil:
		s.Show(PageHome) // already on the sandbox, or none can start: the home page says which
	default:
		s.startSandbox()
	}
}

// welcomeSection is Settings' way back to the welcome.
func (s *Shell) welcomeSection() fyne.CanvasObject {
	if s.opts.Preferences == nil {
		return nil
	}
	said, label := "You have not answered the welcome's question yet.", "Show the welcome"
	switch s.opts.Preferences.String(welcomeKey) {
	case answerPartner:
		said, label = "When Onboard365 first started, you said you have a partner tenant account ready.", "Show the welcome again"
	case answerSandbox:
		said, label = "When Onboard365 first started, you chose to try the sandbox first.", "Show the welcome again"
	}
	again := widget.NewButtonWithIcon(label, theme.HomeIcon(), func() {
		s.opts.Preferences.RemoveValue(welcomeKey)
		s.showWelcome()
	})
	return container.NewVBox(subheading("Welcome"), paragraph(said), container.NewHBox(again))
}
