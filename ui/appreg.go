package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/words"
	"github.com/onboard365/onboard365/ui/wizard"
)

// AppRegistration is what the App registration page (and Settings' "Rotate the secret") needs
// from the rest of the app: internal/app's AppRegistration, with the keychain and the sign-in.
type AppRegistration interface {
	// Integrations lists the tools the app registration can serve; Onboard365 itself first.
	Integrations() []AppIntegration
	// CheckChoice says what is wrong with what was typed on the first step (a redirect address,
	// the administrator account), so that step says it, not the sign-in after it.
	CheckChoice(choice AppChoice, account string) error
	// SignInAdmin signs an administrator in to manage the app registration. That sign-in is
	// kept in memory only, in the AppAdmin, for this wizard.
	SignInAdmin(ctx context.Context, choice AppChoice, loginHint string, launched func(Launch)) (AppAdmin, error)
	// Plan reads what exists and lists what would change. It changes nothing.
	Plan(ctx context.Context, admin AppAdmin, report func(message string)) (AppPlan, error)
	// Apply makes the planned changes and reads everything again. Applying the same plan again
	// changes nothing more.
	Apply(ctx context.Context, p AppPlan, report func(done, total int, message string)) (AppOutcome, error)
	// SignInWithApp signs the technician in with the app appID (so the kept sign-in and its
	// refresh token belong to it) and keeps a compliant sign-in in the keychain.
	SignInWithApp(ctx context.Context, appID, loginHint string, launched func(Launch)) (AppSignIn, error)
	// Customers reads the app's consent in every customer.
	Customers(ctx context.Context, admin AppAdmin, progress func(done, total int)) ([]CustomerConsent, error)
	// Consent consents the app appID in the chosen customers and checks each again.
	Consent(ctx context.Context, admin AppAdmin, appID string, chosen []CustomerConsent, progress func(done, total int)) ([]CustomerConsent, error)
	// RotateSecret signs an administrator in and replaces the app's client secret; the old one is
	// removed only after the new one works.
	RotateSecret(ctx context.Context, loginHint string, launched func(Launch)) (AppOutcome, error)
}

// What the App registration page shows, as internal/app computes it.
type (
	AppIntegration  = app.AppIntegration
	AppChoice       = app.AppChoice
	AppAdmin        = app.AppAdmin
	AppPlan         = app.AppPlan
	AppOutcome      = app.AppOutcome
	AppLine         = app.AppLine
	ShownSecret     = app.ShownSecret
	AppSignIn       = app.AppSignIn
	CustomerConsent = app.CustomerConsent
)

// Customer consent statuses.
const (
	ConsentOK            = app.ConsentOK
	ConsentMissing       = app.ConsentMissing
	ConsentLacks         = app.ConsentLacks
	ConsentCouldNotCheck = app.ConsentCouldNotCheck
)

// appRegPage is the App registration wizard.
func (s *Shell) appRegPage() fyne.CanvasObject {
	if s.opts.AppRegistration == nil {
		return taskPage(appRegistrationTask)
	}
	st := &appRegState{svc: s.opts.AppRegistration, shell: s}
	return wide(st.wizard().Object())
}

type appRegState struct {
	wheel wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc   AppRegistration
	shell *Shell

	name      *widget.Entry
	account   *widget.Entry
	redirect  *widget.Entry
	chosen    map[string]bool
	agents    bool
	admin     AppAdmin
	plan      AppPlan
	outcome   AppOutcome
	secret    *ShownSecret // the new secret, until the person leaves the step that shows it
	signIn    AppSignIn
	customers []CustomerConsent
	ticked    map[string]bool
	results   []CustomerConsent
	launch    *launchPanel
}

