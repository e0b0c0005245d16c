package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/ui/wizard"
)

// The one way every page shows a sign-in in progress (the technician's, the App registration
// wizard's administrator, a customer's own administrator, Settings' rotation of the secret):
// where the sign-in page opened, the address to copy into a private window by hand (always: also
// when no browser could be opened at all), a device code, and on the sandbox the form that stands
// in for Microsoft's page, in the page itself.

// launchMessage says where the sign-in page opened, as the page tells the person.
func launchMessage(l Launch) string {
	switch {
	case l.InApp != nil:
		return "Sign in to the sandbox below: this form stands in for Microsoft's sign-in page."
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

// launchPanel shows a sign-in in progress. show and showCode may be called from any goroutine;
// the rest runs on the UI goroutine.
type launchPanel struct {
	shell  *Shell
	box    *fyne.Container
	status *widget.Label

	// What the sandbox's form says and asks.
	note    string // the line above the form: who the sandbox's accounts are
	hint    string // the account to fill in first (the one typed on an earlier step), "" for the first offered
	approve bool   // ask whether to approve the MFA request (the technician's sign-in)
	// cancel offers "Cancel the sign-in" beside it: for a sign-in that runs outside a wizard
	// step, which has no Stop button of its own.
	cancel bool
	// wheel, when set, is the wizard page's: the mouse wheel over the form's fields scrolls it.
	wheel *wizard.Wheel
}

func newLaunchPanel(s *Shell) *launchPanel {
	p := &launchPanel{shell: s, status: paragraph("")}
	p.box = container.NewVBox(p.status)
	return p
}

func (p *launchPanel) object() fyne.CanvasObject { return p.box }

// reset empties the panel.
func (p *launchPanel) reset() {
	p.status.SetText("")
	p.status.Importance = widget.MediumImportance
	p.box.Objects = []fyne.CanvasObject{p.status}
	p.box.Refresh()
}

// show is called (from the sign-in's goroutine) once the sign-in page has been opened.
func (p *launchPanel) show(l Launch) {
	p.shell.later(func() {
		p.status.SetText(launchMessage(l))
		objs := []fyne.CanvasObject{p.status}
		switch {
		case l.InApp != nil:
			objs = append(objs, p.sandboxForm(l.InAppUsers, l.End, func(ctx context.Context, user, password string, approve bool) error {
				return l.InApp(ctx, user, password, approve)
			}))
		case l.URL != "":
			objs = append(objs, wizard.Address("The sign-in address", l.URL))
			if p.cancel && l.End != nil {
				objs = append(objs, container.NewHBox(p.cancelButton(l.End)))
			}
		}
		p.box.Objects = objs
		p.box.Refresh()
	})
}

// showCode shows a device code: the code, the page to enter it on, and on the sandbox the form
// that enters it there (called from the sign-in's goroutine).
func (p *launchPanel) showCode(c DeviceCode) {
	p.shell.later(func() {
		code := canvas.NewText(c.UserCode, theme.Color(theme.ColorNamePrimary))
		code.TextSize = 40
		code.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
		copyCode := widget.NewButtonWithIcon("Copy the code", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(c.UserCode)
		})
		objs := []fyne.CanvasObject{p.status, container.NewHBox(code, container.NewCenter(copyCode))}
		if c.InApp != nil {
			p.status.SetText(fmt.Sprintf("Enter the code %s on the sandbox's device page: the form below does what you would do there on another device.", c.UserCode))
			objs = append(objs, p.sandboxForm(c.InAppUsers, c.End, c.InApp))
		} else {
			p.status.SetText(fmt.Sprintf("On another device (a phone, another computer), open the address below, enter the code %s, and sign in there with MFA. This page goes on by itself when you have.", c.UserCode))
			objs = append(objs, wizard.Address("Where to enter the code", c.VerificationURL))
		}
		p.box.Objects = objs
		p.box.Refresh()
	})
}

// sandboxForm stands in for Microsoft's sign-in page on the sandbox. A refusal there ends the
// sign-in (internal/app's launcher), and the page that waits for it says why.
func (p *launchPanel) sandboxForm(users []string, end func(error), signIn func(ctx context.Context, user, password string, approve bool) error) fyne.CanvasObject {
	account := widget.NewSelectEntry(users)
	switch {
	case p.hint != "":
		account.SetText(p.hint)
	case len(users) > 0:
		account.SetText(users[0])
	}
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder("The sandbox's password")
	password.SetText("sandbox")
	approve := widget.NewCheck("Approve the MFA request (untick to see what a denied request does)", nil)
	approve.SetChecked(true)
	items := []*widget.FormItem{widget.NewFormItem("Account", p.wheel.Field(account)), widget.NewFormItem("Password", p.wheel.Field(password))}
	if p.approve {
		items = append(items, widget.NewFormItem("", approve))
	}
	var button *widget.Button
	button = widget.NewButtonWithIcon("Sign in to the sandbox", theme.LoginIcon(), func() {
		button.Disable()
		user, pw, yes := strings.TrimSpace(account.Text), password.Text, approve.Checked
		p.status.SetText("Signing in as " + user + "…")
		go func() { _ = signIn(context.Background(), user, pw, yes) }()
	})
	button.Importance = widget.HighImportance
	buttons := container.NewHBox(button)
	if p.cancel && end != nil {
		buttons.Add(p.cancelButton(end))
	}
	note := p.note
	if note == "" {
		note = "The sandbox's accounts all use the password \"sandbox\"."
	}
	return card(theme.ColorNamePrimary, widget.NewIcon(theme.LoginIcon()),
		widget.NewLabelWithStyle("Sign in to the sandbox", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph(note), widget.NewForm(items...), buttons)
}

func (p *launchPanel) cancelButton(end func(error)) fyne.CanvasObject {
	return widget.NewButtonWithIcon("Cancel the sign-in", theme.CancelIcon(), func() { end(context.Canceled) })
}
