package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	return readable(st.wizard().Object())
}

// signInState is what the Sign in wizard has learned so far.
type signInState struct {
	svc   SignIn
	shell *Shell

	hint     *widget.Entry
	launch   Launch
	evidence Evidence
	pcErr    error
	stored   bool
	useCode  bool
	code     DeviceCode
	status   *widget.Label // live text on the sign-in step, updated while waiting
}

func (st *signInState) wizard() *wizard.Wizard {
	st.hint = widget.NewEntry()
	st.hint.SetPlaceHolder("technician@yourpartner.onmicrosoft.com (optional)")
	st.status = paragraph("")
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Title: "Sign in",
		Steps: []wizard.Step{
			{
				Title: "Choose the account",
				Intro: "Sign in with the partner-tenant account your tools will use. Onboard365 opens a private browser window and asks Microsoft for a fresh sign-in, so an old session without MFA cannot slip through.",
				Content: func() fyne.CanvasObject {
					useCode := widget.NewCheck("No browser on this computer? Sign in on another device with a code instead", func(on bool) { st.useCode = on })
					useCode.SetChecked(st.useCode)
					return container.NewVBox(
						widget.NewForm(widget.NewFormItem("Account", st.hint)),
						useCode,
						st.tokenChecker(),
					)
				},
				Validate: func() error {
					h := strings.TrimSpace(st.hint.Text)
					if h != "" && (!strings.Contains(h, "@") || strings.ContainsAny(h, " \t")) {
						return errors.New("the account must look like name@domain, for example alex@contoso.onmicrosoft.com; or leave it empty")
					}
					return nil
				},
				NextLabel: "Sign in",
			},
			{
				Title:   "Sign in",
				Intro:   "Finish the sign-in where it opened: type the password, then approve the MFA request. This step ends by itself when Microsoft answers.",
				Content: func() fyne.CanvasObject { return st.signInBody() },
				Work:    st.signIn,
			},
			{
				Title:   "The verdict",
				Intro:   "Will Partner Center accept this sign-in? Here is the answer, with the evidence, and a live call to Partner Center.",
				Content: func() fyne.CanvasObject { return st.verdictBody() },
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					report(wizard.Progress{Message: "Asking Partner Center for your organization profile…"})
					ev, err := st.svc.CheckPartnerCenter(ctx)
					st.pcErr = err
					if len(ev.Claims) > 0 {
						st.evidence = ev // the final verdict, with Partner Center's answer
					}
					if !st.evidence.Compliant {
						_ = st.svc.Discard(context.WithoutCancel(ctx))
					}
					return nil
				},
				Validate: func() error {
					if !st.evidence.Compliant {
						return errors.New("this sign-in is not compliant, so it will not be stored; go Back and sign in again after fixing what the verdict says")
					}
					return nil
				},
				NextLabel: "Keep this sign-in",
			},
			{
				Title: "Keep the sign-in",
				Intro: "The sign-in is stored in this computer's keychain, never in a file, so your tools' wizards can use it.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					report(wizard.Progress{Message: "Storing the sign-in in the keychain…"})
					if err := st.svc.Keep(ctx); err != nil {
						return err
					}
					st.stored = true
					return nil
				},
				Content: func() fyne.CanvasObject {
					if !st.stored {
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

// signIn runs the sign-in off the UI goroutine. A failed verdict is not an error: the next step
// shows it. Anything from a sign-in that fails the checks is discarded at once.
func (st *signInState) signIn(ctx context.Context, report func(wizard.Progress)) error {
	st.launch, st.evidence, st.pcErr, st.stored = Launch{}, Evidence{}, nil, false
	var (
		ev  Evidence
		err error
	)
	if st.useCode {
		report(wizard.Progress{Message: "Asking Microsoft for a sign-in code…"})
		ev, err = st.svc.DeviceCode(ctx, func(c DeviceCode) {
			st.shell.duringWork(func() {
				st.code = c
				st.status.SetText(fmt.Sprintf("On another device, open %s and enter the code %s", c.VerificationURL, c.UserCode))
			})
			report(wizard.Progress{Message: "Waiting for you to enter the code " + c.UserCode + " at " + c.VerificationURL + " …"})
		})
	} else {
		report(wizard.Progress{Message: "Opening a private browser window…"})
		ev, err = st.svc.Interactive(ctx, strings.TrimSpace(st.hint.Text), func(l Launch) {
			st.shell.duringWork(func() { st.showLaunch(l) })
			report(wizard.Progress{Message: launchMessage(l)})
		})
	}
	if err != nil {
		_ = st.svc.Discard(context.WithoutCancel(ctx))
		return err
	}
	st.evidence = ev
	if !ev.Compliant {
		if err := st.svc.Discard(ctx); err != nil {
			return fmt.Errorf("the sign-in failed the checks, and forgetting it failed too: %w", err)
		}
	}
	return nil
}

func launchMessage(l Launch) string {
	switch {
	case l.InApp != nil:
		return "Sign in to the sandbox in the window that opened in Onboard365."
	case l.Failed != nil:
		return "No browser could be opened. Copy the address below into a private browser window and sign in there."
	case l.Private:
		return "A private window of " + orDefault(l.Browser, "your browser") + " opened. Sign in there and approve the MFA request."
	default:
		return "Your normal browser opened (a private window could not be opened). If it signs you in without asking for your password and MFA, close it and paste the address below into a private window."
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// showLaunch shows how the sign-in page was opened; for the sandbox it asks for the account.
func (st *signInState) showLaunch(l Launch) {
	st.launch = l
	st.status.SetText(launchMessage(l))
	if l.InApp != nil {
		st.sandboxDialog(l)
	}
}

func (st *signInState) signInBody() fyne.CanvasObject {
	body := container.NewVBox(st.status)
	if st.launch.URL != "" && st.launch.InApp == nil {
		address := widget.NewEntry()
		address.SetText(st.launch.URL)
		copyButton := widget.NewButtonWithIcon("Copy the address", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(st.launch.URL)
		})
		body.Add(container.NewBorder(nil, nil, nil, copyButton, address))
	}
	if st.code.UserCode != "" {
		code := canvas.NewText(st.code.UserCode, theme.Color(theme.ColorNamePrimary))
		code.TextSize = 40
		code.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
		copyCode := widget.NewButtonWithIcon("Copy the code", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(st.code.UserCode)
		})
		body.Add(container.NewHBox(code, copyCode))
	}
	if st.evidence.Account != "" {
		body.Objects = []fyne.CanvasObject{paragraph("Microsoft answered for " + st.evidence.Account + ". Press Next to see the verdict.")}
	}
	return body
}

// sandboxDialog asks for a sandbox account inside the app and completes the sign-in with it.
func (st *signInState) sandboxDialog(l Launch) {
	win := st.shell.window()
	if win == nil {
		return
	}
	user := widget.NewSelect(l.InAppUsers, nil)
	if len(l.InAppUsers) > 0 {
		user.SetSelected(l.InAppUsers[0])
	}
	password := widget.NewPasswordEntry()
	password.SetText("sandbox")
	approve := widget.NewCheck("Approve the MFA request (untick to see what a denied request does)", nil)
	approve.SetChecked(true)
	note := widget.NewLabel("This stands in for Microsoft's sign-in page. The sandbox's accounts all use the password \"sandbox\": alex has MFA set up, megan has none, lee is a risky technician.")
	note.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("", note),
		widget.NewFormItem("Account", user),
		widget.NewFormItem("Password", password),
		widget.NewFormItem("", approve),
	}
	dialog.ShowForm("Sign in to the sandbox", "Sign in", "Cancel", items, func(ok bool) {
		if !ok {
			st.status.SetText("The sandbox sign-in was cancelled. Press Stop, then Try again.")
			return
		}
		name, pw, yes := user.Selected, password.Text, approve.Checked
		go func() {
			if err := l.InApp(context.Background(), name, pw, yes); err != nil {
				st.shell.duringWork(func() { st.status.SetText(explain.Sentence(err)) })
			}
		}()
	}, win)
}

func (st *signInState) verdictBody() fyne.CanvasObject {
	ev := st.evidence
	body := container.NewVBox()
	if ev.Compliant {
		body.Add(verdictBanner(true, "This sign-in used MFA, in the right tenant, with the right account."))
	} else {
		body.Add(verdictBanner(false, "Partner Center will refuse this sign-in."))
		for _, r := range ev.Reasons {
			body.Add(paragraph("• " + r))
		}
		body.Add(paragraph("Nothing from this sign-in was stored."))
	}
	for _, n := range ev.Notes {
		body.Add(withIcon(theme.InfoIcon(), n))
	}
	switch {
	case st.pcErr == nil && ev.Compliant:
		body.Add(withIcon(theme.ConfirmIcon(), "Partner Center answered: it accepts this sign-in."))
	case st.pcErr != nil && ev.Compliant:
		body.Add(withIcon(theme.WarningIcon(), "Partner Center could not be asked: "+explain.Sentence(st.pcErr)))
	case st.pcErr != nil:
		body.Add(withIcon(theme.ErrorIcon(), "Partner Center refused it: "+explain.Sentence(st.pcErr)))
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
		container.NewVBox(pasted, container.NewHBox(check), result)))
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