func (st *appRegState) choice() AppChoice {
	c := AppChoice{Name: strings.TrimSpace(st.name.Text), AdminAgents: st.agents}
	for _, in := range st.svc.Integrations() {
		if in.AlwaysOn || st.chosen[in.Name] {
			c.Integrations = append(c.Integrations, in.Name)
			if in.NeedsRedirect && strings.TrimSpace(st.redirect.Text) != "" {
				c.RedirectURIs = append(c.RedirectURIs, strings.TrimSpace(st.redirect.Text))
			}
		}
	}
	return c
}

func (st *appRegState) wizard() *wizard.Wizard {
	st.name = widget.NewEntry()
	st.name.SetText("Onboard365")
	st.account = widget.NewEntry()
	st.account.SetPlaceHolder("admin@yourpartner.onmicrosoft.com (optional)")
	st.redirect = widget.NewEntry()
	st.redirect.SetPlaceHolder("https://… (the address the tool shows you)")
	st.chosen = map[string]bool{}
	st.launch = newLaunchPanel(st.shell)
	st.launch.wheel = &st.wheel
	st.launch.note = adminNote
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: "App registration",
		Steps: []wizard.Step{
			{
				Title:   "What it serves",
				Intro:   "Onboard365 creates (or repairs) one app registration in your partner tenant: the app your tools use to reach your customers with your MFA sign-in (Microsoft's Secure Application Model). It asks only for the permissions the chosen tools use. Nothing changes until you press Apply.",
				Content: st.chooseBody,
				Validate: func() error {
					st.admin, st.signIn = AppAdmin{}, AppSignIn{} // a new run signs in afresh
					if strings.TrimSpace(st.name.Text) == "" {
						return errors.New("give the app registration a name, for example Onboard365")
					}
					for _, in := range st.svc.Integrations() {
						if in.NeedsRedirect && st.chosen[in.Name] && strings.TrimSpace(st.redirect.Text) == "" {
							return fmt.Errorf("%s needs its redirect address: copy it from %s and paste it here", in.Name, in.RedirectFrom)
						}
					}
					// Everything the sign-in on the next step would refuse, said here, where it
					// was typed and can be corrected.
					return st.svc.CheckChoice(st.choice(), st.account.Text)
				},
				NextLabel: "Sign in as an administrator",
			},
			{
				Title:  "Administrator sign-in",
				Intro:  "Sign in with an account that may manage app registrations (Application Administrator or Global Administrator). This sign-in uses Microsoft's own Graph command line app, asks only for the permissions to create and repair this app registration, and is kept in memory only.",
				During: st.launchDuring(adminNote),
				Content: func() fyne.CanvasObject {
					if st.admin.Account == "" {
						return nil
					}
					return withIcon(theme.ConfirmIcon(), "Signed in as "+st.admin.Account+". Press Next to read what exists.")
				},
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					st.admin = AppAdmin{}
					report(wizard.Progress{Message: "Opening the sign-in…"})
					st.launch.hint = strings.TrimSpace(st.account.Text)
					admin, err := st.svc.SignInAdmin(ctx, st.choice(), strings.TrimSpace(st.account.Text), func(l Launch) {
						st.launch.show(l)
						report(wizard.Progress{Message: "Waiting for the administrator's sign-in to finish…"})
					})
					if err != nil {
						return err
					}
					if !admin.Compliant {
						return errors.New("this sign-in did not use MFA or is not in your partner tenant, so Onboard365 will not change anything with it: " +
							strings.Join(admin.Reasons, " ") + " Press Try again and sign in with MFA")
					}
					st.admin = admin
					return nil
				},
			},
			{
				Title: "Read and plan",
				Intro: "Onboard365 reads the app registration, its service principal, its redirect addresses, permissions, secrets and admin consent, and the secret this computer keeps. Nothing is changed.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					p, err := st.svc.Plan(ctx, st.admin, func(m string) { report(wizard.Progress{Message: m}) })
					if err != nil {
						return err
					}
					st.plan = p
					return nil
				},
				Content:   st.planBody,
				NextLabel: "Apply",
			},
			{
				Title: "Apply and check",
				Intro: "Onboard365 makes the changes one by one, then reads everything again to show what is true now.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					o, err := st.svc.Apply(ctx, st.plan, func(done, total int, m string) {
						report(wizard.Progress{Done: done, Total: total, Message: m})
					})
					if err != nil {
						return err
					}
					// The secret is this run's only: a run that made none (Back, then Apply
					// again) shows none, never the one shown before.
					st.outcome, st.secret = o, o.Secret
					return nil
				},
				Content: func() fyne.CanvasObject { return outcomeBody(st.outcome, st.secret) },
				Validate: func() error {
					st.secret = nil // shown once: gone when the person moves on
					return nil
				},
				NextLabel: "Sign in with the app",
			},
			{
				Title:  "Sign in with the app",
				Intro:  "Sign in as the technician your tools act as, this time through the app itself, so the sign-in kept in the keychain (and its refresh token) belongs to it.",
				During: st.launchDuring(technicianNote),
				Content: func() fyne.CanvasObject {
					if st.signIn.Account == "" {
						return nil
					}
					return st.signInBody()
				},
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					st.signIn = AppSignIn{}
					report(wizard.Progress{Message: "Opening the sign-in…"})
					st.launch.hint = ""
					si, err := st.svc.SignInWithApp(ctx, st.outcome.AppID, "", func(l Launch) {
						st.launch.show(l)
						report(wizard.Progress{Message: "Waiting for the sign-in to finish…"})
					})
					if err != nil {
						return err
					}
					st.signIn = si
					if !si.Compliant {
						return errors.New("this sign-in is not compliant, so it was not kept: " + strings.Join(si.Reasons, " ") + " Press Try again and sign in with MFA")
					}
					return nil
				},
				NextLabel: "Check every customer",
			},
			{
				Title: "Customers",
				Intro: "Your tools reach a customer only where the app is consented. Onboard365 checks each customer with the app's own access there. Nothing is changed yet.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					cs, err := st.svc.Customers(ctx, st.admin, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Checked %d of %s…", done, words.Count(total, "customer"))})
					})
					if err != nil {
						return err
					}
					st.customers = cs
					st.ticked = map[string]bool{}
					for _, c := range cs {
						st.ticked[c.TenantID] = c.Planned
					}
					return nil
				},
				Content:   st.customersBody,
				NextLabel: "Consent in the ticked customers",
			},
			{
				Title: "Consent and check",
				Intro: "Onboard365 asks Partner Center to consent the app in each ticked customer, then checks each one again. One customer's trouble never stops the others.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					var chosen []CustomerConsent
					for _, c := range st.customers {
						if st.ticked[c.TenantID] {
							chosen = append(chosen, c)
						}
					}
					st.results = nil
					if len(chosen) == 0 {
						return nil
					}
					rs, err := st.svc.Consent(ctx, st.admin, st.outcome.AppID, chosen, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Consented %d of %s…", done, words.Count(total, "customer"))})
					})
					if err != nil {
						return err
					}
					st.results = rs
					return nil
				},
				Content:   st.resultsBody,
				NextLabel: "Finish",
			},
		},
		Summary: st.summary,
	}))
}

