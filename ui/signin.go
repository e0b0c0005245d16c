package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/ui/wizard"
)

// SignIn is what the Sign in page needs from the rest of the app (internal/app's Account, which
// wires internal/auth to internal/vault). The page never sees a token: only the evidence.
type SignIn interface {
	// Interactive signs in with a fresh session (prompt=login). launched is called once the
	// sign-in page has been handed to a browser, or needs the person in the app (sandbox).
	Interactive(ctx context.Context, loginHint string, launched func(Launch)) (Evidence, error)
	// DeviceCode signs in on another device with a code.
	DeviceCode(ctx context.Context, code func(DeviceCode)) (Evidence, error)
	// NeedsApp says whether there is no app registration to sign in with yet (none was made,
	// or Microsoft did not know the one in use): the page leads to App registration first.
	NeedsApp() bool
	// CheckPartnerCenter calls Partner Center with the new sign-in and returns the final
	// verdict, which includes Partner Center's answer (a YES needs it), and Partner Center's
	// error to show (nil when it accepts the sign-in).
	CheckPartnerCenter(ctx context.Context) (Evidence, error)
	// Keep stores the sign-in in the OS keychain; only called after a final Yes.
	Keep(ctx context.Context) error
	// Discard forgets a sign-in that failed the checks, so nothing of it is stored.
	Discard(ctx context.Context) error
	// Inspect decodes a pasted access token on this computer (nothing is sent anywhere).
	Inspect(token string, wantTenant, wantUPN string) (Evidence, error)
}

// What the Sign in page shows, as internal/app's Account gives it: where the sign-in page opened,
// a device code, and the evidence of a sign-in (never a token).
type (
	Launch     = app.Launch
	DeviceCode = app.DeviceCode
	Evidence   = app.Evidence
)

// signInPage is the Sign in wizard.
func (s *Shell) signInPage() fyne.CanvasObject {
	if s.opts.SignIn == nil {
		return taskPage(signInTask)
	}
	st := &signInState{svc: s.opts.SignIn, shell: s}
	return wide(st.wizard().Object())
}

// signInState is what the Sign in wizard has learned so far.
type signInState struct {
	wheel wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc   SignIn
	shell *Shell

	hint     *widget.Entry
	evidence Evidence
	pcErr    error
	pcAsked  bool // Partner Center was asked about this sign-in (its token's checks passed)
	stored   bool
	useCode  bool
	launch   *launchPanel // where the sign-in opened, and the sandbox's form
	forRun   error        // the sign-in is kept in memory for this run only (the sandbox, without a keychain)
}

