package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/explain"
)

// settingsPage shows which cloud the app talks to, lets the user check that it is reachable, and
// says which version this is.
func (s *Shell) settingsPage() fyne.CanvasObject {
	c := s.opts.Cloud
	trust := "This computer's usual certificate authorities."
	if c.CACertificate != "" {
		trust = "This computer's usual certificate authorities, and one extra authority named in the cloud description."
		if c.Sandbox {
			trust = "The sandbox's own certificate authority, made when it started and trusted by Onboard365 only."
		}
	}
	form := widget.NewForm(
		widget.NewFormItem("Cloud", paragraph(c.Name)),
		widget.NewFormItem("Sign-in service", paragraph(c.AuthorityHost)),
		widget.NewFormItem("Microsoft Graph", paragraph(c.GraphURL)),
		widget.NewFormItem("Partner Center", paragraph(c.PartnerCenterURL)),
		widget.NewFormItem("Certificates trusted", paragraph(trust)),
	)

	connection := container.NewVBox(subheading("Connection"), form)
	if s.opts.CheckConnection != nil {
		connection.Add(s.connectionCheck())
	}

	about := s.aboutSection()
	page := container.NewVBox(heading("Settings"), connection, widget.NewSeparator())
	if s.opts.Keychain != nil {
		page.Add(s.keychainSection())
		page.Add(widget.NewSeparator())
	}
	if s.opts.AppRegistration != nil {
		page.Add(s.rotateSecret()) // appreg.go
		page.Add(widget.NewSeparator())
	}
	if s.opts.Audit != nil {
		page.Add(s.auditSection()) // audit.go
		page.Add(widget.NewSeparator())
	}
	if welcome := s.welcomeSection(); welcome != nil {
		page.Add(welcome)
		page.Add(widget.NewSeparator())
	}
	page.Add(about)
	return wide(page)
}

// connectionCheck is a button that reaches the sign-in service and says what happened.
func (s *Shell) connectionCheck() fyne.CanvasObject {
	result := paragraph("")
	icon := widget.NewIcon(nil)
	var button *widget.Button
	button = widget.NewButtonWithIcon("Check the connection", theme.ViewRefreshIcon(), func() {
		button.Disable()
		icon.SetResource(nil)
		result.Importance = widget.MediumImportance
		result.SetText("Reaching the sign-in service…")
		check, c := s.opts.CheckConnection, s.opts.Cloud
		s.background(20*time.Second, func(ctx context.Context) func() {
			err := check(ctx, c)
			return func() {
				button.Enable()
				if err != nil {
					icon.SetResource(theme.ErrorIcon())
					result.Importance = widget.DangerImportance
					result.SetText(explain.Sentence(err))
					return
				}
				icon.SetResource(theme.ConfirmIcon())
				result.Importance = widget.SuccessImportance
				result.SetText("The sign-in service answered, so this computer can reach this cloud.")
			}
		})
	})
	return container.NewVBox(container.NewHBox(button), container.NewBorder(nil, nil, icon, nil, result))
}