// launchDuring is a sign-in step's body while it waits: where the sign-in opened, or the
// sandbox's form.
// What the sandbox's sign-in form says beside its accounts: for the administrator who makes
// the app, and for the technician who then signs in with it (as on Sign in).
const (
	adminNote      = "The sandbox's accounts all use the password \"sandbox\"; alex can manage app registrations."
	technicianNote = "Sign in as the technician your tools act as. The sandbox's accounts all use the password \"sandbox\": alex has MFA set up, megan has none, lee is a risky technician."
)

// launchDuring is a sign-in step's body while it runs, with what the sandbox's form says beside
// its accounts for that sign-in.
func (st *appRegState) launchDuring(note string) func() fyne.CanvasObject {
	return func() fyne.CanvasObject {
		st.launch.note = note
		st.launch.reset()
		return st.launch.object()
	}
}

func (st *appRegState) chooseBody() fyne.CanvasObject {
	list := container.NewVBox()
	redirectRow := container.NewVBox()
	var showRedirect func()
	for _, in := range st.svc.Integrations() {
		in := in
		check := widget.NewCheck("", nil)
		if in.AlwaysOn {
			check.SetChecked(true)
			check.Disable()
		} else {
			check.SetChecked(st.chosen[in.Name])
			check.OnChanged = func(on bool) { st.chosen[in.Name] = on; showRedirect() }
		}
		name := widget.NewLabelWithStyle(in.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		list.Add(container.NewBorder(nil, nil, container.NewVBox(check), nil, container.NewVBox(name, paragraph(in.Description))))
	}
	showRedirect = func() {
		redirectRow.RemoveAll()
		for _, in := range st.svc.Integrations() {
			if in.NeedsRedirect && st.chosen[in.Name] {
				redirectRow.Add(widget.NewForm(widget.NewFormItem("Redirect address for "+in.Name, st.wheel.Field(st.redirect))))
				redirectRow.Add(paragraph("Copy it from " + in.RedirectFrom + "."))
			}
		}
	}
	showRedirect()
	agents := widget.NewCheck("", func(on bool) { st.agents = on })
	agents.SetChecked(st.agents)
	agentsText := container.NewVBox(
		widget.NewLabelWithStyle("Also add the app to AdminAgents (DAP-era, optional)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph("Older guides (from before GDAP) \"pre-consent\" the app by putting it in the AdminAgents group, which makes it an admin in every customer that still has DAP. Under GDAP it is not needed: consent goes through Partner Center, customer by customer. Leave this off unless a tool you still use asks for it."))
	return container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Name of the app registration", st.wheel.Field(st.name)),
			widget.NewFormItem("Administrator account", st.wheel.Field(st.account)),
		),
		subheading("Tools the app serves"),
		list,
		redirectRow,
		widget.NewSeparator(),
		container.NewBorder(nil, nil, container.NewVBox(agents), nil, agentsText),
	)
}