func (st *signInState) wizard() *wizard.Wizard {
	st.hint = widget.NewEntry()
	st.hint.SetPlaceHolder("technician@yourpartner.onmicrosoft.com (optional)")
	st.launch = newLaunchPanel(st.shell)
	st.launch.approve = true
	st.launch.note = "The sandbox's accounts all use the password \"sandbox\": alex has MFA set up, megan has none, lee is a risky technician."
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: "Sign in",
		Steps: []wizard.Step{
			{
				Title: "Choose the account",
				Intro: "Sign in with the partner-tenant account your tools will use. Onboard365 opens a private browser window and asks Microsoft for a fresh sign-in, so an old session without MFA cannot slip through.",
				Content: func() fyne.CanvasObject {
					useCode := widget.NewCheck("No browser on this computer? Sign in on another device with a code instead", func(on bool) { st.useCode = on })
					useCode.SetChecked(st.useCode)
					body := container.NewVBox()
					if st.svc.NeedsApp() {
						body.Add(st.needsApp())
					}
					body.Add(widget.NewForm(widget.NewFormItem("Account", st.wheel.Field(st.hint))))
					body.Add(useCode)
					body.Add(st.tokenChecker())
					return body
				},
				Validate: func() error {
					if st.svc.NeedsApp() {
						return app.ErrNoApp
					}
					return app.CheckSignInName("the account", st.hint.Text)
				},
				// Without an app registration there is nothing to sign in with: the card above
				// leads to App registration, and Sign in stays off.
				Ready:     func() bool { return !st.svc.NeedsApp() },
				NextLabel: "Sign in",
			},
			{
				Title: "Sign in",
				Intro: "Finish the sign-in where it opened: type the password, then approve the MFA request. Once Microsoft answers, Next shows the verdict.",
				During: func() fyne.CanvasObject {
					st.launch.reset()
					return st.launch.object()
				},
				Content: func() fyne.CanvasObject { return st.signInBody() },
				Work:    st.signIn,
			},
			{
				Title:   "The verdict",
				Intro:   "Will Partner Center accept this sign-in? Here is the answer, with the evidence, and a live call to Partner Center.",
				Content: func() fyne.CanvasObject { return st.verdictBody() },
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					st.pcErr, st.pcAsked = nil, false
					if !st.evidence.Compliant && !st.evidence.Pending {
						// The token's own checks said NO: Partner Center is not asked, and
						// nothing of the sign-in is kept (it was discarded on the step before).
						return nil
					}
					report(wizard.Progress{Message: "Asking Partner Center for your organization profile…"})
					ev, err := st.svc.CheckPartnerCenter(ctx)
					if ctx.Err() != nil {
						return ctx.Err()
					}
					st.pcErr, st.pcAsked = err, true
					if len(ev.Claims) > 0 {
						st.evidence = ev // the final verdict, with Partner Center's answer
					}
					if !st.evidence.Compliant {
						_ = st.svc.Discard(context.WithoutCancel(ctx))
					}
					return nil
				},
				// A NO cannot be kept: Next ("Keep this sign-in") stays off, and the verdict
				// says what to do instead.
				Ready:     func() bool { return st.evidence.Compliant },
				NextLabel: "Keep this sign-in",
			},
			{
				Title: "Keep the sign-in",
				Intro: "Onboard365 tries to keep the sign-in in this computer's keychain, never in a file, so that your tools' wizards can use it; the page says below whether it could.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					report(wizard.Progress{Message: "Storing the sign-in in the keychain…"})
					st.forRun = nil
					err := st.svc.Keep(ctx)
					var run *app.KeptForThisRun
					if errors.As(err, &run) {
						st.stored, st.forRun = true, run // the sandbox goes on, with the sign-in in memory
						return nil
					}
					if err != nil {
						return fmt.Errorf("%w Until then the sign-in works in this window, until you close Onboard365; press Try again once the keychain is unlocked", err)
					}
					st.stored = true
					return nil
				},
				Content: func() fyne.CanvasObject {
					switch {
					case st.forRun != nil:
						return withIcon(theme.WarningIcon(), explain.Sentence(st.forRun))
					case !st.stored:
						return paragraph("")
					}
					return paragraph("Stored in this computer's keychain. Settings shows what is kept and can remove it.")
				},
				NextLabel: "Finish",
			},
		},
		Summary: func() fyne.CanvasObject {
			return container.NewVBox(
				verdictBanner(true, "Signed in as "+st.evidence.Account+", with MFA. Partner Center will accept this sign-in."),
				paragraph("Next: check your app registration and your customers' GDAP relationships."),
				st.shell.goButton("App registration", PageAppRegistry),
				st.shell.goButton("GDAP relationships", PageGDAP),
			)
		},
	}))
}

// needsApp is the card that leads to App registration when there is no app to sign in with yet.
func (st *signInState) needsApp() fyne.CanvasObject {
	return card(theme.ColorNameWarning, widget.NewIcon(theme.WarningIcon()),
		subheading("First, the app registration"),
		paragraph("Onboard365 signs you in through its own app registration in your partner tenant, and there is none yet "+
			"(or Microsoft does not know the one Onboard365 had). App registration creates it: an administrator signs in there, "+
			"and at its end you are signed in with the new app, which is what this page does."),
		container.NewHBox(st.shell.goButton("Open App registration", PageAppRegistry)))
}

// signIn runs the sign-in off the UI goroutine. A failed verdict is not an error: the next step
// shows it. Anything from a sign-in that fails the checks is discarded at once.
func (st *signInState) signIn(ctx context.Context, report func(wizard.Progress)) error {
	st.evidence, st.pcErr, st.pcAsked, st.stored = Evidence{}, nil, false, false
	st.launch.hint = strings.TrimSpace(st.hint.Text)
	var (
		ev  Evidence
		err error
	)
	if st.useCode {
		report(wizard.Progress{Message: "Asking Microsoft for a sign-in code…"})
		ev, err = st.svc.DeviceCode(ctx, func(c DeviceCode) {
			st.launch.showCode(c)
			report(wizard.Progress{Message: "Waiting for the code " + c.UserCode + " to be entered…"})
		})
	} else {
		report(wizard.Progress{Message: "Opening a private browser window…"})
		ev, err = st.svc.Interactive(ctx, strings.TrimSpace(st.hint.Text), func(l Launch) {
			st.launch.show(l)
			report(wizard.Progress{Message: "Waiting for the sign-in to finish…"})
		})
	}
	if err != nil {
		_ = st.svc.Discard(context.WithoutCancel(ctx))
		return err
	}
	st.evidence = ev
	if !ev.Compliant && !ev.Pending {
		if err := st.svc.Discard(ctx); err != nil {
			return fmt.Errorf("the sign-in failed the checks, and forgetting it failed too: %w", err)
		}
	}
	return nil
}