func (st *appRegState) planBody() fyne.CanvasObject {
	body := container.NewVBox()
	if len(st.plan.Facts) > 0 {
		body.Add(subheading("What exists"))
		for _, f := range st.plan.Facts {
			body.Add(withIcon(theme.ConfirmIcon(), f))
		}
	}
	if len(st.plan.Changes) == 0 {
		body.Add(card(theme.ColorNameSuccess, widget.NewIcon(theme.ConfirmIcon()),
			paragraph("Nothing to change: the app registration is correct. Apply will change nothing; go on to check the sign-in and your customers.")))
	} else {
		body.Add(subheading(fmt.Sprintf("What will change (%d)", len(st.plan.Changes))))
		for i, c := range st.plan.Changes {
			body.Add(paragraph(fmt.Sprintf("%d. %s", i+1, c)))
		}
	}
	for _, n := range st.plan.Notes {
		body.Add(withIcon(theme.InfoIcon(), n))
	}
	if st.plan.Consent != "" {
		body.Add(withIcon(theme.InfoIcon(), st.plan.Consent))
	}
	return body
}

// outcomeBody shows what a change of the app registration did, the new secret once, and what
// is true now.
func outcomeBody(o AppOutcome, secret *ShownSecret) fyne.CanvasObject {
	body := container.NewVBox()
	done := 0
	for _, l := range o.Lines {
		icon := theme.ErrorIcon()
		if l.Done {
			done++
			icon = theme.ConfirmIcon()
		}
		body.Add(withIcon(icon, l.Sentence))
	}
	head := "Nothing needed changing."
	if len(o.Lines) > 0 {
		head = fmt.Sprintf("%d of %s made.", done, words.Count(len(o.Lines), "change"))
	}
	if o.Waited > 0 {
		head += fmt.Sprintf(" Onboard365 waited %d %s for Microsoft to finish setting up the new app; that is normal.", o.Waited, words.Plural(o.Waited, "time", "times"))
	}
	out := container.NewVBox(paragraph(head))
	if secret != nil {
		out.Add(secretCard(*secret)) // first: it is shown only now
	}
	out.Add(body)
	if len(o.Now) > 0 {
		out.Add(subheading("What is true now"))
		for _, n := range o.Now {
			out.Add(withIcon(theme.ConfirmIcon(), n))
		}
	}
	if len(o.Remaining) > 0 {
		out.Add(subheading("Still to do"))
		for _, r := range o.Remaining {
			out.Add(withIcon(theme.WarningIcon(), r))
		}
		out.Add(paragraph("Fix what the lines above say, then start this wizard again: it picks up where this run stopped."))
	}
	return out
}

// secretCard shows a new client secret once, with a Copy button. It is never written anywhere.
func secretCard(s ShownSecret) fyne.CanvasObject {
	value := widget.NewLabel(s.Value)
	value.TextStyle = fyne.TextStyle{Monospace: true}
	value.Wrapping = fyne.TextWrapBreak
	copyButton := widget.NewButtonWithIcon("Copy the secret", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(s.Value)
	})
	where := "It is kept in this computer's keychain."
	if !s.Stored {
		where = "It is NOT in this computer's keychain: copy it now."
	}
	return card(theme.ColorNameWarning, widget.NewIcon(theme.WarningIcon()),
		widget.NewLabelWithStyle("New client secret: shown only now", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph(fmt.Sprintf("Application (client) id %s. The secret works until %s. %s If a tool of yours needs it, copy it into that tool now; Onboard365 never writes it to a file and will not show it again.",
			s.ClientID, s.Expires.Local().Format("2 January 2006"), where)),
		container.NewBorder(nil, nil, nil, copyButton, value),
	)
}

func (st *appRegState) signInBody() fyne.CanvasObject {
	ev := st.signIn
	text := "Signed in as " + ev.Account + " with the app, with MFA."
	switch {
	case st.signIn.Already:
		text = "The sign-in kept in this computer's keychain already belongs to this app (" + ev.Account + "). Nothing was asked."
	case st.signIn.Kept:
		text += " The sign-in is kept in this computer's keychain."
	}
	return container.NewVBox(verdictBanner(ev.Compliant, text), claimsTable(ev.Claims))
}