// signInBody is the sign-in step once Microsoft answered. (A failed sign-in shows the way to App
// registration when there is no app: the shell's whereToGo.)
func (st *signInState) signInBody() fyne.CanvasObject {
	return paragraph("Microsoft answered for " + st.evidence.Account + ". Press Next to see the verdict.")
}

func (st *signInState) verdictBody() fyne.CanvasObject {
	ev := st.evidence
	body := container.NewVBox()
	if ev.Compliant {
		body.Add(verdictBanner(true, "This sign-in used MFA, in the right tenant, with the right account."))
	} else {
		body.Add(verdictBanner(false, "This sign-in is not one to keep: why, and what to do, below."))
		for _, r := range ev.Reasons {
			body.Add(paragraph("• " + r))
		}
		body.Add(paragraph("Nothing from this sign-in was stored."))
	}
	for _, n := range ev.Notes {
		body.Add(withIcon(theme.InfoIcon(), n))
	}
	switch {
	case !st.pcAsked:
		// The token's checks already said NO: Partner Center was not asked, so nothing here
		// speaks for it.
	case st.pcErr == nil && ev.Compliant:
		body.Add(withIcon(theme.ConfirmIcon(), "Partner Center answered: it accepts this sign-in."))
	case st.pcErr != nil && ev.Compliant:
		body.Add(withIcon(theme.WarningIcon(), "Partner Center could not be asked: "+explain.Sentence(st.pcErr)))
	case st.pcErr != nil:
		body.Add(withIcon(theme.ErrorIcon(), "Partner Center's answer: "+explain.Sentence(st.pcErr)))
	}
	body.Add(subheading("The evidence"))
	body.Add(claimsTable(ev.Claims))
	return body
}

// tokenChecker is the "Check a token" box: it decodes a pasted token on this computer.
func (st *signInState) tokenChecker() fyne.CanvasObject {
	pasted := widget.NewMultiLineEntry()
	pasted.SetPlaceHolder("Paste an access token from another tool to check it. It is decoded here and sent nowhere.")
	pasted.Wrapping = fyne.TextWrapBreak
	pasted.SetMinRowsVisible(3)
	result := container.NewVBox()
	check := widget.NewButtonWithIcon("Check this token", theme.SearchIcon(), func() {
		result.RemoveAll()
		ev, err := st.svc.Inspect(strings.TrimSpace(pasted.Text), "", "")
		if err != nil {
			result.Add(withIcon(theme.ErrorIcon(), explain.Sentence(err)))
			return
		}
		if ev.Compliant {
			result.Add(verdictBanner(true, "This token says what Partner Center looks for: MFA, for Partner Center, not expired."))
		} else {
			result.Add(verdictBanner(false, "Partner Center would refuse this token."))
			for _, r := range ev.Reasons {
				result.Add(paragraph("• " + r))
			}
		}
		for _, n := range ev.Notes {
			result.Add(withIcon(theme.InfoIcon(), n))
		}
		result.Add(claimsTable(ev.Claims))
	})
	return widget.NewAccordion(widget.NewAccordionItem("Check a token from another tool",
		container.NewVBox(st.wheel.Field(pasted), container.NewHBox(check), result)))
}

// verdictBanner is the big Yes or No.
func verdictBanner(yes bool, text string) fyne.CanvasObject {
	word, accent, icon := "NO", theme.ColorNameError, theme.CancelIcon()
	if yes {
		word, accent, icon = "YES", theme.ColorNameSuccess, theme.ConfirmIcon()
	}
	big := canvas.NewText(word, theme.Color(accent))
	big.TextSize = 48
	big.TextStyle = fyne.TextStyle{Bold: true}
	return card(accent, widget.NewIcon(icon), big, paragraph(text))
}

func claimsTable(claims [][2]string) fyne.CanvasObject {
	form := widget.NewForm()
	for _, c := range claims {
		v := widget.NewLabel(c[1])
		v.Wrapping = fyne.TextWrapBreak
		form.Append(c[0], v)
	}
	return form
}