func (st *appRegState) customersBody() fyne.CanvasObject {
	n := map[string]int{}
	for _, c := range st.customers {
		n[c.Status]++
	}
	list := container.NewVBox(paragraph(fmt.Sprintf("%s: %d consented, %d %s consent, %d %s permissions, %d could not be checked. Untick a customer to leave it as it is; tick one that could not be checked to try anyway (Partner Center keeps a consent that exists).",
		words.Count(len(st.customers), "customer"), n[ConsentOK], n[ConsentMissing], words.Plural(n[ConsentMissing], "needs", "need"),
		n[ConsentLacks], words.Plural(n[ConsentLacks], "lacks", "lack"), n[ConsentCouldNotCheck])))
	if st.plan.Consent != "" {
		list.Add(withIcon(theme.InfoIcon(), st.plan.Consent))
	}
	for _, c := range st.customers {
		c := c
		name := widget.NewLabelWithStyle(c.Customer+": "+c.Status, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		lines := container.NewVBox(name, paragraph(c.Sentence))
		var left fyne.CanvasObject = widget.NewIcon(theme.ConfirmIcon())
		if c.Status != ConsentOK {
			check := widget.NewCheck("", func(on bool) { st.ticked[c.TenantID] = on })
			check.SetChecked(st.ticked[c.TenantID])
			left = check
		}
		list.Add(container.NewBorder(nil, nil, container.NewVBox(left), nil, lines))
		list.Add(widget.NewSeparator())
	}
	return list
}

func (st *appRegState) resultsBody() fyne.CanvasObject {
	if len(st.results) == 0 {
		return paragraph("No customer was ticked, so Partner Center was not asked. Every customer stays as it was.")
	}
	done := 0
	body := container.NewVBox()
	for _, r := range st.results {
		icon := theme.ErrorIcon()
		if r.Done {
			done++
			icon = theme.ConfirmIcon()
		}
		body.Add(withIcon(icon, r.Customer+": "+r.Sentence))
	}
	return container.NewVBox(paragraph(fmt.Sprintf("Consent worked in %d of %s.", done, words.Count(len(st.results), "customer"))), body)
}

func (st *appRegState) summary() fyne.CanvasObject {
	changes := "The app registration needed no change."
	if n := len(st.outcome.Lines); n > 0 {
		changes = fmt.Sprintf("The app registration: %d %s made.", n, words.Plural(n, "change", "changes"))
	}
	if len(st.outcome.Remaining) > 0 {
		changes += fmt.Sprintf(" %d still to do: start this wizard again once they are fixed.", len(st.outcome.Remaining))
	}
	var refused []CustomerConsent
	done := 0
	for _, r := range st.results {
		if r.Done {
			done++
		} else {
			refused = append(refused, r)
		}
	}
	signedIn := "Signed in with the app as " + st.signIn.Account + "; the sign-in is kept in this computer's keychain."
	if !st.signIn.Kept {
		signedIn = "Signed in with the app as " + st.signIn.Account + "."
	}
	lines := container.NewVBox(paragraph(changes), paragraph(signedIn))
	switch {
	case len(st.results) == 0:
		lines.Add(paragraph("Customers: none was ticked, so Partner Center was not asked for consent in any."))
	case len(refused) == 0:
		lines.Add(paragraph(fmt.Sprintf("Customers: consent made in %s.", words.Count(done, "customer"))))
	default:
		lines.Add(paragraph(fmt.Sprintf("Customers: consent made in %d, refused in %d:", done, len(refused))))
		for _, r := range refused { // the reasons, here: the page that showed them is behind
			lines.Add(withIcon(theme.ErrorIcon(), r.Customer+": "+r.Sentence))
		}
	}
	lines.Add(paragraph("Running this wizard again is safe: it changes only what is missing. The secret can be replaced any time in Settings (Rotate the secret)."))
	return lines
}

// rotateSecret is Settings' "Rotate the secret": an administrator signs in, a new secret is
// made, proven, kept, and only then is the old one removed.
func (s *Shell) rotateSecret() fyne.CanvasObject {
	svc := s.opts.AppRegistration
	panel := newLaunchPanel(s)
	panel.cancel = true // no wizard here: the panel offers its own Cancel
	panel.note = adminNote
	result := container.NewVBox()
	var button *widget.Button
	button = widget.NewButtonWithIcon("Rotate the secret", theme.ViewRefreshIcon(), func() {
		button.Disable()
		result.RemoveAll()
		panel.reset()
		s.background(15*time.Minute, func(ctx context.Context) func() {
			o, err := svc.RotateSecret(ctx, "", panel.show)
			return func() {
				button.Enable()
				panel.reset()
				if err != nil {
					result.Add(withIcon(theme.ErrorIcon(), explain.Sentence(err)))
					return
				}
				result.Add(outcomeBody(o, o.Secret))
				if win := s.window(); win != nil && o.Secret != nil {
					dialog.ShowInformation("New secret", "The new secret is shown below, once. Copy it now if a tool of yours needs it.", win)
				}
			}
		})
	})
	return container.NewVBox(
		subheading("App secret"),
		paragraph("Replace the app's client secret: an administrator signs in, Onboard365 makes a new secret, checks that it works, keeps it in this computer's keychain, and only then removes the old one. Secrets other tools made are left alone."),
		container.NewHBox(button),
		panel.object(),
		result,
	)
}
